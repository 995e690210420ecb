FROM debian:bookworm-slim
RUN echo 'APT::Install-Recommends "0";' > /etc/apt/apt.conf.d/01norecommends \
    && apt-get update \
    && apt-get install -y curl \
    && rm -rf /var/lib/apt/lists/*
USER 10001
