# A static program alone on scratch: it runs, but HTTPS has no CA bundle to
# trust and a named zone has no database. Triggers BL007 and BL008.
FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /out/app .

FROM scratch
COPY --from=build /out/app /app
USER 65534:65534
ENTRYPOINT ["/app"]
