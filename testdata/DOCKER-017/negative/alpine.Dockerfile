FROM alpine:3.20
RUN apk add --no-cache tini && apk add ca-certificates && rm -rf /var/cache/apk/*
USER 10001
