#!/usr/bin/env bash
# Builds the Go programs the test bed and the supply-chain work need, from the Go
# module proxy, into a cache outside the repository keyed by the pinned versions.
# A binary whose version already matches its pin is skipped, so a warm run takes seconds.
#
#   hack/build-tools.sh            build whatever is missing, print the bin directory last
#   hack/build-tools.sh --print    print the bin directory only (no build)
#   hack/build-tools.sh --stack PART   build one part of the Knative stack (cached), print its bin directory last
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=hack/versions.env
source "$here/versions.env"
source "$here/lib.sh"

tools_dir=$(tools_cache_dir)
bin="$tools_dir/bin"
logs="$tools_dir/logs"
src="$tools_dir/src"

if [[ "${1:-}" == "--print" ]]; then
  echo "$bin"
  exit 0
fi

require_go() {
  command -v go >/dev/null 2>&1 ||
    fail "the Go toolchain is missing" "-" "install Go ${GO_MIN_VERSION} or newer and put it on PATH"
  local have
  have=$(go env GOVERSION | sed 's/^go//')
  version_at_least "$have" "$GO_MIN_VERSION" ||
    fail "Go $have is too old (Kubernetes $KUBERNETES_VERSION and KWOK $KWOK_VERSION need Go $GO_MIN_VERSION)" "-" \
      "install Go $GO_MIN_VERSION or newer"
}

# Every build: this toolchain only, no VCS stamping, static binaries.
export GOTOOLCHAIN=local GOFLAGS="-buildvcs=false" CGO_ENABLED=0 GOBIN="$bin"

step=0
total=13
started_all=$SECONDS

# run_build NAME EXPECTED_VERSION BINARY... -- COMMAND...
# Skips when every listed binary reports EXPECTED_VERSION; otherwise runs COMMAND with its
# output in a log file, and stops the whole script with a readable message when it fails.
run_build() {
  local name=$1 expected=$2
  shift 2
  local binaries=()
  while [[ "$1" != "--" ]]; do binaries+=("$1"); shift; done
  shift
  step=$((step + 1))
  local log="$logs/$name.log" missing=0 b
  for b in "${binaries[@]}"; do
    binary_has_version "$bin/$b" "$expected" || missing=1
  done
  if [[ $missing == 0 ]]; then
    progress "[$step/$total] $name $expected: cached"
    return 0
  fi
  progress "[$step/$total] $name $expected: building (log: $log)"
  local t0=$SECONDS
  if ! "$@" >"$log" 2>&1; then
    tail -n 15 "$log" >&2 || true
    fail "building $name $expected failed" "$log" \
      "read the log; a network error means the Go module proxy or checksum database was unreachable: retry 'make setup'"
  fi
  for b in "${binaries[@]}"; do
    binary_has_version "$bin/$b" "$expected" ||
      fail "$b was built but does not report version $expected" "$log" "remove $bin/$b and run 'make setup' again"
  done
  progress "[$step/$total] $name $expected: built in $((SECONDS - t0))s"
}

