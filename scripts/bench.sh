#!/usr/bin/env bash
# make bench: the HNSW index against hnswlib, side by side in one run.
#
# Generates a clustered, normalised data set with `vectorstore gen` (cached
# in $BENCH_DIR), then runs `vectorstore bench` and scripts/bench_hnswlib.py
# on the same files with the same k, M, ef_construction and ef list: first
# both with one build thread, then both with $THREADS build threads. It
# prints each peer's rows and a comparison with ratios, and writes it all
# to $BENCH_DIR/report.md. The machine may be shared: the load average is
# recorded before and after, and the ratios come from this one run.
#
# Needs Go and Debian's python3-hnswlib and python3-numpy (/usr/bin/python3).
# Knobs (environment): BENCH_DIR N DIM QUERIES CLUSTERS K M EFC EF THREADS REPEAT
set -euo pipefail
cd "$(dirname "$0")/.."

BENCH_DIR=${BENCH_DIR:-/tmp/vectorstore-bench}
N=${N:-100000}
DIM=${DIM:-384}
QUERIES=${QUERIES:-1000}
CLUSTERS=${CLUSTERS:-100}
K=${K:-10}
M=${M:-16}
EFC=${EFC:-200}
EF=${EF:-10,20,50,100,200}
THREADS=${THREADS:-$(nproc)}
REPEAT=${REPEAT:-3}
PY=/usr/bin/python3

if ! "$PY" -c 'import hnswlib, numpy' 2>/dev/null; then
	echo "bench: $PY cannot import hnswlib and numpy: apt-get install python3-hnswlib python3-numpy" >&2
	exit 1
fi
mkdir -p "$BENCH_DIR"
go build -o "$BENCH_DIR/vectorstore" ./cmd/vectorstore
VS="$BENCH_DIR/vectorstore"
DATA="$BENCH_DIR/data-n$N-d$DIM-q$QUERIES-c$CLUSTERS"
if [ ! -f "$DATA/truth.ivecs" ]; then
	"$VS" gen --n "$N" --dim "$DIM" --queries "$QUERIES" --clusters "$CLUSTERS" --seed 1 --truth --truth-k 100 --out "$DATA"
fi

common=(--base "$DATA/base.fvecs" --queries "$DATA/queries.fvecs" --truth "$DATA/truth.ivecs"
	--k "$K" --metric cosine --m "$M" --ef-construction "$EFC" --ef "$EF" --repeat "$REPEAT" --json)
load() { cut -d' ' -f1-3 /proc/loadavg; }

LOAD_BEFORE=$(load)
echo "load average before: $LOAD_BEFORE" >&2
echo "== hnswlib, 1 build thread" >&2
"$PY" scripts/bench_hnswlib.py "${common[@]}" --threads "$THREADS" --build-threads 1 >"$BENCH_DIR/hnswlib-1.json"
echo "== vectorstore, 1 build thread" >&2
"$VS" bench "${common[@]}" --threads "$THREADS" --build-threads 1 >"$BENCH_DIR/vectorstore-1.json"
echo "== vectorstore, $THREADS build threads" >&2
"$VS" bench "${common[@]}" --threads "$THREADS" --build-threads "$THREADS" >"$BENCH_DIR/vectorstore-$THREADS.json"
echo "== hnswlib, $THREADS build threads" >&2
"$PY" scripts/bench_hnswlib.py "${common[@]}" --threads "$THREADS" --build-threads "$THREADS" >"$BENCH_DIR/hnswlib-$THREADS.json"
LOAD_AFTER=$(load)

"$PY" - "$BENCH_DIR" "$THREADS" "$LOAD_BEFORE" "$LOAD_AFTER" <<'PYEOF' | tee "$BENCH_DIR/report.md"
import json, os, platform, sys

d, threads, load_before, load_after = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
def rd(name):
    with open(os.path.join(d, name)) as f:
        return json.load(f)
