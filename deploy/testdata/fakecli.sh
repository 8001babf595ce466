#!/usr/bin/env bash
# fakecli.sh stands in for the aws and docker CLIs (and date) in the deploy
# tests. Installed under those names on PATH, it records every call in
# $FAKECLI_DIR/calls/NNNN/{name,args,stdin} (args NUL-separated) and answers
# from $FAKECLI_DIR/responses:
#   <key>.<n>   body for the n-th call with that key (the highest n repeats)
#   <key>       body for every call
#   <key>.rc    exit status (with <key>.err on stderr instead of a body)
#   <key>.<n>.rc, <key>.<n>.err   the same for the n-th call only
# The key is the program name plus its first positional words: aws_<service>_<op>,
# docker_<command>, date. An aws or docker call with no response fails (254),
# so unexpected calls (e.g. a mutation in a dry run) are noticed.
# aws --query with a plain dotted path (e.g. Account) and --output text are
# applied to the body with jq, as the real CLI would.
set -u
dir="${FAKECLI_DIR:?FAKECLI_DIR not set}"
name="$(basename "$0")"
mkdir -p "$dir/calls" "$dir/responses"
# Read stdin before taking a call number: in `aws ... | docker login` the
# reader sees EOF only after the writer has exited, so calls are numbered in
# data-flow order. The counter itself is taken under a lock.
stdin="$(mktemp "$dir/stdin.XXXXXX")"
if [ ! -t 0 ]; then cat >"$stdin"; fi
exec 9>>"$dir/lock"
flock 9
n=$(($(cat "$dir/count" 2>/dev/null || echo 0) + 1))
echo "$n" >"$dir/count"
flock -u 9
call="$dir/calls/$(printf %04d "$n")"
mkdir -p "$call"
mv "$stdin" "$call/stdin"
printf '%s' "$name" >"$call/name"
printf '%s\0' "$@" >"$call/args"

orig=("$@")
query="" output=""
words=()
while [ $# -gt 0 ]; do
	case "$1" in
	--query) query="$2"; shift 2 ;;
	--output) output="$2"; shift 2 ;;
	--region | --profile | --endpoint-url) shift 2 ;;
	--*) shift ;;
	*) words+=("$1"); shift ;;
	esac
done
case "$name" in
aws) key="aws_${words[0]:-}_${words[1]:-}" ;;
docker) key="docker_${words[0]:-}" ;;
*) key="$name" ;;
esac
printf '%s' "$key" >"$call/key"

r="$dir/responses/$key"
flock 9
k=$(($(cat "$dir/keycount.$key" 2>/dev/null || echo 0) + 1))
echo "$k" >"$dir/keycount.$key"
flock -u 9
if [ -f "$r.$k.rc" ]; then
	cat "$r.$k.err" >&2 2>/dev/null
	exit "$(cat "$r.$k.rc")"
fi
if [ -f "$r.rc" ]; then
	cat "$r.err" >&2 2>/dev/null
	exit "$(cat "$r.rc")"
fi
body=""
if [ -f "$r.$k" ]; then
	body="$r.$k"
elif [ -f "$r" ]; then
	body="$r"
else
	last="$(find "$dir/responses" -maxdepth 1 -name "$key.[0-9]*" -printf '%f\n' | sed "s/^$key\.//" | grep -E '^[0-9]+$' | sort -n | tail -1)"
	[ -n "$last" ] && body="$r.$last"
fi
if [ -z "$body" ]; then
	if [ "$name" = date ]; then exec /bin/date "${orig[@]}"; fi
	echo "fakecli: no response for $key (call $n)" >&2
	exit 254
fi
if [ -n "$query" ]; then
	case "$query" in
	*[!A-Za-z0-9_.]*) echo "fakecli: unsupported --query $query" >&2; exit 255 ;;
	esac
	if [ "$output" = text ]; then jq -r ".$query" "$body"; else jq ".$query" "$body"; fi
	exit 0
fi
cat "$body"
