# A global ARG is not visible in the stage until the stage declares it: this ENV is empty.
ARG SIGNING_TOKEN
FROM node:20-bookworm-slim
ENV SIGNING_TOKEN=$SIGNING_TOKEN
USER node
