# Every C fixture, built once: gcc against bookworm's glibc 2.36.
ARG BUILDER
FROM ${BUILDER}
COPY src/ /src/
RUN mkdir -p /out/lib && cd /src \
 && gcc -O2 -o /out/hello hello.c \
 && musl-gcc -O2 -o /out/hello-musl hello.c \
 && gcc -O2 -shared -fPIC -o /out/lib/libgreet.so greet.c \
 && gcc -O2 -o /out/app app.c -L/out/lib -lgreet \
 && musl-gcc -O2 -shared -fPIC -o /out/lib/libgreet-musl.so greet.c \
 && musl-gcc -O2 -o /out/app-musl app.c -L/out/lib -l:libgreet-musl.so \
 && gcc -O2 -D_FORTIFY_SOURCE=2 -shared -fPIC -o /out/ext.so ext.c \
 && gcc -O2 -shared -fPIC -o /out/ext-gnu.so hello.c
