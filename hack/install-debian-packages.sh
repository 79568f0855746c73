#!/usr/bin/env bash
# Installs the Debian packages the test bed needs, only when some are missing (apt-get update once, then install).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/lib.sh"

missing=()
for package in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

command -v apt-get >/dev/null 2>&1 ||
  fail "missing Debian packages: ${missing[*]}" "-" "install them with your system's package manager"
sudo=()
[[ $(id -u) -eq 0 ]] || sudo=(sudo)
log="$(cache_root)/apt.log"
mkdir -p "$(dirname "$log")"
progress "installing Debian packages: ${missing[*]} (log: $log)"
{ "${sudo[@]}" apt-get update && DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}"; } \
  >"$log" 2>&1 || fail "apt-get could not install ${missing[*]}" "$log" "read the log; check the Debian mirror is reachable"
