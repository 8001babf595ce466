#!/usr/bin/env bash
# eval.sh reports retrieval quality (hit@1, hit@5, MRR@5 per mode) on the
# demo store and the public sets, as `make eval` runs it:
#
#   demo   the bundled demo store and questions (written here: a smoke
#          test, not evidence), scored by document
#   the public sets: every corpus scripts/eval_corpora.sh prints, with the
#          questions in internal/evalsets/NAME (README.md there lists them),
#          scored by section
#
# A new set is written blind and held back (held_back below) until its one
# blind measurement, EVAL_SETS=NAME bash scripts/eval.sh; then it leaves
# held_back and every change is measured on it too. EVAL_SETS lists the
# sets to run (default: all but the held-back ones; EVAL_SETS=gitpg runs
# one).
#
# The public corpora come from scripts/eval_corpora.sh (Debian packages,
# installed when missing). Their stores are built every run, with the
# default `vectorstore build` settings (but one HNSW worker, for the same
# graph every run) and the offline default embedder
# (minilm; EMBEDDER is ignored here), into ${XDG_CACHE_HOME:-$HOME/.cache}/vendor0919/eval-stores,
# so the numbers always describe the code as it stands. The chunks'
# vectors are kept in an embedding cache (eval-embcache beside the
# stores): the first run embeds some 26,000 chunks, about 25 minutes on two
# cores; later runs embed only chunks the code has changed. Every mode is
# evaluated with the server's defaults, next to a plain BM25 over one
# document per section (--baseline), the reference row of issue 10
# (docs/BENCHMARKS.md).
# Usage: [EVAL_SETS="pydoc manja ..."] bash scripts/eval.sh [--json]
set -euo pipefail

json=()
if [ "${1:-}" = "--json" ]; then json=(--json); fi
cache=${XDG_CACHE_HOME:-$HOME/.cache}/vendor0919
stores=$cache/eval-stores
bin=$stores/bin
mkdir -p "$bin"
start=$(date +%s)
# Sets awaiting their one blind measurement.
held_back=" "  # e.g. " sqvg " while sqvg awaited its run
sets=" ${EVAL_SETS:-} "

unset EMBEDDER EMBEDDING_MODEL EMBEDDING_DIMS
go build -o "$bin/vectorstore" ./cmd/vectorstore
vs=$bin/vectorstore

echo "== demo (internal/demo: document level)"
"$vs" eval --dir internal/demo/store --questions internal/demo/questions.json "${json[@]}"

# The corpora are listed first, so that a corpus that cannot be built
# fails the run instead of leaving its set out.
corpora=$(bash scripts/eval_corpora.sh)
while read -r name dir; do
	if [ -n "${EVAL_SETS:-}" ]; then
		case $sets in
		*" $name "*) ;;
		*) continue ;;
		esac
	else
		case $held_back in
		*" $name "*) continue ;;
		esac
	fi
	echo
	echo "== $name ($dir: section level)"
	# One graph worker: the same graph on every run, so the vector rows
	# do not move by a question between two runs of the same code.
	"$vs" build --in "$dir" --out "$stores/$name" --version "eval-$name" --hnsw-workers 1 --quiet --cache "$cache/eval-embcache" >&2
	"$vs" eval --dir "$stores/$name" --questions "internal/evalsets/$name/questions.json" --baseline "${json[@]}"
done <<<"$corpora"

echo "eval: done in $(($(date +%s) - start)) s" >&2
