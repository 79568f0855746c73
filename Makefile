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

.PHONY: help setup tools deps build generate bundle fixtures bench faults lint format typecheck test unit integration demo cluster-up cluster-down cluster-status chart fetcher-image

help: ## list the verbs
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

setup: deps tools ## install npm packages and build the test bed's binaries (cached)

deps: node_modules/.package-lock.json

node_modules/.package-lock.json: package.json package-lock.json functions/*/package.json
	npm ci --no-audit --no-fund
	@touch $@

tools: ## build missing Go binaries into the cache
	hack/build-tools.sh >/dev/null

build: deps bundle ## type-check everything and bundle the functions
	npx tsc -p tsconfig.json

typecheck: deps
	npx tsc -p tsconfig.json

generate: deps ## regenerate crds/, docs/api.md and knative/ from the code (a unit test fails when stale)
	node hack/generate.ts

bundle: deps ## make each function folder self-contained for kn func (dist/function.mjs)
	node hack/bundle.ts

lint: deps ## eslint and prettier --check; go vet and gofmt for the plugin fetcher
	npx eslint .
	npx prettier --check .
	cd images/plugin-fetcher && GOTOOLCHAIN=local go vet ./... && test -z "$$(gofmt -l .)" || { gofmt -l .; exit 1; }

format: deps ## rewrite files with prettier
	npx prettier --write .

unit: deps ## fast tests of pure logic (and the plugin fetcher's Go tests)
	npx vitest run --project unit
	cd images/plugin-fetcher && GOTOOLCHAIN=local GOFLAGS=-buildvcs=false go test ./...

integration: setup ## tests against the real local control plane (started and stopped by the run)
	npx vitest run --project integration

test: setup lint typecheck unit integration ## everything CI runs

demo: setup ## bring up the local control plane, install the API, apply docs/examples and show them
	@$(CLUSTER) up --reuse
	@echo
	@$(KUBECTL) --kubeconfig "$$($(CLUSTER) kubeconfig)" get nodes -o wide
	@echo
	@node test/cluster/demo.ts "$$($(CLUSTER) kubeconfig)"
	@echo "use it:   export KUBECONFIG=$$($(CLUSTER) kubeconfig)"
	@echo "stop it:  make cluster-down"

cluster-up: setup ## start etcd, kube-apiserver, controller-manager, scheduler and kwok on loopback
	@$(CLUSTER) up

cluster-down: ## stop the local control plane and remove its files
	@$(CLUSTER) down

cluster-status: ## show the local control plane's processes and memory
	@$(CLUSTER) status

chart: setup ## lint the Helm chart and package it into dist/ (its generated templates come from `make generate`)
	$(MCPG_TOOLS_BIN)/helm lint --strict chart --kube-version 1.36.3
	$(MCPG_TOOLS_BIN)/helm package chart --destination dist

fetcher-image: tools ## build the plugin fetcher image from scratch and push it: make fetcher-image IMAGE=host/repo:tag [CRANE_FLAGS=--insecure]
	@test -n "$(IMAGE)" || { echo "set IMAGE=<registry>/<repository>:<tag>"; exit 1; }
	hack/fetcher-image.sh "$(IMAGE)" $(CRANE_FLAGS)

faults: setup ## fault injection on the local control plane: a table of scenarios, JSON in test/bench/results/faults.json
	node test/faults/faults.ts

fixtures: setup ## record Knative adapter CloudEvents for the replay tests (test/fixtures/events/)
	node test/fixtures/record-events.ts
	node test/fixtures/record-gateway-events.ts
	node test/fixtures/record-tenancy-events.ts

bench: setup ## run the benchmarks (each prints a table and writes JSON to test/bench/results/)
	node test/bench/admission.ts
	node test/bench/functions.ts
	node test/bench/gateway.ts
	node test/bench/plugin-sets.ts
	node test/bench/mirror.ts
	node test/bench/resync.ts
