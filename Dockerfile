# vendor0919 API image: a static Go binary on scratch.
#
# Build (CodeBuild does this, see buildspec.yml):
#   docker build --build-arg VERSION=202509250200 --build-arg COMMIT=abc1234 -t vendor0919-api .
# Offline (scripts/container_test.sh): the Go modules come from a local module
# cache mounted read-only at /goproxy and passed as
#   --build-arg GOPROXY=file:///goproxy --build-arg GOSUMDB=off
# go.sum still pins every module, so the result is the same bytes either way.
#
# GO_IMAGE names the builder base. CodeBuild passes the ECR Public mirror of the
# same image (public.ecr.aws/docker/library/golang:1.26-bookworm) to avoid
# Docker Hub's anonymous pull limits.
ARG GO_IMAGE=golang:1.26-bookworm

FROM ${GO_IMAGE} AS build
# Empty GOPROXY/GOSUMDB mean the toolchain's own defaults (GOROOT/go.env).
ARG GOPROXY
ARG GOSUMDB
ENV CGO_ENABLED=0 \
    GOOS=linux \
    GOFLAGS=-mod=readonly \
    GOTOOLCHAIN=local \
    GOPROXY=${GOPROXY} \
    GOSUMDB=${GOSUMDB} \
    GOCACHE=/root/.cache/go-build
WORKDIR /src

# Modules first: this layer is reused until go.mod or go.sum change.
COPY go.mod go.sum ./
RUN go mod download && go mod verify

COPY . .
ARG VERSION=dev
ARG COMMIT=unknown
# -trimpath and -buildvcs=false keep host paths and VCS state out of the
# binary; the version and commit are stamped from the build args only.
# The Go build cache is a BuildKit/buildah cache mount: reused between builds
# on one host, never part of a layer.
RUN --mount=type=cache,target=/root/.cache/go-build,id=vendor0919-gobuild \
    set -eu; \
    ldflags="-s -w -X main.version=${VERSION} -X main.commit=${COMMIT}"; \
    go build -trimpath -buildvcs=false -ldflags "$ldflags" -o /out/api ./cmd/api; \
    mkdir -p /rootfs/etc/ssl/certs /rootfs/app /rootfs/tmp; \
    cp /etc/ssl/certs/ca-certificates.crt /rootfs/etc/ssl/certs/; \
    printf 'root:x:0:0:root:/root:/sbin/nologin\napp:x:10001:10001:vendor0919 api:/app:/sbin/nologin\n' >/rootfs/etc/passwd; \
    printf 'root:x:0:\napp:x:10001:\n' >/rootfs/etc/group; \
    chmod 1777 /rootfs/tmp /rootfs/app; \
    chmod 0555 /out/api

# The final image holds the server binary, CA certificates and a passwd entry
# for uid 10001. No demo data and no /app/vectorstore: the S3 sync
# (VECTORSTORE_S3_URI) creates and fills it at start-up. The operator tool
# (cmd/vectorstore) is not shipped: it embeds the same models as the server
# (minilm 45 MB, use-lite 28 MB, GloVe 16.8 MB) and runs on an operator's
# machine against S3.
# The sync replaces /app/vectorstore through a sibling folder and a rename, so
# /app is writable like /tmp (mode 1777: uid 10001 may add and rename its own
# entries, but not remove or replace the root-owned, read-only /app/api). The
# image must not hold /app/vectorstore itself: overlayfs, the storage of
# Docker and containerd, keeps an image's folders in a lower layer where no
# rename can move them (EXDEV), so every sync would fail its swap.
# Modes survive COPY in every builder; ownership is set with --chown only.
FROM scratch
COPY --from=build --chown=0:0 /rootfs/ /
COPY --from=build --chown=0:0 /out/api /app/api
ENV PORT=8080 \
    VECTORSTORE_DIR=/app/vectorstore \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
WORKDIR /app
EXPOSE 8080
USER 10001:10001
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
    CMD ["/app/api", "healthcheck"]
ENTRYPOINT ["/app/api"]
