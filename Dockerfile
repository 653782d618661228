# syntax=docker/dockerfile:1
#
# mentorbot: a small static image that runs as a non-root user and keeps its BoltDB
# file on the /data volume.
#
#   docker build --build-arg VERSION=$(git describe --tags --always) -t mentorbot .
#   docker run -d --name mentorbot --env-file deploy/mentorbot.env \
#     -v mentorbot-data:/data -p 127.0.0.1:8080:8080 mentorbot
#
# Run exactly one container per database: the bot holds a lock on the file, and a
# second one exits with status 1.

# The build runs on the builder's own platform and cross-compiles (the binary is pure
# Go), so multi-platform builds need no emulation.
FROM --platform=$BUILDPLATFORM golang:1.26-bookworm AS build
WORKDIR /src

# Dependencies first, so that a change to the code does not download them again.
COPY go.mod go.sum ./
RUN go mod download

COPY . .
ARG VERSION=dev
ARG TARGETOS
ARG TARGETARCH
# The time zone database is compiled into the binary (time/tzdata), so the runtime
# image needs no /usr/share/zoneinfo.
RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH \
    go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" \
      -o /out/mentorbot ./cmd/mentorbot

# The mount point of the volume, owned by the runtime user: a new named volume copies
# this directory's owner, so the bot can create its database there.
RUN mkdir -p /out/data && chown 65532:65532 /out/data && chmod 0700 /out/data

# distroless static: CA certificates (Slack is HTTPS/WSS), /etc/passwd with the
# nonroot user (65532), no shell, no package manager.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/mentorbot /mentorbot
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532

# The bot's own default HTTP address is 127.0.0.1:8080, unreachable from outside a
# container; listen on every interface so probes and the port mapping reach /healthz,
# /readyz and /metrics.
ENV MENTORBOT_DB_PATH=/data/mentorbot.db \
    MENTORBOT_HTTP_ADDR=:8080
VOLUME ["/data"]
EXPOSE 8080

# No shell or curl in the image: the binary checks /healthz itself (it dials
# 127.0.0.1 when MENTORBOT_HTTP_ADDR has no host or 0.0.0.0).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["/mentorbot", "healthcheck"]

# SIGTERM (docker stop) shuts the bot down cleanly within 10 seconds; allow a little
# more than that with `docker stop -t 15` / stop_grace_period: 15s.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/mentorbot"]
