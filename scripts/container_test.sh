#!/usr/bin/env bash
# container_test.sh builds the real Dockerfile, unchanged, with podman/buildah
# and no registry, then runs the image and checks it:
#   - image config: USER 10001, EXPOSE 8080, ENTRYPOINT /app/api, HEALTHCHECK,
#     VECTORSTORE_DIR=/app/vectorstore; the version/commit build args stamped
#   - file system: no /app/vectorstore (the sync creates it: one in the image
#     could not be renamed on overlayfs), /app writable, /app/api root-owned
#     and read-only, CA certificates and a passwd entry for 10001
#   - running (runc, host network, a free port): /health 200, /ready answers
#     (200 once a store is loaded when DEMO_STORE is set), the process runs as
#     uid 10001, `podman healthcheck run` and `api healthcheck` pass (and fail
#     against a closed port), SIGTERM stops it with exit status 0
#   - reports image size, start-up time and the server's RSS.
# It exits non-zero on any failure and removes the container and the image it
# made (KEEP_IMAGE=1 keeps the image). The builder base image
# (golang:1.26-bookworm, made by scripts/make_builder_image.sh from a
# debootstrap rootfs and the Go that `go env GOROOT` names here: go.mod's
# toolchain under make) and its rootfs tarball are cached.
#
# Environment:
#   CONTEXT_FROM   worktree (default: the repo folder, filtered by .dockerignore)
#                  or head (a `git archive HEAD` export: ignores uncommitted files)
#   DEMO_STORE     a vector store folder to mount read-only at /app/vectorstore;
#                  "auto" (default) uses the bundled internal/demo/store, or
#                  builds one from docs/*.md with the host's cmd/vectorstore
#                  (the default minilm embedder); "none" runs without a store
#   DEMO_ENV       extra container environment, space separated NAME=VALUE
#   PODMAN_OPTS    global podman options (--storage-driver vfs)
#   REPO_ROOT      the repository (default: the folder above this script)
#   IMAGE          tag to build (localhost/vendor0919-api:container-test)
#   KEEP_IMAGE     1 keeps the built image
#   BUILD_TIMEOUT  seconds before the image build is killed (2400)
#   S3_SYNC_TEST   1 (default) also runs the image against a local versitygw
#                  S3 holding the demo store (VECTORSTORE_S3_URI start-up sync);
#                  0 skips it
# Needs (apt): podman buildah runc debootstrap jq curl; Go at /usr/local/go.
set -euo pipefail

ROOT="${REPO_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
IMAGE="${IMAGE:-localhost/vendor0919-api:container-test}"
CONTEXT_FROM="${CONTEXT_FROM:-worktree}"
DEMO_STORE="${DEMO_STORE:-auto}"
read -r -a PODMAN <<<"podman ${PODMAN_OPTS:---storage-driver vfs}"
CTR="vendor0919-ct-$$"
T0=$SECONDS
tmp="$(mktemp -d)"
failures=0

log() { printf 'container_test: %s\n' "$*" >&2; }
fail() {
	log "FAIL: $*"
	failures=$((failures + 1))
}
ok() { log "ok: $*"; }

vgw_pid=""
cleanup() {
	local rc=$? c
	for c in "$CTR" "$CTR-s3"; do
		if "${PODMAN[@]}" container exists "$c" 2>/dev/null; then
			if ((rc != 0 || failures != 0)); then
				log "container $c logs (last 40 lines):"
				"${PODMAN[@]}" logs "$c" 2>&1 | tail -40 >&2 || true
			fi
			"${PODMAN[@]}" rm -f -t 0 "$c" >/dev/null 2>&1 || true
		fi
	done
	if [[ -n "$vgw_pid" ]]; then
		kill "$vgw_pid" 2>/dev/null || true
		wait "$vgw_pid" 2>/dev/null || true
	fi
	if [[ "${KEEP_IMAGE:-0}" != 1 ]]; then
		"${PODMAN[@]}" rmi -f "$IMAGE" >/dev/null 2>&1 || true
	fi
	rm -rf "$tmp"
	exit "$rc"
}
trap cleanup EXIT

