FROM golang:1.24.4 AS build
WORKDIR /src
COPY go.mod go.sum ./
# `tool` is every tool go.mod pins (Go 1.24); ./cmd/... and the main module's packages come
# from the source tree.
RUN go install tool && go install ./cmd/... && go install example/internal/gen
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /go/bin/app /app
