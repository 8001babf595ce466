#!/usr/bin/env bash
# install-tools.sh installs what the test suite needs that Go does not
# fetch by itself, and prints shell exports for the test runner:
#   Debian: chromium, python3-faiss, python3-numpy, python3-reportlab, jq, shellcheck, yamllint,
#           nodejs/npm (if missing)
#   npm:    playwright-core (drives Debian's chromium; never downloads a browser),
#           scripts/uselite's packages (the model's own JS, for parity tests)
#           scripts/tsclient's packages (openapi-typescript, openapi-fetch, typescript, @redocly/cli:
#           the generated-client and lint checks of api/openapi.json)
#           scripts/openaiclient's (the official openai client, against the /v1 routes) and
#           scripts/aisdk's (ai, @ai-sdk/react, react, esbuild: the useChat page for /chat)
#   go:     versitygw (real S3 server) and golangci-lint (with staticcheck), pinned, cached
# Everything lands in ${XDG_CACHE_HOME:-$HOME/.cache}/vendor0919 and is
# reused on the next run. Usage: eval "$(scripts/install-tools.sh)"
# With --container it also installs what scripts/container_test.sh needs:
# podman, buildah, runc, debootstrap, curl.
set -euo pipefail

cache=${XDG_CACHE_HOME:-$HOME/.cache}/vendor0919
bin=$cache/bin
mkdir -p "$bin"
log() { echo "install-tools: $*" >&2; }

as_root() {
	if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

apt_pkgs=(chromium python3-faiss python3-numpy python3-reportlab jq shellcheck yamllint)
if [ "${1:-}" = --container ]; then
	apt_pkgs+=(podman buildah runc debootstrap curl)
fi
command -v node >/dev/null || apt_pkgs+=(nodejs)
command -v npm >/dev/null || apt_pkgs+=(npm)
missing=()
for p in "${apt_pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	log "apt-get install ${missing[*]}"
	as_root apt-get update -qq >&2
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
fi

# playwright-core only: it uses /usr/bin/chromium and downloads nothing.
nodedir=$cache/node
pw_version=1.64.1
if [ ! -f "$nodedir/node_modules/playwright-core/package.json" ] ||
	[ "$(node -p "require('$nodedir/node_modules/playwright-core/package.json').version")" != "$pw_version" ]; then
	log "npm install playwright-core@$pw_version"
	mkdir -p "$nodedir"
	(cd "$nodedir" && [ -f package.json ] || echo '{"private":true}' >"$nodedir/package.json")
	npm install --prefix "$nodedir" --no-audit --no-fund --loglevel=error "playwright-core@$pw_version" >&2
fi

# The model's own JavaScript, for the use-lite parity tests (pure-JS
# TensorFlow.js is optional and not needed for them).
if [ ! -d "$(dirname "$0")/uselite/node_modules" ]; then
	log "npm ci --prefix scripts/uselite --omit=optional"
	npm ci --prefix "$(dirname "$0")/uselite" --omit=optional --no-audit --no-fund --loglevel=error >&2
fi

# The generated TypeScript client and the OpenAPI linter (cmd/api
# TestTSClient_AgainstServer, TestOpenAPI_Lint); reinstalled when the lock changes.
tsclient=$(dirname "$0")/tsclient
if ! cmp -s "$tsclient/package-lock.json" "$tsclient/node_modules/.installed-lock.json"; then
	log "npm ci --prefix scripts/tsclient"
	npm ci --prefix "$tsclient" --no-audit --no-fund --loglevel=error >&2
	cp "$tsclient/package-lock.json" "$tsclient/node_modules/.installed-lock.json"
fi

# The chat protocols' own clients (cmd/api TestOpenAIClient_AgainstServer,
# TestAISDK_Browser); reinstalled when a lock changes.
for d in openaiclient aisdk; do
	dir=$(dirname "$0")/$d
	if ! cmp -s "$dir/package-lock.json" "$dir/node_modules/.installed-lock.json"; then
		log "npm ci --prefix scripts/$d"
		npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error >&2
		cp "$dir/package-lock.json" "$dir/node_modules/.installed-lock.json"
	fi
done

go_tool() { # name module@version
	local name=$1 mod=$2 stamp=$bin/$1.version
	if [ ! -x "$bin/$name" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$mod" ]; then
		log "go install $mod (cached afterwards)"
		GOBIN=$bin go install "$mod" >&2
		echo "$mod" >"$stamp"
	fi
}
go_tool golangci-lint github.com/golangci/golangci-lint/v2/cmd/golangci-lint@v2.15.0
VERSITYGW_BIN=$(XDG_CACHE_HOME=${XDG_CACHE_HOME:-$HOME/.cache} "$(dirname "$0")/versitygw.sh")

cat <<EOT
export PATH="$bin:\$PATH"
export VERSITYGW_BIN="$VERSITYGW_BIN"
export CHROMIUM_BIN="$(command -v chromium)"
export PLAYWRIGHT_NODE_PATH="$nodedir/node_modules"
export VENDOR0919_PYTHON=/usr/bin/python3
export VENDOR0919_REQUIRE_TOOLS=1
EOT
