# The course's mistake 1, in our words: production built FROM :latest.
# Whatever the maintainers publish next, libc and all, is what the next
# build ships. Findings: BL001 (and BL011: nothing sets a user).
FROM node:latest
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev
COPY . .
CMD ["node", "server.js"]
