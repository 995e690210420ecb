FROM alpine:3.20 AS builder
RUN mkdir -p /tmp/packages && abuild -r -P /tmp/packages

FROM alpine:3.20
RUN --mount=type=bind,target=/tmp/packages/,source=/tmp/packages/,from=builder \
    apk add --no-cache --allow-untrusted /tmp/packages/x86_64/my-module-1.2.3-r0.apk
USER 10001
