FROM registry.access.redhat.com/ubi9/ubi:9.4
RUN yum install -y httpd-2.4.57
USER 1001
