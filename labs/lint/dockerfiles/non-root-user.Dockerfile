# A user of its own, by number with a group. No BL011.
FROM debian:bookworm-slim
RUN useradd --uid 10001 --user-group --no-create-home app
COPY app /usr/local/bin/app
USER 10001:10001
CMD ["/usr/local/bin/app"]
