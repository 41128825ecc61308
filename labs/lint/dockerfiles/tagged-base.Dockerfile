# The same image with a major.minor tag: no BL001. Without a digest it is
# still BL002 (info): the tag is rebuilt in place for point releases.
FROM alpine:3.20
RUN adduser -D -u 10001 app
USER 10001:10001
CMD ["sh", "-c", "echo hello"]
