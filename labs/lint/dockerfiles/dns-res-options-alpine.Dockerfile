# RES_OPTIONS is glibc's; musl has no such variable. Triggers BL010.
FROM alpine:3.20
ENV RES_OPTIONS="single-request"
USER 10001:10001
CMD ["getent", "hosts", "example.org"]