# build_kubernetes NAME COMMAND...: one wrapper module per group of k8s.io/kubernetes commands (control plane,
# node), so the node's binaries build without touching the control plane's.
build_kubernetes() {
  local name=$1 k=$KUBERNETES_VERSION staging="v0.${KUBERNETES_VERSION#1.}" minor
  shift
  minor=${k#1.}
  minor=${minor%%.*}
  local dir="$src/$name-$k"
  rm -rf "$dir" && mkdir -p "$dir" && cd "$dir"
  go mod init "local/$name-binaries"
  local upstream_mod
  upstream_mod=$(go mod download -json "k8s.io/kubernetes@v$k" | json_field GoMod)
  # The main module's go and godebug lines set the binaries' default GODEBUG: take upstream's.
  go mod edit -go="$(awk '/^go /{print $2}' "$upstream_mod")"
  if grep -q '^godebug default=' "$upstream_mod"; then
    go mod edit -godebug="$(awk '/^godebug default=/{print $2}' "$upstream_mod")"
  fi
  # k8s.io/kubernetes points its staging modules at local folders; map each to its published twin.
  local m
  for m in $(sed -n 's#^[[:space:]]*k8s.io/\([a-z0-9-]*\) => \./staging/src/k8s.io/.*#\1#p' "$upstream_mod"); do
    go mod edit -replace="k8s.io/$m=k8s.io/$m@$staging"
  done
  local packages=() c
  for c in "$@"; do packages+=("k8s.io/kubernetes/cmd/$c"); done
  go get -tool "${packages[@]/%/@v$k}"
  # Clients (Helm, Knative, kubectl) parse the server's version, so stamp it as upstream does.
  local ld="-s -w" p
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld="$ld -X $p.gitVersion=v$k -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean"
    ld="$ld -X $p.buildDate=1970-01-01T00:00:00Z"
  done
  go build -trimpath -tags selinux,notest,grpcnotrace -ldflags "$ld" -o "$bin/" "${packages[@]}"
}

# containerd for the real node: no C libraries (the storage drivers that need them are left out); its version
# package is stamped so `containerd --version` and the CRI report the pin.
build_containerd() {
  local mod=github.com/containerd/containerd/v2
  go install -trimpath -tags no_btrfs,no_devmapper,no_zfs,no_aufs \
    -ldflags "-s -w -X $mod/version.Version=v$CONTAINERD_VERSION -X $mod/version.Package=$mod" \
    "$mod/cmd/containerd@v$CONTAINERD_VERSION" "$mod/cmd/containerd-shim-runc-v2@v$CONTAINERD_VERSION" \
    "$mod/cmd/ctr@v$CONTAINERD_VERSION"
}

build_etcd() {
  local dir="$src/etcd-$ETCD_VERSION"
  rm -rf "$dir" && mkdir -p "$dir" && cd "$dir"
  go mod init local/etcd-binary
  go get -tool "go.etcd.io/etcd/server/v3@v$ETCD_VERSION"
  go build -trimpath -ldflags "-s -w" -o "$bin/etcd" go.etcd.io/etcd/server/v3
}

# Knative's receive adapter, started through a small main of ours that differs from upstream's in one
# way: the health-probe server (hard-wired to :8080 on every interface) stays off, so the test bed
# listens on loopback only. The adapter package itself is Knative's, unchanged.
build_adapter() {
  local dir="$src/apiserver-receive-adapter-$KNATIVE_EVENTING_VERSION"
  rm -rf "$dir" && mkdir -p "$dir" && cd "$dir"
  go mod init local/apiserver-receive-adapter
  cat >main.go <<'GO'
package main

import (
	"knative.dev/eventing/pkg/adapter/apiserver"
	"knative.dev/eventing/pkg/adapter/v2"
	"knative.dev/eventing/pkg/auth"
	"knative.dev/eventing/pkg/eventingtls"
	filteredfactory "knative.dev/pkg/client/injection/kube/informers/factory/filtered"
	"knative.dev/pkg/signals"
)

func main() {
	ctx := adapter.WithHealthProbesDisabled(adapter.WithInjectorEnabled(signals.NewContext()))
	ctx = filteredfactory.WithSelectors(ctx, auth.OIDCLabelSelector, eventingtls.TrustBundleLabelSelector)
	adapter.MainWithContext(ctx, "apiserversource", apiserver.NewEnvConfig, apiserver.NewAdapter)
}
GO
  go get "knative.dev/eventing@v$KNATIVE_EVENTING_VERSION"
  go mod tidy
  go build -trimpath -ldflags "-s -w" -o "$bin/apiserver_receive_adapter" .
}

# Standalone kwok needs Stage objects (how fake nodes and pods change state). They ship in the
# kwok module; concatenate the ones the test bed needs into the cache, never into the repository.
install_kwok_stages() {
  local out="$tools_dir/share/kwok-stages.yaml" dir f
  [[ -s "$out" ]] && return 0
  mkdir -p "$(dirname "$out")"
  dir=$(go mod download -json "sigs.k8s.io/kwok@v$KWOK_VERSION" | json_field Dir)
  for f in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
    pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
    cat "$dir/kustomize/stage/$f"
    echo '---'
  done >"$out.tmp"
  mv "$out.tmp" "$out"
}

# The CRDs of the Knative objects in knative/ (Service, ApiServerSource, PingSource, ContainerSource), taken from the Knative
# modules, so the manifests can be checked by a server-side dry run on the local API server.
install_knative_crds() {
  local out="$tools_dir/share/knative-crds-e$KNATIVE_EVENTING_VERSION-s$KNATIVE_SERVING_VERSION-with-containersource.yaml"
  local eventing serving
  [[ -s "$out" ]] && return 0
  mkdir -p "$(dirname "$out")"
  eventing=$(go mod download -json "knative.dev/eventing@v$KNATIVE_EVENTING_VERSION" | json_field Dir)
  serving=$(go mod download -json "knative.dev/serving@v$KNATIVE_SERVING_VERSION" | json_field Dir)
  {
    cat "$eventing/config/core/resources/apiserversource.yaml"
    echo '---'
    cat "$eventing/config/core/resources/pingsource.yaml"
    echo '---'
    cat "$eventing/config/core/resources/containersource.yaml"
    echo '---'
    cat "$serving/config/core/300-resources/service.yaml"
  } >"$out.tmp"
  mv "$out.tmp" "$out"
}

# The plugin fetcher is the project's own Go program (images/plugin-fetcher): rebuilt when its sources change.
build_plugin_fetcher() {
  local dir="$here/../images/plugin-fetcher" stamp="$bin/plugin-fetcher.sources" sum
  sum=$(cd "$dir" && cat go.mod go.sum ./*.go | sha256sum | cut -d' ' -f1)
  step=$((step + 1))
  if [[ -x "$bin/plugin-fetcher" && "$(cat "$stamp" 2>/dev/null)" == "$sum" ]]; then
    progress "[$step/$total] plugin-fetcher: cached"
    return 0
  fi
  progress "[$step/$total] plugin-fetcher: building (log: $logs/plugin-fetcher.log)"
  (cd "$dir" && go build -trimpath -ldflags "-s -w" -o "$bin/plugin-fetcher" .) >"$logs/plugin-fetcher.log" 2>&1 ||
    fail "building the plugin fetcher failed" "$logs/plugin-fetcher.log" "read the log; run 'go vet ./...' in images/plugin-fetcher"
  echo "$sum" >"$stamp"
}

go_install() {
  go install -trimpath -ldflags "-s -w ${2:-}" "$1"
}

# The fleet metrics' test bed: kube-state-metrics serves the generated custom-resource-state configuration, and
# promtool checks the chart's alerts and runs their unit tests on the series it served.
build_kube_state_metrics() {
  go_install "k8s.io/kube-state-metrics/v2@v$KUBE_STATE_METRICS_VERSION" \
    "-X github.com/prometheus/common/version.Version=v$KUBE_STATE_METRICS_VERSION"
}
# remove_all_sd is Prometheus' own build tag leaving out its service-discovery plugins: rule checks and tests
# do not use them, and they bring in every cloud provider's SDK.
build_promtool() {
  GOFLAGS="$GOFLAGS -tags=remove_all_sd" go_install "github.com/prometheus/prometheus/cmd/promtool@v$PROMETHEUS_VERSION" \
    "-X github.com/prometheus/common/version.Version=3.${PROMETHEUS_VERSION#0.3}"
}

# --- The Knative stack (make knative-up, the e2e tier): opt-in, never part of a plain run. -----------------------
# Each part's upstream commands are built in one `go build` (they share most packages) from the module's own
# go.mod and go.sum, into a folder keyed by part and version, so a new pin rebuilds that part alone and the tools
# above are never touched.

# stack_source MODULE VERSION: a writable copy of the published module in the part's source folder, printed.
stack_source() {
  local dir="$stack_src/${1//\//_}" upstream
  upstream=$(go mod download -json "$1@$2" | json_field Dir)
  rm -rf "$dir" && mkdir -p "$stack_src" && cp -r "$upstream" "$dir" && chmod -R u+w "$dir"
  echo "$dir"
}

# build_stack_module DIR LDFLAGS PACKAGE...: builds the packages of the module copy in DIR in one invocation.
# -mod=mod lets go.sum take the checksums of substituted modules (verified against the checksum database).
build_stack_module() {
  local dir=$1 ld=$2
  shift 2
  cd "$dir" && GOFLAGS="$GOFLAGS -mod=mod" go build -trimpath -ldflags "-s -w $ld" -o "$stack_bin/" "$@"
}

# Serving pins knative.dev/networking, /pkg and /caching at commits the Go module proxy does not serve; the build
# takes versions it does serve (see versions.env) and adjusts copies of two of them where they lag behind:
# - networking lacks one name Serving v0.51.0 uses: the KIngress annotation key mapping traffic tags to host names
#   (networking.internal.knative.dev/tag-to-host), added later upstream; the copy declares it, same value;
# - pkg describes its telemetry resource in an older OpenTelemetry schema than the OpenTelemetry SDK Serving
#   requires, and merging the two panics at start; the copy uses the SDK's schema version, as later pkg does.
build_stack_serving() {
  local dir networking pkg sdk schema
  dir=$(stack_source knative.dev/serving "v$KNATIVE_SERVING_VERSION")
  networking=$(stack_source knative.dev/networking "$KNATIVE_NETWORKING_VERSION")
  printf 'package networking\n\nconst TagToHostAnnotationKey = GroupName + "/tag-to-host"\n' \
    >"$networking/pkg/apis/networking/tag_to_host.go"
  pkg=$(stack_source knative.dev/pkg "$KNATIVE_PKG_VERSION")
  sdk=$(cd "$dir" && go mod download -json "go.opentelemetry.io/otel/sdk@$(go list -m -f '{{.Version}}' go.opentelemetry.io/otel/sdk)" | json_field Dir)
  schema=$(grep -ho 'otel/semconv/v[0-9][0-9.]*[0-9]' "$sdk"/resource/*.go | head -n1)
  [[ -n "$schema" ]] || { echo "no semconv version found in $sdk/resource"; return 1; }
  grep -rl 'otel/semconv/v' "$pkg/observability/semconv" | xargs sed -i "s#otel/semconv/v[0-9][0-9.]*[0-9]#$schema#"
  (cd "$dir" && go mod edit \
    -replace "knative.dev/networking=$networking" \
    -replace "knative.dev/pkg=$pkg" \
    -replace "knative.dev/caching=knative.dev/caching@$KNATIVE_CACHING_VERSION")
  build_stack_module "$dir" "" ./cmd/controller ./cmd/webhook ./cmd/activator ./cmd/autoscaler ./cmd/queue
}

# Traefik as published does not build from the proxy alone; three substitutions, none in Traefik's own code:
# - its dynamic-configuration extension module sits at a folder the module zip leaves out; in the open-source
#   build it only declares two empty types (extension points for other builds), so a stand-in declares them;
# - its fork of go-http-auth is pinned at a commit the proxy does not serve; a copy of the fork's origin, v0.4.0,
#   is used, declaring the two names the fork added that Traefik calls: CheckSecret (a password against a stored
#   hash, by the origin's own comparisons) and DigestAuth.RequireAuthStale (the digest challenge marked stale);
# - the ACME client's DNS-provider registry links six providers whose SDKs the proxy does not serve; they are
#   dropped from a copy of the registry (ACME DNS challenges are unused on the bed; naming one fails cleanly).
build_stack_traefik() {
  local dir lego provider auth
  dir=$(stack_source github.com/traefik/traefik/v3 "v$TRAEFIK_VERSION")
  lego=$(stack_source github.com/go-acme/lego/v5 "$(cd "$dir" && go list -m -f '{{.Version}}' github.com/go-acme/lego/v5)")
  mkdir -p "$dir/pkg/config/dynamic/ext"
  printf 'module github.com/traefik/traefik/dynamic/ext\n\ngo 1.24\n' >"$dir/pkg/config/dynamic/ext/go.mod"
  printf 'package ext\n\ntype HTTP struct{}\n\ntype Router struct{}\n' >"$dir/pkg/config/dynamic/ext/ext.go"
  for provider in edgedns huaweicloud oraclecloud sakuracloud ucloud yandexcloud; do
    sed -i "\#lego/v5/providers/dns/$provider\"#d; /^\tcase \"$provider\"[,:]/{N;d}" "$lego/providers/dns/zz_gen_dns_providers.go"
    rm -rf "$lego/providers/dns/$provider"
  done
  auth=$(stack_source github.com/abbot/go-http-auth v0.4.0)
  # v0.4.0 predates modules; its imports resolve through Traefik's requirements.
  [[ -f "$auth/go.mod" ]] || printf 'module github.com/abbot/go-http-auth\n\ngo 1.12\n' >"$auth/go.mod"
  cat >"$auth/stack_additions.go" <<'GO'
package auth

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// CheckSecret reports whether password matches secret, a stored hash in any format the package reads.
func CheckSecret(password, secret string) bool {
	compare := compareFuncs[0].compare
	for _, candidate := range compareFuncs[1:] {
		if strings.HasPrefix(secret, candidate.prefix) {
			compare = candidate.compare
			break
		}
	}
	return compare([]byte(secret), []byte(password)) == nil
}

// RequireAuthStale sends a new digest challenge saying the client's nonce was stale.
func (a *DigestAuth) RequireAuthStale(w http.ResponseWriter, r *http.Request) {
	nonce := RandomKey()
	a.clients[nonce] = &digest_client{nc: 0, last_seen: time.Now().UnixNano()}
	w.Header().Set(contentType, a.Headers.V().UnauthContentType)
	w.Header().Set(a.Headers.V().Authenticate,
		fmt.Sprintf(`Digest realm="%s", nonce="%s", opaque="%s", algorithm="MD5", qop="auth", stale=true`,
			a.Realm, nonce, a.Opaque))
	w.WriteHeader(a.Headers.V().UnauthCode)
	_, _ = w.Write([]byte(a.Headers.V().UnauthResponse))
}
GO
  (cd "$dir" && go mod edit -replace "github.com/abbot/go-http-auth=$auth" \
    -replace "github.com/go-acme/lego/v5=$lego")
  build_stack_module "$dir" "-X github.com/traefik/traefik/v3/pkg/version.Version=v$TRAEFIK_VERSION" ./cmd/traefik
}

# Eventing's sources: the controller (ApiServerSource and PingSource among its reconcilers), its webhook, the
# PingSource adapter and the ApiServerSource adapter the controller starts per source. The published module
# builds as it is. Its adapter is upstream's own main here, unlike the integration tier's (build_adapter above).
build_stack_eventing() {
  local dir
  dir=$(stack_source knative.dev/eventing "v$KNATIVE_EVENTING_VERSION")
  build_stack_module "$dir" "" ./cmd/controller ./cmd/webhook ./cmd/mtping ./cmd/apiserver_receive_adapter
}

# cert-manager publishes its commands (cmd/controller, cmd/webhook, cmd/cainjector) as modules of their own that
# the Go module proxy does not serve. test/knative/cert-manager-launch holds our small mains for them, which run
# the published module's controllers, webhook server and injectors; their module path sits under cert-manager's so
# they may use its internal packages, as upstream's command modules do. The release's Helm chart, which the bed
# renders with our images (test/knative/cert-manager.ts), is copied beside the binaries.
build_stack_cert_manager() {
  local module dir="$stack_src/launch"
  module=$(go mod download -json "github.com/cert-manager/cert-manager@v$CERT_MANAGER_VERSION" | json_field Dir)
  rm -rf "$root/chart" && cp -r "$module/deploy/charts/cert-manager" "$root/chart" && chmod -R u+w "$root/chart"
  rm -rf "$dir" && mkdir -p "$dir" && cp -r "$here/../test/knative/cert-manager-launch/." "$dir/" && cd "$dir"
  go mod init github.com/cert-manager/cert-manager/mcpg-stack
  go get "github.com/cert-manager/cert-manager@v$CERT_MANAGER_VERSION"
  # The proxy refuses the Venafi client cert-manager pins (vcert v5.13.x, "not available"); our mains leave the
  # Venafi issuer out, so only its packages, which nothing built imports, miss their module.
  go mod tidy -e
  # cert-manager reports this version (user agent, default ACME solver image), as its release build stamps it.
  go build -trimpath -ldflags "-s -w -X github.com/cert-manager/cert-manager/pkg/util.AppVersion=v$CERT_MANAGER_VERSION" \
    -o "$stack_bin/" ./controller ./webhook ./cainjector
}

# build_stack PART: prints the part's bin folder; builds it first unless a finished build is there.
build_stack() {
  local part=$1 version builder recipe
  case "$part" in
    serving)
      version=$KNATIVE_SERVING_VERSION builder=build_stack_serving
      recipe="networking $KNATIVE_NETWORKING_VERSION+tag-to-host pkg $KNATIVE_PKG_VERSION+sdk-schema caching $KNATIVE_CACHING_VERSION" ;;
    traefik) version=$TRAEFIK_VERSION builder=build_stack_traefik recipe="" ;;
    eventing) version=$KNATIVE_EVENTING_VERSION builder=build_stack_eventing recipe="" ;;
    cert-manager)
      version=$CERT_MANAGER_VERSION builder=build_stack_cert_manager
      recipe="launch $(cat "$here"/../test/knative/cert-manager-launch/*/*.go | sha256sum | cut -c1-16)" ;;
    *) fail "unknown stack part '$part'" "-" "choose one of: cert-manager, serving, traefik, eventing" ;;
  esac
  local root
  root="$(cache_root)/stack/$part-$version"
  stack_bin="$root/bin" stack_src="$root/src"
  # The stamp holds the substituted versions too, so moving one of them rebuilds the part.
  local log="$root/build.log" done="$root/bin/.complete"
  if [[ "$(cat "$done" 2>/dev/null)" != "$part $version $recipe" ]]; then
    require_go
    rm -rf "$stack_bin" && mkdir -p "$stack_bin"
    progress "stack $part $version: building (log: $log)"
    local t0=$SECONDS
    if ! ("$builder") >"$log" 2>&1; then
      tail -n 15 "$log" >&2 || true
      fail "building the stack's $part $version failed" "$log" \
        "read the log; a network error means the Go module proxy was unreachable: run the command again"
    fi
    echo "$part $version $recipe" >"$done"
    progress "stack $part $version: built in $((SECONDS - t0))s"
  fi
  echo "$stack_bin"
}

