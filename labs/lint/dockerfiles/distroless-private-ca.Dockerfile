# distroless/static with the organisation's CA added to its bundle, as the
# nonroot user it has, every base pinned by digest. No BL002, BL013,
# BL009, BL011.
FROM golang:1.22@sha256:89abcdef0123456789abcdef0123456789abcdef0123456789abcdef01234567 AS build
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /out/app .

FROM registry.example.org/distroless/static-debian12:latest@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
COPY --from=build /out/app /app
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
USER nonroot
ENTRYPOINT ["/app"]
