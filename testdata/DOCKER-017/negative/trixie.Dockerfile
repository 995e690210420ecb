FROM debian:trixie-slim
RUN set -eux; apt-get update; apt-get install -y --no-install-recommends ca-certificates; apt-get dist-clean
USER 10001
