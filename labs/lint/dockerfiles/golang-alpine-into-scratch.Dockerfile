# golang:1.22-alpine has no C compiler, so go build turns cgo off by itself
# and the program is static. No BL006. The program embeds the zone database
# (-tags timetzdata): no BL008 either.
FROM golang:1.22-alpine AS build
WORKDIR /src
COPY . .
RUN go build -tags timetzdata -o /out/app .

FROM scratch
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/
COPY --from=build /out/app /app
USER 65534:65534
ENTRYPOINT ["/app"]
