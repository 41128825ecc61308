# The compiler stays in the build stage; the final stage gets the program.
# No BL005.
FROM debian:bookworm-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends build-essential=12.9
COPY . /src
RUN make -C /src install DESTDIR=/out

FROM debian:bookworm-slim
COPY --from=build /out/usr/local/bin/app /usr/local/bin/app
USER 10001:10001
CMD ["/usr/local/bin/app"]
