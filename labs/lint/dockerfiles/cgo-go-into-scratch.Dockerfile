# go build on golang:1.22 (Debian, gcc present) without CGO_ENABLED=0: a
# program that uses net or os/user links glibc dynamically, and scratch has
# no loader: "exec /app: no such file or directory". Triggers BL006.
FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN go build -trimpath -o /out/app .

FROM scratch
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/
COPY --from=build /usr/share/zoneinfo /usr/share/zoneinfo
COPY --from=build /out/app /app
USER 65534:65534
ENTRYPOINT ["/app"]
