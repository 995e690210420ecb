FROM alpine:3.19
# rampart:ignore[DOCKER-002] the agent installs packages as root
RUN apk add --no-cache curl=8.5.0-r0
