FROM alpine:3.20
# Health is checked by the Kubernetes probes.
HEALTHCHECK NONE
USER 10001
