# node_modules installed on node:20 (Debian, glibc) and copied into
# node:20-alpine: a native addon (*.node) in it is a glibc-built shared
# object, loaded by musl's loader like a CPython extension. Triggers BL003.
FROM node:20 AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev

FROM node:20-alpine
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY server.js ./
USER node
CMD ["node", "server.js"]
