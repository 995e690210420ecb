FROM python:3.12-slim-bookworm AS base
FROM base
USER 10001
