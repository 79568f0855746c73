# Shared helpers for the hack/ scripts. Sourced, never run.

GO_MIN_VERSION=1.26.0
# Debian packages the test bed needs on a fresh machine: the control plane's, then the real node's (runc, CNI,
# packet filter and conntrack tools, gcc for the pause image, busybox for the network probe image).
DEBIAN_PACKAGES=(openssl curl ca-certificates docker-registry
  runc containernetworking-plugins iptables conntrack socat ethtool gcc libc6-dev busybox-static)

# Everything built or downloaded lives here, outside the repository, so a clean clone on a warm machine is fast.
cache_root() {
  echo "${MCPG_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/mcpg-functions}"
}

# One folder per pin set: changing any pin starts a new folder instead of mixing versions.
tools_cache_dir() {
  local key
  key="k$KUBERNETES_VERSION-e$ETCD_VERSION-kwok$KWOK_VERSION-kn$KNATIVE_EVENTING_VERSION"
  key="$key-helm$HELM_VERSION-crane$CRANE_VERSION-cosign$COSIGN_VERSION"
  key="$key-ksm$KUBE_STATE_METRICS_VERSION-prom$PROMETHEUS_VERSION"
  echo "$(cache_root)/tools/$key"
}

progress() {
  printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2
}

# fail WHAT LOG FIX: one message saying what failed, where to read more and what to do.
fail() {
  printf '\nerror: %s\n' "$1" >&2
  [[ "$2" != "-" ]] && printf '  log: %s\n' "$2" >&2
  printf '  fix: %s\n' "$3" >&2
  exit 1
}

# version_at_least HAVE WANT (dotted numbers)
version_at_least() {
  [[ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" == "$2" ]]
}

# Reads one top-level field of a JSON document on stdin (go's -json output).
json_field() {
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s)[process.argv[1]]))' "$1"
}

# The Go toolchain records the module versions a binary was built from; this reads them
# without running the binary (some of these programs start serving when run).
binary_has_version() {
  [[ -x "$1" ]] || return 1
  go version -m "$1" 2>/dev/null | grep -qE "^[[:space:]]+(mod|dep)[[:space:]]+[^[:space:]]+[[:space:]]+v$2([[:space:]]|$)"
}
