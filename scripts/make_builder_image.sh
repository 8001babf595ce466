#!/usr/bin/env bash
# make_builder_image.sh creates, without any registry, a local image under the
# name the Dockerfile's builder stage uses (golang:1.26-bookworm): a Debian
# bookworm rootfs made with debootstrap plus this machine's Go at
# /usr/local/go, laid out like the official golang image (GOPATH=/go, Go on
# PATH, GOTOOLCHAIN=local).
#
# The rootfs tarball is cached under ${XDG_CACHE_HOME:-$HOME/.cache}/vendor0919
# keyed by the Go version, so later runs only re-import it (seconds).
#
# Environment:
#   GO_IMAGE        image name to create (docker.io/library/golang:1.26-bookworm)
#   GOROOT_SRC      Go installation to copy (/usr/local/go)
#   DEBIAN_MIRROR   debootstrap mirror (default: the Debian mirror this machine's
#                   apt is configured with)
#   PODMAN_OPTS     extra global podman options (the container test passes
#                   --storage-driver vfs)
# Usage: scripts/make_builder_image.sh   (run as root; needs debootstrap, podman)
set -euo pipefail

GO_IMAGE="${GO_IMAGE:-docker.io/library/golang:1.26-bookworm}"
GOROOT_SRC="${GOROOT_SRC:-/usr/local/go}"
# The Debian mirror apt already uses: a URIs: line (deb822) or a "deb URL"
# line whose URL ends in /debian.
apt_mirror() {
	local f files=()
	for f in /etc/apt/sources.list.d/*.sources /etc/apt/sources.list; do
		[[ -f "$f" ]] && files+=("$f")
	done
	((${#files[@]})) || return 0
	awk '($1 == "URIs:" || $1 == "deb") && $2 ~ /\/debian\/?$/ { print $2; exit }' "${files[@]}"
}
DEBIAN_MIRROR="${DEBIAN_MIRROR:-$(apt_mirror)}"
CACHE_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/vendor0919"
read -r -a podman_opts <<<"${PODMAN_OPTS:-}"

log() { printf 'make_builder_image: %s\n' "$*" >&2; }
if [[ -z "$DEBIAN_MIRROR" ]]; then
	log "no Debian mirror found in apt's sources; set DEBIAN_MIRROR"
	exit 1
fi

go_version="$("$GOROOT_SRC/bin/go" env GOVERSION)"
tarball="$CACHE_DIR/golang-bookworm-rootfs-${go_version}.tar"
label="vendor0919.go-version=${go_version}"

# Fast path: the image already exists and carries this Go version.
if have="$(podman "${podman_opts[@]}" image inspect --format '{{index .Labels "vendor0919.go-version"}}' "$GO_IMAGE" 2>/dev/null)" &&
	[[ "$have" == "$go_version" ]]; then
	log "$GO_IMAGE already present ($go_version)"
	exit 0
fi

mkdir -p "$CACHE_DIR"
if [[ ! -s "$tarball" ]]; then
	command -v debootstrap >/dev/null || {
		log "debootstrap not found (apt-get install -y debootstrap)"
		exit 1
	}
	work="$(mktemp -d "$CACHE_DIR/rootfs.XXXXXX")"
	trap 'rm -rf "$work"' EXIT
	log "debootstrap bookworm into $work (a few minutes, once)"
	debootstrap --variant=minbase --include=ca-certificates,git \
		bookworm "$work/rootfs" "$DEBIAN_MIRROR" >"$work/debootstrap.log" 2>&1 || {
		tail -20 "$work/debootstrap.log" >&2
		exit 1
	}
	log "adding Go from $GOROOT_SRC ($go_version)"
	mkdir -p "$work/rootfs/usr/local" "$work/rootfs/go/bin" "$work/rootfs/go/src"
	cp -a "$GOROOT_SRC" "$work/rootfs/usr/local/go"
	chmod 1777 "$work/rootfs/go"
	# Keep the image small and deterministic: no apt lists or caches.
	rm -rf "$work/rootfs/var/lib/apt/lists/"* "$work/rootfs/var/cache/apt/"*.bin \
		"$work/rootfs/var/cache/apt/archives/"*.deb
	tar --numeric-owner -C "$work/rootfs" -cf "$work/rootfs.tar" .
	mv "$work/rootfs.tar" "$tarball"
	rm -rf "$work"
	trap - EXIT
fi

log "importing $tarball as $GO_IMAGE"
podman "${podman_opts[@]}" import --quiet \
	--change 'ENV PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
	--change 'ENV GOLANG_VERSION='"${go_version#go}" \
	--change 'ENV GOPATH=/go' \
	--change 'ENV GOTOOLCHAIN=local' \
	--change 'WORKDIR /go' \
	--change "LABEL $label" \
	--change 'CMD ["bash"]' \
	"$tarball" "$GO_IMAGE" >/dev/null
log "done: $GO_IMAGE"
