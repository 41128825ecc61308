# A C program compiled by gcc on Debian, copied into Alpine: "exec
# /usr/local/bin/hello: no such file or directory" although it is there.
# Triggers BL003.
FROM gcc:13 AS build
COPY hello.c /src/
RUN gcc -O2 -o /out/hello /src/hello.c

FROM alpine:3.20
COPY --from=build /out/hello /usr/local/bin/hello
USER 10001:10001
CMD ["/usr/local/bin/hello"]
