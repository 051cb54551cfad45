# Builds prefer into a small image that runs `prefer serve`. It expects a
# PostgreSQL server given by DATABASE_URL (see docker-compose.yml): the image
# holds no PostgreSQL of its own.

FROM golang:1.26-bookworm AS build
WORKDIR /src

# Dependencies first, so that code changes reuse the downloaded modules.
COPY go.mod go.sum ./
RUN go mod download

# The templ output (*_templ.go) is committed, so no generation step is needed.
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/prefer .

FROM debian:bookworm-slim
RUN apt-get update \
	&& apt-get install -y --no-install-recommends ca-certificates \
	&& rm -rf /var/lib/apt/lists/* \
	&& useradd --system --user-group --no-create-home --shell /usr/sbin/nologin prefer \
	&& mkdir /data \
	&& chown prefer:prefer /data

COPY --from=build /out/prefer /usr/local/bin/prefer

# DATA_DIR keeps the session key (generated on first start unless
# SESSION_KEY or SESSION_KEY_FILE is set) and training runs.
ENV ADDR=:8080 \
	DATA_DIR=/data
VOLUME /data
EXPOSE 8080
USER prefer
ENTRYPOINT ["prefer"]
CMD ["serve"]
