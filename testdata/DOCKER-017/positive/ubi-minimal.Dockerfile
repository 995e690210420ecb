FROM registry.access.redhat.com/ubi9/ubi-minimal:9.4
RUN microdnf install -y nginx-1.22.1
USER 1001
