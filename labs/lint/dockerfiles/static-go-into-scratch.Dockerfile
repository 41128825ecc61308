# Exercise 4 done: a static binary, the CA bundle, zoneinfo and a passwd
# that names the user. No BL006, BL007, BL008, BL009, BL011.
FROM golang:1.22 AS build
WORKDIR /src
COPY . .
ENV CGO_ENABLED=0
RUN go build -trimpath -o /out/app .

FROM scratch
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/
COPY --from=build /usr/share/zoneinfo /usr/share/zoneinfo
COPY --from=build /etc/passwd /etc/group /etc/
COPY --from=build /out/app /app
USER nobody
ENTRYPOINT ["/app"]
