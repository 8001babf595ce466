#!/bin/sh
# versitygw.sh installs the versitygw S3 gateway (used by the real-S3 tests
# in internal/s3sync and internal/s3test) into a cache folder if it is not
# there yet, and prints the binary's path on stdout.
#
#   VERSITYGW_VERSION  module version to install (default v1.8.0)
#   VERSITYGW_BIN      use this binary instead (printed as is if executable)
#   XDG_CACHE_HOME     cache root (default $HOME/.cache); the binary goes to
#                      $XDG_CACHE_HOME/vendor0919/bin/versitygw
#
# Building takes several minutes on a small machine; CI should cache the
# folder. Usage in a shell: VERSITYGW_BIN=$(scripts/versitygw.sh) go test ...
set -eu

version=${VERSITYGW_VERSION:-v1.8.0}

if [ -n "${VERSITYGW_BIN:-}" ]; then
	if [ -x "$VERSITYGW_BIN" ]; then
		printf '%s\n' "$VERSITYGW_BIN"
		exit 0
	fi
	echo "versitygw.sh: VERSITYGW_BIN=$VERSITYGW_BIN is not an executable file" >&2
	exit 1
fi

bindir=${XDG_CACHE_HOME:-$HOME/.cache}/vendor0919/bin
bin=$bindir/versitygw

# The module version is embedded in the binary; reuse it only if it matches.
if [ -x "$bin" ] && go version -m "$bin" 2>/dev/null |
	awk -v v="$version" '$1 == "mod" && $2 == "github.com/versity/versitygw" && $3 == v { found = 1 } END { exit !found }'; then
	printf '%s\n' "$bin"
	exit 0
fi

mkdir -p "$bindir"
echo "versitygw.sh: installing github.com/versity/versitygw/cmd/versitygw@$version into $bindir (takes a few minutes)" >&2
GOBIN=$bindir go install "github.com/versity/versitygw/cmd/versitygw@$version" >&2
printf '%s\n' "$bin"
