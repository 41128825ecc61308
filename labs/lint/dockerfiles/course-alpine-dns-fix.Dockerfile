# The course's "Alpine DNS fix", in our words: write single-request into
# resolv.conf. On Alpine it does nothing twice over: musl does not read the
# option, and the engine replaces the file at start. The dns lab measured
# the stall unchanged. Findings: BL010 (and BL002, BL011).
FROM node:20-alpine
RUN echo "options single-request" >> /etc/resolv.conf
WORKDIR /app
COPY . .
CMD ["node", "server.js"]
