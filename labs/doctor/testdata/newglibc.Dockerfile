# A program built against a newer glibc than the image's: trixie's gcc and
# glibc 2.41, from the same Debian archive the slim stand-in's apt names,
# then copied into bookworm's slim (glibc 2.36).
ARG SLIM
FROM ${SLIM} AS trixie
RUN sed 's/bookworm/trixie/g' /etc/apt/sources.list > /etc/apt/sources.list.d/trixie.list \
 && apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends -t trixie gcc libc6-dev
COPY src/newglibc.c /src/newglibc.c
RUN gcc -O2 -o /newglibc /src/newglibc.c
FROM ${SLIM}
COPY --from=trixie /newglibc /usr/local/bin/newglibc
ENTRYPOINT ["/usr/local/bin/newglibc"]
