# FROM with no tag: "alpine" is whatever Alpine published last, musl
# version and all. Triggers BL001.
FROM alpine
RUN adduser -D -u 10001 app
USER 10001:10001
CMD ["sh", "-c", "echo hello"]
