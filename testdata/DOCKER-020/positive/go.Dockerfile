FROM golang:1.23
WORKDIR /src
COPY . .
RUN go build -o /usr/local/bin/api ./cmd/api
USER 10001
CMD ["api"]
