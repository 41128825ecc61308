# No USER: the process is uid 0. Triggers BL011.
FROM debian:bookworm-slim
COPY app /usr/local/bin/app
CMD ["/usr/local/bin/app"]