if [[ "${1:-}" == "--stack" ]]; then
  build_stack "${2:-}"
  exit 0
fi

require_go
mkdir -p "$bin" "$logs" "$src"
progress "tools cache: $tools_dir"
run_build etcd "$ETCD_VERSION" etcd -- build_etcd
run_build kubernetes "$KUBERNETES_VERSION" kube-apiserver kube-controller-manager kube-scheduler kubectl -- \
  build_kubernetes kubernetes kube-apiserver kube-controller-manager kube-scheduler kubectl
run_build kubernetes-node "$KUBERNETES_VERSION" kubelet kube-proxy -- build_kubernetes kubernetes-node kubelet kube-proxy
run_build containerd "$CONTAINERD_VERSION" containerd containerd-shim-runc-v2 ctr -- build_containerd
run_build coredns "$COREDNS_VERSION" coredns -- go_install "github.com/coredns/coredns@v$COREDNS_VERSION"
run_build kwok "$KWOK_VERSION" kwok -- go_install "sigs.k8s.io/kwok/cmd/kwok@v$KWOK_VERSION"
run_build apiserver-receive-adapter "$KNATIVE_EVENTING_VERSION" apiserver_receive_adapter -- build_adapter
run_build crane "$CRANE_VERSION" crane -- go_install "github.com/google/go-containerregistry/cmd/crane@v$CRANE_VERSION"
run_build helm "$HELM_VERSION" helm -- \
  go_install "helm.sh/helm/v3/cmd/helm@v$HELM_VERSION" "-X helm.sh/helm/v3/internal/version.version=v$HELM_VERSION"
run_build cosign "$COSIGN_VERSION" cosign -- go_install "github.com/sigstore/cosign/v3/cmd/cosign@v$COSIGN_VERSION"
run_build kube-state-metrics "$KUBE_STATE_METRICS_VERSION" kube-state-metrics -- build_kube_state_metrics
run_build promtool "$PROMETHEUS_VERSION" promtool -- build_promtool
build_plugin_fetcher
install_kwok_stages || fail "could not extract kwok's stages from the module cache" "-" "run 'make setup' again"
install_knative_crds || fail "could not extract Knative's CRDs from the module cache" "-" "check the Go module proxy is reachable, then run 'make setup' again"
progress "tools ready in $((SECONDS - started_all))s"
echo "$bin"
