# syntax=docker/dockerfile:1
# BuildKit-only syntax parses too: RUN --mount, COPY --chmod/--link and a
# heredoc. The heredoc writes use-vc into resolv.conf: BL010.
ARG GO_VERSION=1.22
FROM golang:${GO_VERSION} AS build
WORKDIR /src
RUN --mount=type=cache,target=/root/.cache/go-build \
    --mount=type=bind,target=. \
    CGO_ENABLED=0 go build -o /out/app .

FROM debian:bookworm-slim
COPY --link --chmod=0755 --from=build /out/app /usr/local/bin/app
COPY <<EOT /etc/resolv.conf
nameserver 192.0.2.53
options use-vc
EOT
USER 10001:10001
CMD ["/usr/local/bin/app"]
