# The project's verbs. Everything a target needs is installed by `setup` into ~/.cache/mcpg-functions.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# Node 24 from the machine or from the cache (installed from the npm registry when the machine's is older).
NODE_BIN := $(shell hack/setup-node.sh)
ifeq ($(NODE_BIN),)
$(error could not provide Node 24: see the message above)
endif
export PATH := $(NODE_BIN):$(PATH)
# The Go-built test bed binaries (etcd, kube-*, kwok, Knative's adapter, helm, crane, cosign).
export MCPG_TOOLS_BIN := $(shell hack/build-tools.sh --print)
KUBECTL := $(MCPG_TOOLS_BIN)/kubectl
CLUSTER := node test/cluster/cli.ts

.PHONY: help setup packages tools deps build generate bundle cli fixtures bench bench-h2h faults lint format typecheck test unit integration real-node demo cluster-up cluster-down cluster-status chart images

help: ## list the verbs
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

setup: packages deps tools ## install the missing Debian packages and the npm packages, build the test bed's binaries (cached)

packages: ## install the Debian packages the test bed needs (apt-get runs only when one is missing)
	hack/install-debian-packages.sh

deps: node_modules/.package-lock.json

node_modules/.package-lock.json: package.json package-lock.json functions/*/package.json packages/*/package.json
	npm ci --no-audit --no-fund
	@touch $@

tools: ## build missing Go binaries into the cache
	hack/build-tools.sh >/dev/null

build: deps bundle cli ## type-check everything, bundle the functions and build the mcpg command
	npx tsc -p tsconfig.json

typecheck: deps
	npx tsc -p tsconfig.json

generate: deps ## regenerate crds/, docs/api.md and knative/ from the code (a unit test fails when stale)
	node hack/generate.ts

bundle: deps ## make each function folder self-contained for kn func (dist/function.mjs)
	node hack/bundle.ts

cli: deps ## build the mcpg command (packages/cli/dist/mcpg.cjs) and pack it as an npm tarball into dist/
	node packages/cli/build.ts --pack dist

GO_PROGRAMS := images/plugin-fetcher images/stdio-bridge

lint: deps ## eslint and prettier --check; go vet and gofmt for the Go programs in images/
	npx eslint .
	npx prettier --check .
	for dir in $(GO_PROGRAMS); do (cd $$dir && GOTOOLCHAIN=local go vet ./... && test -z "$$(gofmt -l .)") || { gofmt -l $$dir; exit 1; }; done

format: deps ## rewrite files with prettier
	npx prettier --write .

unit: deps ## fast tests of pure logic (and the Go programs' tests)
	npx vitest run --project unit
	for dir in $(GO_PROGRAMS); do (cd $$dir && GOTOOLCHAIN=local GOFLAGS=-buildvcs=false go test ./...) || exit 1; done

integration: setup ## tests against the real local control plane (started and stopped by the run)
	npx vitest run --project integration

real-node: setup ## tests on a real node (kubelet, containerd, CoreDNS; needs root), undone and checked afterwards
	npx vitest run --project real-node

e2e: setup ## end-to-end tests on the Knative stack on a real node (its own bed with every stack part, undone afterwards)
	npx vitest run --project e2e

test: setup lint typecheck unit integration real-node e2e ## everything CI runs

demo: setup ## bring up the local control plane, install the API, apply docs/examples and show them (KNATIVE=1: on the Knative stack, functions from zero)
ifeq ($(KNATIVE),1)
	@$(MAKE) --no-print-directory knative-up
	@node test/knative/demo.ts
else
	@$(CLUSTER) up --reuse
	@echo
	@$(KUBECTL) --kubeconfig "$$($(CLUSTER) kubeconfig)" get nodes -o wide
	@echo
	@node test/cluster/demo.ts "$$($(CLUSTER) kubeconfig)"
	@echo "use it:   export KUBECONFIG=$$($(CLUSTER) kubeconfig)"
	@echo "stop it:  make cluster-down"
endif

cluster-up: setup ## start etcd, kube-apiserver, controller-manager, scheduler and kwok on loopback (REAL_NODE=1 adds a real node)
	@$(CLUSTER) up $(if $(filter 1,$(REAL_NODE)),--real-node)

knative-up: setup ## the real-node bed (started when none runs) with the Knative stack installed; prints the KUBECONFIG export
	@$(CLUSTER) up --reuse --real-node >/dev/null
	@node test/knative/cli.ts install
	@echo "export KUBECONFIG=$$($(CLUSTER) kubeconfig)"

cluster-down: ## stop the local control plane (and the real node), remove its files, restore the machine
	@$(CLUSTER) down

cluster-status: ## show the local control plane's processes and memory
	@$(CLUSTER) status

chart: setup ## lint the Helm chart and package it into dist/ (its generated templates come from `make generate`)
	$(MCPG_TOOLS_BIN)/helm lint --strict chart --kube-version 1.36.3
	$(MCPG_TOOLS_BIN)/helm package chart --destination dist

images: setup ## build, push and sign every image with its SBOM (default: the bed's registry; REGISTRY=<host/path> COSIGN_KEY=<file> IMAGES=a,b)
	node images/builder/cli.ts $(if $(REGISTRY),--registry $(REGISTRY)) $(if $(COSIGN_KEY),--key $(COSIGN_KEY)) $(if $(IMAGES),--only $(IMAGES))

faults: setup ## fault injection on the local control plane: a table of scenarios, JSON in test/bench/results/faults.json
	node test/faults/faults.ts

fixtures: setup ## record Knative adapter CloudEvents for the replay tests (test/fixtures/events/; node test/fixtures/record.ts --list)
	node test/fixtures/record.ts

bench: setup ## run the benchmarks (each prints a table and writes JSON to test/bench/results/)
	node test/bench/admission.ts
	node test/bench/functions.ts
	node test/bench/gateway.ts
	node test/bench/plugin-sets.ts
	node test/bench/mirror.ts
	node test/bench/cli-start.ts
	node test/bench/real-node.ts
	node test/bench/resync.ts
	node test/bench/h2h.ts

bench-h2h: setup ## head to head on a fresh control plane: our functions, or a peer operator (H2H_ARGS='--operator BIN --crds DIR --sample FILE'; see README)
	node test/bench/h2h.ts $(H2H_ARGS)
