# Build: the SQLite driver is cgo, so the builder has gcc and the binary links glibc.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=1 go build -trimpath -ldflags="-s -w" -o /out/coalition ./cmd/coalition

# Run: a slim Debian of the same release as the builder, as an unprivileged user,
# with the database on a volume.
FROM debian:bookworm-slim
RUN apt-get update \
	&& apt-get install -y --no-install-recommends ca-certificates \
	&& rm -rf /var/lib/apt/lists/* \
	&& useradd --system --uid 10001 --home-dir /data --create-home coalition
COPY --from=build /out/coalition /usr/local/bin/coalition
USER coalition
WORKDIR /data
VOLUME ["/data"]
ENV COALITION_ADDR=:8080 \
	COALITION_DB=/data/coalition.db
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/coalition"]
CMD ["serve"]
