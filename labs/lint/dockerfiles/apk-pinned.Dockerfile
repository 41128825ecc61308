# Pinned packages (apk: name=version or name~major.minor; the versions are
# illustrative). No BL012.
FROM alpine:3.20
RUN apk add --no-cache curl=8.9.1-r1 ca-certificates~20240705
USER 10001:10001
CMD ["curl", "--version"]
