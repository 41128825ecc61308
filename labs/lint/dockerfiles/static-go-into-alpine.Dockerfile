# A static Go binary (CGO_ENABLED=0) runs on any libc, and a CA bundle is
# data: copying both from a glibc stage into Alpine is fine. No BL003.
FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -o /out/app .

FROM alpine:3.20
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/
COPY --from=build /out/app /app
USER 10001:10001
ENTRYPOINT ["/app"]
