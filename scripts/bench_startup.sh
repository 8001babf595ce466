#!/usr/bin/env bash
# make bench-startup: time from process start to /ready 200, and memory, of
# the real server binary on 200k and 1M x 384 stores, native and LangChain,
# next to Python's own read of the same LangChain folder, and the S3 sync
# throughput of each store from a local versitygw next to `aws s3 sync`.
#
# Builds bin/api and bin/vectorstore, then runs `vectorstore bench-startup`
# (package internal/startbench), which generates the stores into
# $BENCH_STARTUP_DIR (kept: the 1M stores take minutes to write) and prints
# the table docs/BENCHMARKS.md shows, with the machine and load average.
# With root it also measures a cold start (page cache dropped).
#
# Needs Go, Debian's python3-faiss and python3-numpy (/usr/bin/python3), and
# about 10 GB of disk for both sizes.
# Knobs (environment): BENCH_STARTUP_DIR SIZES RUNS; extra arguments go to
# vectorstore bench-startup (e.g. --json).
set -euo pipefail
cd "$(dirname "$0")/.."

DIR=${BENCH_STARTUP_DIR:-/tmp/vendor0919-bench-startup}
SIZES=${SIZES:-200000,1000000}
RUNS=${RUNS:-3}
PY=/usr/bin/python3

if ! "$PY" -c 'import faiss, numpy' 2>/dev/null; then
	echo "bench-startup: $PY cannot import faiss and numpy: apt-get install python3-faiss python3-numpy" >&2
	exit 1
fi
make build >/dev/null
cold=()
if [ "$(id -u)" = 0 ] && [ -w /proc/sys/vm/drop_caches ]; then
	cold=(--cold)
fi
mkdir -p "$DIR"

# The sync columns: a local versitygw holds the stores, and s3sync and the
# AWS CLI mirror them back (skipped, with a note, when either is missing).
s3=()
if command -v aws >/dev/null && gw=$(sh scripts/versitygw.sh 2>/dev/null); then
	export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench-secret-key AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
	root=$(mktemp -d "$DIR/.s3-XXXXXX")
	port=$((20000 + RANDOM % 20000))
	ROOT_ACCESS_KEY=$AWS_ACCESS_KEY_ID ROOT_SECRET_KEY=$AWS_SECRET_ACCESS_KEY "$gw" --port "127.0.0.1:$port" --quiet posix "$root" &
	gwpid=$!
	trap 'kill "$gwpid" 2>/dev/null; rm -rf "$root"' EXIT
	endpoint=http://127.0.0.1:$port
	for _ in $(seq 50); do
		aws --endpoint-url "$endpoint" s3 mb s3://bench >/dev/null 2>&1 && break
		sleep 0.2
	done
	s3=(--s3-endpoint "$endpoint" --s3-bucket bench)
else
	echo "bench-startup: no aws CLI or versitygw (eval \"\$(bash scripts/install-tools.sh)\"): sync columns skipped" >&2
fi
nice bin/vectorstore bench-startup --work "$DIR" --sizes "$SIZES" --runs "$RUNS" \
	--binary bin/api --python "$PY" "${cold[@]}" "${s3[@]}" "$@"
