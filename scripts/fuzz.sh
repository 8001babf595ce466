#!/usr/bin/env bash
# fuzz.sh runs every Fuzz* target in the module for FUZZTIME each (default
# 10s) and fails on the first crasher, which `go test` writes to
# <package>/testdata/fuzz/<FuzzName>/ (commit it with the fix: it is then a
# regression seed that every `go test` runs).
#
#   FUZZTIME=10s scripts/fuzz.sh            (make fuzz; make ci with 10s)
#   FUZZTIME=1m scripts/fuzz.sh ./internal/lcpickle/...
#
# Targets are found, not listed: every package whose _test.go files declare
# a func Fuzz..., then `go test -list '^Fuzz'` there, so a new target is
# fuzzed from its first commit. Each target starts from its seed corpus
# (the f.Add seeds and testdata/fuzz/<FuzzName>/). The budget is about
# FUZZTIME plus a few seconds of build per target: 20 targets at 10s take
# about 4 to 5 minutes on 2 cores. FUZZ_BUDGET (seconds, default 420) is
# the time the whole run should stay under: past it a warning names the
# slowest targets (a busy machine builds slowly, so it is not a failure).
# Go's fuzzer uses one worker per core
# (GOMAXPROCS); FUZZ_PARALLEL sets another number.
set -euo pipefail
cd "$(dirname "$0")/.."

FUZZTIME="${FUZZTIME:-10s}"
FUZZ_BUDGET="${FUZZ_BUDGET:-420}"
pkgs=("$@")
[[ ${#pkgs[@]} -gt 0 ]] || pkgs=(./...)
par=()
[[ -z "${FUZZ_PARALLEL:-}" ]] || par=(-parallel "$FUZZ_PARALLEL")

start=$SECONDS
# Folders with a Fuzz function in a test file, as packages of the module.
mapfile -t dirs < <(go list -f '{{.Dir}}' "${pkgs[@]}" | while read -r d; do
	grep -lqE '^func Fuzz[A-Za-z0-9_]*\(' "$d"/*_test.go 2>/dev/null && echo "$d"
done)
[[ ${#dirs[@]} -gt 0 ]] || { echo "fuzz: no Fuzz targets found in ${pkgs[*]}" >&2; exit 1; }

# fuzz_one fuzzes one target. Go's fuzz coordinator can end a run with
# "context deadline exceeded" and no crasher when -fuzztime runs out: a
# race between its deadline and the workers' shutdown (golang/go#75804,
# fixed in Go 1.27; go1.26 has it, and a busy 2-core machine meets it
# often, twice in a row on one target). That says nothing about the code:
# such a run is tried once more, and if the race ends that one too the
# target counts as fuzzed, with a warning. A run that writes a crasher
# (to testdata/fuzz/, where the corpus check below looks) fails at once.
# corpus lists a target's committed and found inputs.
corpus() { find "$1/testdata/fuzz/$2" -type f 2>/dev/null | sort; }

fuzz_one() {
	local pkg=$1 f=$2 out try
	for try in 1 2; do
		local before
		before=$(corpus "$pkg" "$f")
		if out=$(go test "${par[@]}" -run '^$' -fuzz "^${f}\$" -fuzztime "$FUZZTIME" -fuzzminimizetime 10s "$pkg" 2>&1); then
			printf '%s\n' "$out" | tail -n 3
			return 0
		fi
		printf '%s\n' "$out"
		if [[ "$(corpus "$pkg" "$f")" != "$before" ]] || ! grep -q 'context deadline exceeded' <<<"$out"; then
			return 1
		fi
		if ((try == 2)); then
			echo "fuzz: warning: $pkg $f: the coordinator's deadline race again (golang/go#75804), no crasher written; counted as fuzzed" >&2
			races+=("$pkg $f")
			return 0
		fi
		echo "fuzz: $pkg $f: the fuzzer's own deadline, no crasher written; once more" >&2
	done
}
races=()

n=0
summary=()
for d in "${dirs[@]}"; do
	pkg="./$(realpath --relative-to=. "$d")"
	mapfile -t targets < <(go test -list '^Fuzz' "$pkg" | grep '^Fuzz' || true)
	for f in "${targets[@]}"; do
		n=$((n + 1))
		t0=$SECONDS
		echo "fuzz: $pkg $f ($FUZZTIME)"
		if ! fuzz_one "$pkg" "$f"; then
			echo "fuzz: FAIL $pkg $f: the crasher is in $pkg/testdata/fuzz/$f/ (go test -run '$f/<name>' $pkg reproduces it)" >&2
			exit 1
		fi
		summary+=("$(printf '%4ds  %s %s' $((SECONDS - t0)) "$pkg" "$f")")
	done
done
took=$((SECONDS - start))
printf '%s\n' "${summary[@]}"
echo "fuzz: $n targets, ${FUZZTIME} each, ${took}s in all, no crasher"
if ((${#races[@]} > 0)); then
	echo "fuzz: warning: ended twice by Go's deadline race (no crasher): ${races[*]}" >&2
fi
if ((took > FUZZ_BUDGET)); then
	echo "fuzz: warning: ${took}s is over FUZZ_BUDGET ${FUZZ_BUDGET}s (load $(cut -d' ' -f1-3 /proc/loadavg)); slowest:" >&2
	printf '%s\n' "${summary[@]}" | sort -rn | head -3 >&2
fi
