FROM alpine:3.20
RUN adduser -D app
# Docker unquotes the user: this is `app`, not a parse error.
USER "app"