for tool in podman buildah runc jq curl python3; do
	command -v "$tool" >/dev/null || {
		log "$tool not found (apt-get install -y podman buildah runc debootstrap jq curl)"
		exit 1
	}
done
GO="${GO:-$(command -v go || echo /usr/local/go/bin/go)}"

# 1. Base image under the name the Dockerfile uses, made locally.
go_image="$(sed -n 's/^ARG GO_IMAGE=//p' "$ROOT/Dockerfile" | head -1)"
[[ -n "$go_image" ]] || {
	log "Dockerfile has no ARG GO_IMAGE default"
	exit 1
}
[[ "$go_image" == */* ]] || go_image="docker.io/library/$go_image"
t=$SECONDS
GO_IMAGE="$go_image" PODMAN_OPTS="${PODMAN[*]:1}" GOROOT_SRC="$(cd "$ROOT" && "$GO" env GOROOT)" \
	bash "$ROOT/scripts/make_builder_image.sh"
log "builder image $go_image ready in $((SECONDS - t))s"

# 2. Build context and the Go modules, offered to the build as a file:// proxy.
case "$CONTEXT_FROM" in
worktree) context="$ROOT" ;;
head)
	context="$tmp/context"
	mkdir -p "$context"
	git -C "$ROOT" archive HEAD | tar -x -C "$context"
	;;
*)
	log "CONTEXT_FROM must be worktree or head"
	exit 2
	;;
esac
modcache="$(cd "$context" && "$GO" env GOMODCACHE)"
(cd "$context" && "$GO" mod download) || {
	log "go mod download failed (the module proxy must be reachable once to fill $modcache)"
	exit 1
}
commit="$(git -C "$ROOT" rev-parse --short=7 HEAD 2>/dev/null || echo unknown)"
version="ct$(date -u +%Y%m%d%H%M)"

# 3. Build, exactly the Dockerfile in the repo. --layers=false: with vfs
# storage every cached step is a full copy of the rootfs (gigabytes, minutes);
# one working container per stage is much faster, and the Go build cache
# mount (id vendor0919-gobuild, under /var/tmp/buildah-cache) keeps warm
# builds fast anyway.
t=$SECONDS
# timeout: a wedged build must not hold CI for its whole budget.
timeout -k 30 "${BUILD_TIMEOUT:-2400}" "${PODMAN[@]}" build --isolation chroot --format docker --pull=never --layers=false --force-rm \
	--volume "$modcache/cache/download:/goproxy:ro" \
	--build-arg GOPROXY=file:///goproxy --build-arg GOSUMDB=off \
	--build-arg VERSION="$version" --build-arg COMMIT="$commit" \
	--file "$ROOT/Dockerfile" --tag "$IMAGE" "$context" >"$tmp/build.log" 2>&1 || {
	tail -40 "$tmp/build.log" >&2
	log "FAIL: podman build (log above)"
	exit 1
}
build_s=$((SECONDS - t))
"${PODMAN[@]}" image exists "$IMAGE" || {
	tail -40 "$tmp/build.log" >&2
	log "FAIL: podman build exited 0 but $IMAGE does not exist"
	exit 1
}
ok "built $IMAGE in ${build_s}s"

# 4. Image configuration.
cfg="$("${PODMAN[@]}" image inspect "$IMAGE" | jq '.[0]')"
check_cfg() { # check_cfg DESCRIPTION JQ-EXPRESSION
	if jq -e "$2" >/dev/null <<<"$cfg"; then ok "$1"; else fail "$1: $(jq -c "$2" <<<"$cfg")"; fi
}
check_cfg "USER 10001" '.Config.User | test("^10001(:10001)?$")'
check_cfg "EXPOSE 8080/tcp" '.Config.ExposedPorts | has("8080/tcp")'
check_cfg "ENTRYPOINT [/app/api]" '.Config.Entrypoint == ["/app/api"]'
check_cfg "HEALTHCHECK /app/api healthcheck" '(.Healthcheck // .Config.Healthcheck).Test == ["CMD", "/app/api", "healthcheck"]'
check_cfg "VECTORSTORE_DIR=/app/vectorstore" '.Config.Env | index("VECTORSTORE_DIR=/app/vectorstore") != null'
size_bytes="$(jq -r '.Size' <<<"$cfg")"
layers="$(jq -r '.RootFS.Layers | length' <<<"$cfg")"

got_version="$("${PODMAN[@]}" run --rm --no-healthcheck --runtime runc --cgroup-manager cgroupfs --network host \
	--ulimit nofile=1024:1024 --ulimit nproc=1024:1024 "$IMAGE" version 2>"$tmp/version.err")" || cat "$tmp/version.err" >&2
if [[ "$got_version" == *"$version"*"$commit"* ]]; then ok "version stamped: $got_version"; else fail "version: got '$got_version', want $version ($commit)"; fi

# 5. File system of the final image.
"${PODMAN[@]}" create --name "$CTR" "$IMAGE" >/dev/null
"${PODMAN[@]}" export "$CTR" | tar --numeric-owner -tvf - >"$tmp/files.txt"
"${PODMAN[@]}" export "$CTR" | tar -xOf - etc/passwd >"$tmp/passwd"
"${PODMAN[@]}" rm -f "$CTR" >/dev/null
entry() { awk -v p="$1" '{n=$6; sub(/^\.\//, "", n); sub(/\/$/, "", n)} n == p {print $1, $2; exit}' "$tmp/files.txt"; }
expect_entry() { # expect_entry PATH REGEX(mode owner)
	local e
	e="$(entry "$1")"
	if [[ "$e" =~ $2 ]]; then ok "$1: $e"; else fail "$1: got '${e:-missing}', want $2"; fi
}
expect_entry app '^drwxrwxrwt 0/0$'
expect_entry app/api '^-r-xr-xr-x 0/0$'
expect_entry etc/ssl/certs/ca-certificates.crt '^-.* 0/0$'
expect_entry tmp '^drwxrwxrwt 0/0$'
if grep -q '^app:x:10001:10001:' "$tmp/passwd"; then ok "passwd has uid 10001"; else fail "passwd has no uid 10001 entry"; fi
n_store="$(awk '{print $6}' "$tmp/files.txt" | grep -c '^\(\./\)\{0,1\}app/vectorstore' || true)"
if [[ "$n_store" == 0 ]]; then ok "no /app/vectorstore in the image"; else fail "the image holds /app/vectorstore ($n_store entries): on overlayfs the sync could not rename it"; fi
if grep -qE ' (\./)?(bin|usr/bin)/(sh|bash|curl)$' "$tmp/files.txt"; then fail "image has a shell or curl"; else ok "no shell or curl in the image"; fi

# 6. A demo store (the server loads it as it would the S3 copy), then run it.
if [[ "$DEMO_STORE" == none ]]; then
	DEMO_STORE=""
elif [[ "$DEMO_STORE" == auto && -f "$context/internal/demo/store/manifest.json" ]]; then
	DEMO_STORE="$context/internal/demo/store"
	ok "demo store: the bundled internal/demo/store"
elif [[ "$DEMO_STORE" == auto ]]; then
	t=$SECONDS
	if ! { (cd "$context" && "$GO" build -trimpath -o "$tmp/vectorstore" ./cmd/vectorstore) &&
		"$tmp/vectorstore" build -in "$context/docs" -out "$tmp/demo-store" -quiet; } >"$tmp/demo.log" 2>&1; then
		cat "$tmp/demo.log" >&2
		log "FAIL: building the demo store from docs/"
		exit 1
	fi
	chmod -R a+rX "$tmp"
	DEMO_STORE="$tmp/demo-store"
	ok "demo store built from docs/ in $((SECONDS - t))s: $(du -sh "$DEMO_STORE" | cut -f1)"
fi
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
run_args=(--name "$CTR" --runtime runc --cgroup-manager cgroupfs --network host
	--ulimit nofile=1024:1024 --ulimit nproc=1024:1024 -e PORT="$port" -e LOG_LEVEL=debug)
if [[ -n "$DEMO_STORE" ]]; then
	run_args+=(--volume "$(readlink -f "$DEMO_STORE"):/app/vectorstore:ro")
fi
read -r -a demo_env <<<"${DEMO_ENV:-}"
for kv in "${demo_env[@]}"; do run_args+=(-e "$kv"); done
t_start=$SECONDS
"${PODMAN[@]}" run -d "${run_args[@]}" "$IMAGE" >/dev/null
base="http://127.0.0.1:$port"

wait_status() { # wait_status PATH WANT SECONDS -> 0 when PATH answers WANT
	local deadline=$((SECONDS + $3)) code
	while ((SECONDS < deadline)); do
		code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$base$1" || true)"
		[[ "$code" == "$2" ]] && return 0
		"${PODMAN[@]}" container inspect --format '{{.State.Running}}' "$CTR" 2>/dev/null | grep -q true || return 1
		sleep 0.5
	done
	return 1
}

if wait_status /health 200 60; then
	ok "GET /health 200 after $((SECONDS - t_start))s: $(curl -s --max-time 2 "$base/health")"
else
	fail "GET /health did not answer 200 within 60s"
fi
if [[ -n "$DEMO_STORE" ]]; then
	if wait_status /ready 200 120; then
		ok "GET /ready 200 after $((SECONDS - t_start))s: $(curl -s --max-time 2 "$base/ready" | head -c 300)"
	else
		fail "GET /ready did not answer 200 within 120s (DEMO_STORE=$DEMO_STORE)"
	fi
else
	code="$(curl -s -o "$tmp/ready" -w '%{http_code}' --max-time 2 "$base/ready" || true)"
	if [[ "$code" == 200 || "$code" == 503 ]]; then ok "GET /ready answers $code (no store mounted): $(head -c 200 "$tmp/ready")"; else fail "GET /ready answered '$code'"; fi
fi
for p in /docs /openapi.json; do
	log "info: GET $p -> $(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$base$p" || true)"
done

pid="$("${PODMAN[@]}" container inspect --format '{{.State.Pid}}' "$CTR")"
uids="$(awk '/^Uid:/ {print $2, $3, $4, $5}' "/proc/$pid/status" 2>/dev/null || true)"
if [[ "$uids" == "10001 10001 10001 10001" ]]; then ok "process runs as uid 10001"; else fail "process uids: '$uids', want 10001"; fi
rss_kb="$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)"

if "${PODMAN[@]}" healthcheck run "$CTR" >/dev/null 2>&1; then ok "podman healthcheck run: healthy"; else fail "podman healthcheck run failed"; fi
if "${PODMAN[@]}" exec "$CTR" /app/api healthcheck; then ok "api healthcheck exits 0"; else fail "api healthcheck failed"; fi
if "${PODMAN[@]}" exec "$CTR" /app/api healthcheck -url http://127.0.0.1:1/health 2>/dev/null; then
	fail "api healthcheck passed against a closed port"
else
	ok "api healthcheck fails against a closed port"
fi

# A little traffic, then the peak RSS.
for _ in $(seq 1 20); do
	curl -s -o /dev/null --max-time 5 -H 'Content-Type: application/json' \
		-d '{"query":"vector store","top_k":5}' "$base/search" || true
done
hwm_kb="$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)"

# 7. SIGTERM: a clean exit well before the stop timeout.
t=$SECONDS
"${PODMAN[@]}" stop -t 30 "$CTR" >/dev/null
stop_s=$((SECONDS - t))
exit_code="$("${PODMAN[@]}" container inspect --format '{{.State.ExitCode}}' "$CTR")"
if [[ "$exit_code" == 0 ]]; then ok "SIGTERM: exit 0 after ${stop_s}s"; else fail "SIGTERM: exit status $exit_code after ${stop_s}s"; fi

# 8. The production path: start-up sync from S3 into /app/vectorstore inside
# the image, as uid 10001 (checks that /app is writable the way the sync
# needs: it creates /app/vectorstore). S3 is a local versitygw (scripts/versitygw.sh, also
# used by the Go tests) holding the demo store pushed with cmd/vectorstore.
if [[ "${S3_SYNC_TEST:-1}" == 1 && -n "$DEMO_STORE" ]]; then
	t=$SECONDS
	vgw="$(bash "$ROOT/scripts/versitygw.sh")"
	s3port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
	s3="http://127.0.0.1:$s3port"
	mkdir -p "$tmp/s3"
	ak="ct$(date +%s)" sk="ctsecret$$"
	ROOT_ACCESS_KEY="$ak" ROOT_SECRET_KEY="$sk" "$vgw" --region ap-northeast-1 --port "127.0.0.1:$s3port" --quiet posix "$tmp/s3" >"$tmp/vgw.log" 2>&1 &
	vgw_pid=$!
	for _ in $(seq 1 60); do curl -s -o /dev/null --max-time 1 "$s3/" && break; sleep 0.5; done
	# CreateBucket, signed by curl (SigV4; S3 wants the empty body's sha256).
	curl -fsS -X PUT --aws-sigv4 "aws:amz:ap-northeast-1:s3" --user "$ak:$sk" \
		-H "x-amz-content-sha256: $(printf '' | sha256sum | cut -d' ' -f1)" "$s3/vendor-rag-0919" >/dev/null || {
		cat "$tmp/vgw.log" >&2
		log "FAIL: create bucket on versitygw"
		exit 1
	}
	[[ -x "$tmp/vectorstore" ]] || (cd "$context" && "$GO" build -trimpath -o "$tmp/vectorstore" ./cmd/vectorstore)
	AWS_ACCESS_KEY_ID="$ak" AWS_SECRET_ACCESS_KEY="$sk" "$tmp/vectorstore" push --dir "$DEMO_STORE" \
		--to s3://vendor-rag-0919/vectorstore/prod --endpoint "$s3" --path-style --region ap-northeast-1 >"$tmp/push.log" 2>&1 || {
		cat "$tmp/push.log" >&2
		log "FAIL: vectorstore push to versitygw"
		exit 1
	}
	"${PODMAN[@]}" run -d --name "$CTR-s3" --runtime runc --cgroup-manager cgroupfs --network host \
		--ulimit nofile=1024:1024 --ulimit nproc=1024:1024 -e PORT="$port" \
		-e VECTORSTORE_S3_URI=s3://vendor-rag-0919/vectorstore/prod -e S3_ENDPOINT="$s3" -e AWS_REGION=ap-northeast-1 \
		-e AWS_ACCESS_KEY_ID="$ak" -e AWS_SECRET_ACCESS_KEY="$sk" -e SYNC_TIMEOUT=60s "${demo_env[@]/#/--env=}" "$IMAGE" >/dev/null
	CTR_SAVED="$CTR" CTR="$CTR-s3"
	if wait_status /ready 200 90; then
		body="$(curl -s --max-time 2 "$base/ready")"
		if [[ "$body" == *s3://vendor-rag-0919/vectorstore/prod* ]]; then
			ok "S3 start-up sync into /app/vectorstore as uid 10001: /ready 200 after $((SECONDS - t))s"
		else
			fail "S3 sync: /ready does not name the S3 source: ${body:0:300}"
		fi
	else
		fail "S3 sync: /ready did not answer 200 within 90s"
	fi
	"${PODMAN[@]}" stop -t 30 "$CTR" >/dev/null
	CTR="$CTR_SAVED"
	kill "$vgw_pid" 2>/dev/null || true
	wait "$vgw_pid" 2>/dev/null || true
	vgw_pid=""
fi

log "image $IMAGE: $((size_bytes / 1024 / 1024)) MiB ($size_bytes bytes, $layers layers)"
log "memory: RSS $((rss_kb / 1024)) MiB after start, peak $((hwm_kb / 1024)) MiB after 20 /search requests (store: ${DEMO_STORE:-none})"
log "timings: build ${build_s}s, total $((SECONDS - T0))s"
if ((failures)); then
	log "$failures check(s) FAILED"
	exit 1
fi
log "PASS"
