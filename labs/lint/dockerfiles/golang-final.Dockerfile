# The final stage is the Go toolchain image itself. Triggers BL005.
FROM golang:1.22
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /usr/local/bin/app .
USER 10001:10001
CMD ["/usr/local/bin/app"]
