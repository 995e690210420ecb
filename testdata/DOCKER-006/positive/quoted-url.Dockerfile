FROM alpine:3.20
# A quoted URL is still a download.
ADD "https://example.com/tool.tar.gz" "/opt/"
USER app
