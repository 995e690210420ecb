FROM alpine:3.20
# A local archive, quoted: ADD unpacks it, which COPY does not.
ADD "rootfs.tar.gz" "/"
USER app