vs1, hl1 = rd("vectorstore-1.json"), rd("hnswlib-1.json")
vsn, hln = rd(f"vectorstore-{threads}.json"), rd(f"hnswlib-{threads}.json")
cpu = "unknown"
with open("/proc/cpuinfo") as f:
    for line in f:
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
r = lambda a, b: a / b if b else float("nan")
print(f"machine: {os.cpu_count()} CPUs ({cpu}), {platform.system()} {platform.release()}")
print(f"load average (1/5/15 min): {load_before} before, {load_after} after")
print(f"data: {vs1['n']} x {vs1['dim']} normalised clustered vectors, {vs1['queries']} held-out queries, "
      f"k {vs1['k']}, metric {vs1['metric']}, M {vs1['m']}, ef_construction {vs1['ef_construction']}")
print(f"vectorstore SIMD kernels: {vs1.get('simd')}; {hl1['engine']}")
print()
print("| ef | recall vectorstore | recall hnswlib | QPS vectorstore | QPS hnswlib | QPS ratio | QPS/CPU-s vectorstore | QPS/CPU-s hnswlib | CPU ratio |")
print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for a, b in zip(vs1["rows"], hl1["rows"]):
    print(f"| {a['ef']} | {a['recall']:.4f} | {b['recall']:.4f} | {a['qps_1']:.0f} | {b['qps_1']:.0f} | "
          f"{r(a['qps_1'], b['qps_1']):.2f} | {a['qps_1_cpu']:.0f} | {b['qps_1_cpu']:.0f} | {r(a['qps_1_cpu'], b['qps_1_cpu']):.2f} |")
def first_at(rows, target):
    for row in rows:
        if row["recall"] >= target:
            return row
    return None
print()
print("| at recall@k >= | vectorstore: ef, recall, QPS/CPU-s, QPS | hnswlib: ef, recall, QPS/CPU-s, QPS | CPU ratio | wall ratio |")
print("|---:|---|---|---:|---:|")
for target in (0.9, 0.95, 0.99):
    a, b = first_at(vs1["rows"], target), first_at(hl1["rows"], target)
    if a is None or b is None:
        print(f"| {target} | {'not reached' if a is None else a['ef']} | {'not reached' if b is None else b['ef']} | | |")
        continue
    print(f"| {target} | ef {a['ef']}, {a['recall']:.4f}, {a['qps_1_cpu']:.0f}, {a['qps_1']:.0f} | "
          f"ef {b['ef']}, {b['recall']:.4f}, {b['qps_1_cpu']:.0f}, {b['qps_1']:.0f} | "
          f"{r(a['qps_1_cpu'], b['qps_1_cpu']):.2f} | {r(a['qps_1'], b['qps_1']):.2f} |")
if threads > 1:
    print()
    print(f"| ef | QPS {threads} threads vectorstore | QPS {threads} threads hnswlib | ratio |")
    print("|---:|---:|---:|---:|")
    for a, b in zip(vs1["rows"], hl1["rows"]):
        print(f"| {a['ef']} | {a.get('qps_n', 0):.0f} | {b.get('qps_n', 0):.0f} | {r(a.get('qps_n', 0), b.get('qps_n', 0)):.2f} |")
print()
print("| measure | vectorstore | hnswlib | ratio |")
print("|---|---:|---:|---:|")
rows = [
    ("build, 1 thread, CPU s", vs1["build_cpu_s"], hl1["build_cpu_s"]),
    ("build, 1 thread, wall s", vs1["build_wall_s"], hl1["build_wall_s"]),
    (f"build, {threads} threads, wall s", vsn["build_wall_s"], hln["build_wall_s"]),
    (f"build, {threads} threads, CPU s", vsn["build_cpu_s"], hln["build_cpu_s"]),
    (f"build speed-up 1 -> {threads} threads (wall)", r(vs1["build_wall_s"], vsn["build_wall_s"]), r(hl1["build_wall_s"], hln["build_wall_s"])),
    ("index bytes in memory, MB", vs1["index_bytes"] / 1e6, hl1["index_bytes"] / 1e6),
    ("index bytes / raw vector bytes", r(vs1["index_bytes"], vs1["vector_bytes"]), r(hl1["index_bytes"], hl1["vector_bytes"])),
    ("save s", vs1["save_s"], hl1["save_s"]),
    ("load s", vs1["load_s"], hl1["load_s"]),
]
for name, a, b in rows:
    print(f"| {name} | {a:.3f} | {b:.3f} | {r(a, b):.2f} |")
PYEOF
