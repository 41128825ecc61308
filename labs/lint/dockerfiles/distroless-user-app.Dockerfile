# distroless/static's /etc/passwd has root, nobody and nonroot: a user
# named app does not exist there. Triggers BL009.
FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /out/app .

FROM registry.example.org/distroless/static-debian12:latest@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
COPY --from=build /out/app /app
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
USER app
ENTRYPOINT ["/app"]
