#!/usr/bin/env bash
# vulncheck.sh runs govulncheck on the module against the Go vulnerability
# database, built offline from a pinned snapshot of golang.org/x/vulndb (the
# database's own source, served by the Go module proxy like any module), so
# it needs no access to the database's web host.
#
# It fails on a vulnerability the code reaches in a module go.mod requires
# (fixed here by moving the module) or in the standard library of the Go
# running it (fixed by moving go.mod's toolchain line to a newer patch
# release; make runs that toolchain, see the Makefile's GOTOOLCHAIN). The
# production image's builder (golang:1.26-bookworm, see Dockerfile) takes the
# newest 1.26 patch release, which is at least as new.
#
# Move VULNDB_VERSION forward (go list -m -versions golang.org/x/vulndb
# lists none: take the pseudo-version `go get golang.org/x/vulndb@master`
# resolves to, or the go-partial list's) to check against newer reports.
set -euo pipefail
cd "$(dirname "$0")/.."
# go.mod's toolchain, as make runs it, also when this script runs alone on a
# machine whose Go defaults to GOTOOLCHAIN=local.
export GOTOOLCHAIN="${GOTOOLCHAIN:-auto}"

GOVULNCHECK_VERSION=v1.10.0
VULNDB_VERSION=v0.0.0-20261105234957-e22db6528018

cache=${XDG_CACHE_HOME:-$HOME/.cache}/vendor0919/vulndb
db=$cache/$VULNDB_VERSION
log() { echo "vulncheck: $*" >&2; }

if [ ! -f "$db/index/db.json" ]; then
	log "building the vulnerability database $VULNDB_VERSION (once; cached in $cache)"
	work=$(mktemp -d)
	(
		cd "$work"
		go mod init vulndb-build >/dev/null 2>&1
		GOFLAGS=-mod=mod go get "golang.org/x/vulndb@$VULNDB_VERSION" >/dev/null 2>&1
		src=$(go list -m -f '{{.Dir}}' "golang.org/x/vulndb")
		rm -rf "$db.tmp"
		GOFLAGS=-mod=mod go run golang.org/x/vulndb/cmd/indexdb -vulns "$src/data/osv" -out "$db.tmp"
	)
	rm -rf "$work" "$db"
	mv "$db.tmp" "$db"
fi

out=$(mktemp)
trap 'rm -f "$out"' EXIT
go run "golang.org/x/vuln/cmd/govulncheck@$GOVULNCHECK_VERSION" -db "file://$db" -format json ./... >"$out"

# A finding whose first frame names a function is reached by our code;
# the others (package or module level) are only imported or required.
python3 - "$out" "$(go env GOVERSION)" <<'EOF'
import json, sys

dec = json.JSONDecoder()
text = open(sys.argv[1]).read()
osv, called = {}, {}
i = 0
while i < len(text):
    while i < len(text) and text[i].isspace():
        i += 1
    if i >= len(text):
        break
    msg, i = dec.raw_decode(text, i)
    if "osv" in msg:
        osv[msg["osv"]["id"]] = msg["osv"].get("summary", "")
    f = msg.get("finding")
    if f and f.get("trace") and f["trace"][0].get("function"):
        t = f["trace"][0]
        called.setdefault((t["module"], f["osv"]), f.get("fixed_version", "none"))

mods = sorted((m, v, fix) for (m, v), fix in called.items() if m != "stdlib")
std = sorted(v for (m, v) in called if m == "stdlib")
for m, v, fix in mods:
    print(f"vulncheck: {v} in {m} (fixed in {fix}): {osv.get(v, '')}")
for v in std:
    print(f"vulncheck: {v} in the standard library (fixed in {called[('stdlib', v)]}): {osv.get(v, '')}")
if std:
    print(f"vulncheck: {len(std)} reachable vulnerabilities in the standard library of {sys.argv[2]} "
          f"(go.mod's toolchain unless GOTOOLCHAIN says otherwise): move the toolchain line to a fixed patch release")
if mods:
    print(f"vulncheck: {len(mods)} reachable vulnerabilities in required modules: move them forward")
if std or mods:
    sys.exit(1)
print("vulncheck: no reachable vulnerability in a required module or the standard library")
EOF
