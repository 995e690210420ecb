FROM alpine:3.20
WORKDIR "/srv/my app"
COPY --chown=app "static files" "/srv/my app/static"
USER "app:app"
