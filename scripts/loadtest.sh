#!/usr/bin/env bash
# loadtest.sh measures the HTTP service end to end on this machine: it
# builds cmd/api, starts it on a free 127.0.0.1 port with the bundled demo
# store (minilm embedder, extractive answers), and drives it with hey
# (github.com/rakyll/hey, pinned, cached) for a bounded number of requests
# per route. Loopback only; every run stops by itself.
#
#   REQUESTS     requests per route (default 2000)
#   CONCURRENCY  concurrent clients (default 8)
#   STORE        vector store folder (default internal/demo/store)
# Prints hey's summary per route, the server's RSS, and the load average.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${REQUESTS:-2000}
c=${CONCURRENCY:-8}
store=${STORE:-internal/demo/store}
bin=${XDG_CACHE_HOME:-$HOME/.cache}/vendor0919/bin
if [ ! -x "$bin/hey" ]; then
	GOBIN=$bin go install github.com/rakyll/hey@v0.1.4
fi
tmp=$(mktemp -d)
go build -o "$tmp/api" ./cmd/api
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# One client measuring capacity: the per-client rate limits are off (the
# in-flight bounds stay at their defaults).
HOST=127.0.0.1 PORT=$port VECTORSTORE_DIR=$store LOG_LEVEL=warn RATE_LIMIT_SEARCH=0 RATE_LIMIT_GENERATION=0 MAX_INFLIGHT_PER_CLIENT=0 "$tmp/api" >"$tmp/log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
base=http://127.0.0.1:$port
for _ in $(seq 100); do
	curl -fsS "$base/ready" >/dev/null 2>&1 && break
	sleep 0.1
done
curl -fsS "$base/ready" >/dev/null
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "store: $store ($(curl -fsS "$base/vectorstore" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["count"], "chunks,", d["dims"], "dims,", d["embedding"]["provider"], d["index"])'))"
run() { # name, then hey args
	local name=$1
	shift
	echo "== $name: $n requests, $c concurrent"
	"$bin/hey" -n "$n" -c "$c" "$@" | grep -E 'Requests/sec|Average|Fastest|Slowest|99% in|50% in|^ +\[[0-9]{3}\]'
}
run "GET /health" "$base/health"
run "POST /search hybrid (embed + HNSW + BM25)" -m POST -T application/json -d '{"query":"How long is the warranty on the battery?","top_k":5}' "$base/search"
run "POST /search keyword" -m POST -T application/json -d '{"query":"warranty battery","top_k":5,"mode":"keyword"}' "$base/search"
run "POST /query extractive" -m POST -T application/json -d '{"question":"How do I book a repair?","top_k":5}' "$base/query"
echo "server RSS: $(awk '/VmRSS/ {print $2/1024 " MiB"}' "/proc/$pid/status"), peak $(awk '/VmHWM/ {print $2/1024 " MiB"}' "/proc/$pid/status")"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
