FROM alpine:3.20 AS base
RUN apk add ca-certificates curl

FROM base
RUN apk update && apk add \
      tini
USER 10001
