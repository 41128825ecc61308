# On glibc RES_OPTIONS amends resolv.conf's options per process, and the
# engine does not replace an environment variable: this one takes effect.
# No BL010.
FROM debian:bookworm-slim
ENV RES_OPTIONS="single-request"
USER 10001:10001
CMD ["getent", "ahosts", "example.org"]
