# A USER that is root is no USER. Triggers BL011.
FROM debian:bookworm-slim
COPY app /usr/local/bin/app
USER root
CMD ["/usr/local/bin/app"]
