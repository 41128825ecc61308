# Packages at whatever version the index holds on build day. Triggers BL012.
FROM alpine:3.20
RUN apk add --no-cache curl ca-certificates
USER 10001:10001
CMD ["curl", "--version"]
