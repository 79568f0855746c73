#!/usr/bin/env bash
# Builds the plugin fetcher image from scratch, without a container runtime, and pushes it:
#   hack/fetcher-image.sh <registry>/<repository>:<tag> [--insecure]
# One layer holding the static binary at /plugin-fetcher, run as the non-root user 65532. Prints the digest.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/versions.env"
source "$here/lib.sh"

[[ $# -ge 1 ]] || fail "no image reference given" "-" "run: hack/fetcher-image.sh <registry>/<repository>:<tag> [--insecure]"
ref=$1
shift
bin=$("$here/build-tools.sh" 2>/dev/null | tail -n1)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/root"
cp "$bin/plugin-fetcher" "$work/root/plugin-fetcher"
tar --owner=65532 --group=65532 --numeric-owner --mtime='2026-01-01 00:00:00' -cf "$work/layer.tar" -C "$work/root" plugin-fetcher
"$bin/crane" append "$@" --oci-empty-base -f "$work/layer.tar" -t "$ref" >/dev/null
"$bin/crane" mutate "$@" --set-platform "linux/$(go env GOARCH)" --entrypoint /plugin-fetcher --user 65532:65532 -t "$ref" "$ref" >/dev/null
"$bin/crane" digest "$@" "$ref"
