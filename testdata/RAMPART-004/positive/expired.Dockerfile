FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates
# rampart:ignore[DOCKER-002] migration to an unprivileged user is scheduled until=2020-01-31
USER root
