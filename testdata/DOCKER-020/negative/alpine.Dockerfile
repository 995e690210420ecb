FROM node:20-alpine3.20
USER node
FROM node:alpine AS also-lean
FROM ruby:3.3-slim
USER 10001
