#!/usr/bin/env bash
# scaling.sh measures what docs/SCALING.md quotes: the server's memory
# per chunk with the embedded index, and /search latency and QPS over the
# embedded index and over Weaviate, for one synthetic store.
#
#   STORE      the store folder (write it with internal/weaviatestore's
#              TestScaling_WriteStore: VENDOR0919_SCALING_DIR, _N)
#   BASELINE   a 1000-chunk store of the same kind, for the fixed RSS
#   REQUESTS   requests per run (default 2000), CONCURRENCY (default 8)
#   WEAVIATE_SERVER_BIN  weaviate-server (scripts/install-tools.sh)
# Loopback only; every process it starts is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
store=${STORE:?STORE=folder}
baseline=${BASELINE:?BASELINE=folder}
n=${REQUESTS:-2000}
c=${CONCURRENCY:-8}
bin=${XDG_CACHE_HOME:-$HOME/.cache}/vendor0919/bin
wv=${WEAVIATE_SERVER_BIN:-$bin/weaviate-server}
[ -x "$bin/hey" ] || GOBIN=$bin go install github.com/rakyll/hey@v0.1.4
tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
go build -o "$tmp/api" ./cmd/api
go build -o "$tmp/vectorstore" ./cmd/vectorstore
freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
rss() { awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$1/status"; }
waitready() { # url
	for _ in $(seq 1200); do curl -fsS "$1" >/dev/null 2>&1 && return 0; sleep 0.25; done
	echo "not ready: $1" >&2
	return 1
}
api() { # log name, then env assignments; prints pid and base URL
	local name=$1 port
	shift
	port=$(freeport)
	env HOST=127.0.0.1 PORT="$port" EMBEDDER=hash EMBEDDING_DIMS=384 LOG_LEVEL=warn "$@" "$tmp/api" >"$tmp/$name.log" 2>&1 &
	pids+=($!)
	echo "$! http://127.0.0.1:$port"
}
# Query words of Zipf ranks 1, 50 and 400 in the store's vocabulary.
q='w68717 w5f2ff w1d12f'
bodies=("{\"query\":\"$q\",\"top_k\":10,\"mode\":\"vector\"}" "{\"query\":\"$q\",\"top_k\":10,\"mode\":\"keyword\"}"
	"{\"query\":\"$q\",\"top_k\":10,\"mode\":\"hybrid\"}" "{\"query\":\"$q\",\"top_k\":10,\"mode\":\"vector\",\"filter\":{\"lang\":\"ja\"}}")
load() { # label, base, bodies...
	local label=$1 base=$2
	shift 2
	echo "== $label: $n requests, $c concurrent, load $(cut -d' ' -f1-3 /proc/loadavg)"
	for body in "$@"; do
		echo "-- $body"
		"$bin/hey" -n "$n" -c "$c" -m POST -T application/json -d "$body" "$base/search" | grep -E 'Requests/sec|Average|50% in|99% in|^ +\[[0-9]{3}\]'
	done
}
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"

read -r bpid bbase < <(api base VECTORSTORE_DIR="$baseline")
waitready "$bbase/ready"
read -r mpid mbase < <(api mem VECTORSTORE_DIR="$store")
start=$(date +%s)
waitready "$mbase/ready"
count=$(curl -fsS "$mbase/vectorstore" | python3 -c 'import json,sys; print(json.load(sys.stdin)["count"])')
echo "embedded: $count chunks ready in $(($(date +%s) - start)) s; RSS $(rss "$mpid") MiB (1000-chunk baseline $(rss "$bpid") MiB)"
echo "embedded: $(( ($(rss "$mpid") - $(rss "$bpid")) * 1048576 / (count - 1000) )) bytes per chunk above the baseline"
kill "$bpid"
load "embedded" "$mbase" "${bodies[@]}"
echo "embedded RSS after load: $(rss "$mpid") MiB"
kill "$mpid"

wdir=$tmp/weaviate
mkdir -p "$wdir"
wport=$(freeport) gport=$(freeport) gossip=$(freeport) raft=$(freeport)
PERSISTENCE_DATA_PATH=$wdir AUTHENTICATION_ANONYMOUS_ACCESS_ENABLED=true DEFAULT_VECTORIZER_MODULE=none \
	CLUSTER_HOSTNAME=node1 CLUSTER_ADVERTISE_ADDR=127.0.0.1 CLUSTER_BIND_ADDR=127.0.0.1 RAFT_BOOTSTRAP_EXPECT=1 \
	DISABLE_TELEMETRY=true USE_INVERTED_SEARCHABLE=false GRPC_PORT=$gport CLUSTER_GOSSIP_BIND_PORT=$gossip \
	CLUSTER_DATA_BIND_PORT=$((gossip + 1)) RAFT_PORT=$raft RAFT_INTERNAL_RPC_PORT=$((raft + 1)) \
	"$wv" --host 127.0.0.1 --port "$wport" --scheme http >"$tmp/weaviate.log" 2>&1 &
wpid=$!
pids+=("$wpid")
waitready "http://127.0.0.1:$wport/v1/.well-known/ready"
echo "weaviate: idle RSS $(rss "$wpid") MiB"
start=$(date +%s)
WEAVIATE_GRPC_ADDR=127.0.0.1:$gport "$tmp/vectorstore" push --dir "$store" --to "weaviate://127.0.0.1:$wport/Scaling" --batch 1000 2>"$tmp/push.err"
echo "weaviate: pushed in $(($(date +%s) - start)) s; RSS $(rss "$wpid") MiB; data $(du -sm "$wdir" | cut -f1) MB on disk"
read -r apid abase < <(api wv VECTOR_BACKEND=weaviate WEAVIATE_URL="http://127.0.0.1:$wport" WEAVIATE_GRPC_ADDR="127.0.0.1:$gport" WEAVIATE_COLLECTION=Scaling)
waitready "$abase/ready"
echo "api over weaviate: RSS $(rss "$apid") MiB"
load "weaviate, service fusion" "$abase" "${bodies[@]}"
read -r fpid fbase < <(api wvf VECTOR_BACKEND=weaviate WEAVIATE_URL="http://127.0.0.1:$wport" WEAVIATE_GRPC_ADDR="127.0.0.1:$gport" WEAVIATE_COLLECTION=Scaling WEAVIATE_FUSION=weaviate)
waitready "$fbase/ready"
kill "$apid"
load "weaviate, weaviate fusion" "$fbase" "${bodies[2]}"
echo "weaviate RSS after load: $(rss "$wpid") MiB; api $(rss "$fpid") MiB; load $(cut -d' ' -f1-3 /proc/loadavg)"
