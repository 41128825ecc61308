# distroless/static as it comes: Debian's public CAs only. Triggers BL013
# (info): a service behind an organisation's CA fails as on bare scratch.
FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /out/app .

FROM registry.example.org/distroless/static-debian12:nonroot@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
COPY --from=build /out/app /app
ENTRYPOINT ["/app"]
