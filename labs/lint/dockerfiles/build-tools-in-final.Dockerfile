# build-essential in the image that runs; removing it in a later RUN keeps
# its bytes in the layer that installed it. Triggers BL005.
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential=12.9 \
 && rm -rf /var/lib/apt/lists/*
COPY . /src
RUN make -C /src install
RUN apt-get purge -y build-essential
USER 10001:10001
CMD ["/usr/local/bin/app"]
