# FROM takes an image, optionally "AS name": three words after AS is not a
# Dockerfile BuildKit accepts. baselab lint exits 2 naming line 4.
ARG BASE=alpine:3.20
FROM ${BASE} AS build AS again
RUN echo unreachable
