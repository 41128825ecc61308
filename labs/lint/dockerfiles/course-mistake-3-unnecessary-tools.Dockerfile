# The course's mistake 3, in our words: the runtime image carries the
# build: compilers, make, an editor, a VCS. Findings: BL005, BL012 (and
# BL002, BL011).
FROM ubuntu:22.04
RUN apt-get update \
 && apt-get install -y build-essential make git vim curl \
 && rm -rf /var/lib/apt/lists/*
COPY . /src
RUN make -C /src install
CMD ["/usr/local/bin/app"]
