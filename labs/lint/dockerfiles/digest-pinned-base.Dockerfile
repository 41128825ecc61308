# Tag and digest: the build takes exactly the bytes that were tested.
# (The digest is made up for the fixture; a bot such as Renovate moves it.)
FROM alpine:3.20@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
RUN adduser -D -u 10001 app
USER 10001:10001
CMD ["sh", "-c", "echo hello"]
