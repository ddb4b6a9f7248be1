# Stratus developer entry points. `make run` and `make test` are the two
# commands a fresh machine needs; everything else they need, they build.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

ROOT  := $(abspath .)
CACHE := $(ROOT)/.cache
BIN   := $(CACHE)/bin
TOOLS := $(CACHE)/tools

# Pinned tool versions (the module proxy here serves exact versions only).
CONTROLLER_GEN_VERSION := v0.20.1
GOLANGCI_LINT_VERSION  := v2.6.0

CONTROLLER_GEN := $(TOOLS)/controller-gen-$(CONTROLLER_GEN_VERSION)
GOLANGCI_LINT  := $(TOOLS)/golangci-lint-$(GOLANGCI_LINT_VERSION)
LOCAL_CP       := $(BIN)/etcd $(BIN)/kube-apiserver $(BIN)/kubectl
LOCAL_CP_DEPS  := cluster/local/go.mod cluster/local/go.sum $(wildcard cluster/local/*/*.go)

# API packages whose types get deepcopy, method sets and CRDs.
API_DIRS := $(sort $(dir $(wildcard apis/*/*/*_types.go providers/*/apis/*/*_types.go providers/*/apis/*/*/*_types.go)))
# Everything `make generate` writes; `make check-generate` compares it.
GENERATED := cluster/crds $(API_DIRS)

GO_TEST_FLAGS ?= -timeout 20m

export STRATUS_BIN_DIR := $(BIN)

# Compiles a Go main package with go build -v, printing a running count of
# compiled packages instead of every package name (errors still show).
define go_build_progress
	@echo "==> Building $(notdir $@) (first build takes minutes; later builds reuse the Go cache)"
	@cd $(1) && go build -v -o $@ $(2) 2>&1 | awk '/^[[:alnum:]_.\/~-]+$$/ { n++; if (n % 200 == 0) printf "    %d packages compiled\n", n; fflush(); next } { print } END { if (n) printf "    %d packages compiled\n", n }'
endef

##@ Main

.PHONY: run
run: tools build postgres ## Run Stratus with the demo: a database and a machine claimed on each cloud of the local cloud (DEV_FLAGS adds flags; Ctrl-C stops it).
	$(BIN)/stratus dev --demo $(DEV_FLAGS)

.PHONY: test
test: tools postgres ## Run unit and integration tests against the local control plane, moto and the local cloud.
	@echo "==> Running tests"
	go test $(GO_TEST_FLAGS) ./...

##@ Development

.PHONY: build
build: ## Build the stratus and provider binaries into .cache/bin.
	@for cmd in stratus provider-aws provider-gcp provider-azure; do \
		echo "==> Building $$cmd (first build takes minutes; later builds reuse the Go cache)"; \
		go build -v -o $(BIN)/$$cmd ./cmd/$$cmd 2>&1 | awk '/^[[:alnum:]_.\/~-]+$$/ { n++; if (n % 200 == 0) printf "    %d packages compiled\n", n; fflush(); next } { print } END { if (n) printf "    %d packages compiled\n", n }'; \
	done

.PHONY: tools
tools: $(LOCAL_CP) ## Build etcd, kube-apiserver and kubectl from source into .cache/bin.

# The local cloud runs Debian's PostgreSQL 15 servers behind its database APIs.
PG_BIN := /usr/lib/postgresql/15/bin
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: postgres
postgres: ## Check for PostgreSQL 15 (the local cloud's databases) and install Debian's package if it is missing.
	@test -x $(PG_BIN)/postgres || { \
		echo "==> Installing PostgreSQL 15 (Debian package postgresql-15) for the local cloud"; \
		$(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15; }

$(BIN)/etcd: $(LOCAL_CP_DEPS)
	$(call go_build_progress,cluster/local,./etcd)

$(BIN)/kube-apiserver: $(LOCAL_CP_DEPS)
	$(call go_build_progress,cluster/local,k8s.io/kubernetes/cmd/kube-apiserver)

$(BIN)/kubectl: $(LOCAL_CP_DEPS)
	$(call go_build_progress,cluster/local,k8s.io/kubernetes/cmd/kubectl)

$(CONTROLLER_GEN):
	@echo "==> Installing controller-gen $(CONTROLLER_GEN_VERSION)"
	GOBIN=$(TOOLS)/tmp-cg go install sigs.k8s.io/controller-tools/cmd/controller-gen@$(CONTROLLER_GEN_VERSION)
	mv $(TOOLS)/tmp-cg/controller-gen $@ && rmdir $(TOOLS)/tmp-cg

$(GOLANGCI_LINT):
	@echo "==> Installing golangci-lint $(GOLANGCI_LINT_VERSION) (first build takes a few minutes)"
	GOBIN=$(TOOLS)/tmp-gl go install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)
	mv $(TOOLS)/tmp-gl/golangci-lint $@ && rmdir $(TOOLS)/tmp-gl

.PHONY: generate
generate: $(CONTROLLER_GEN) ## Generate method sets, deepcopy functions and CRDs.
	@echo "==> Generating code and CRDs"
	go run ./cmd/methodgen -header hack/boilerplate.go.txt $(API_DIRS)
	$(CONTROLLER_GEN) object:headerFile=hack/boilerplate.go.txt paths=./apis/... paths=./providers/...
	rm -rf cluster/crds && mkdir -p cluster/crds
	$(CONTROLLER_GEN) crd:crdVersions=v1 paths=./apis/... paths=./providers/... output:crd:artifacts:config=cluster/crds

.PHONY: check-generate
check-generate: generate ## Fail when generated files differ from what is committed.
	@if [ -n "$$(git status --porcelain -- $(GENERATED))" ]; then \
		echo "Generated files are stale; run 'make generate' and commit the result:"; \
		git status --porcelain -- $(GENERATED); \
		git --no-pager diff --stat -- $(GENERATED); \
		exit 1; \
	fi
	@echo "==> Generated files are up to date"

.PHONY: lint
lint: $(GOLANGCI_LINT) ## Run golangci-lint.
	@echo "==> Linting"
	GOLANGCI_LINT_CACHE=$(CACHE)/golangci-lint $(GOLANGCI_LINT) run ./...
	cd cluster/local && GOLANGCI_LINT_CACHE=$(CACHE)/golangci-lint $(GOLANGCI_LINT) run --config $(ROOT)/.golangci.yml ./...

.PHONY: verify
verify: check-generate lint ## Everything CI checks besides the tests.

.PHONY: bench
bench: tools ## Run the composition benchmark: 300 claims on a local control plane (docs/performance.md).
	@echo "==> Running the composition benchmark (flags: BENCH_FLAGS, e.g. BENCH_FLAGS=-json)"
	go run ./test/bench/composition $(BENCH_FLAGS)

.PHONY: bench-aws
bench-aws: tools ## Run the AWS provider benchmark: 500 DBInstances against moto (docs/providers/aws.md).
	@echo "==> Running the AWS provider benchmark (flags: BENCH_FLAGS, e.g. BENCH_FLAGS=-json)"
	go run ./test/bench/awsprovider $(BENCH_FLAGS)

.PHONY: clean
clean: ## Remove built binaries, tools and dev state.
	rm -rf $(CACHE)

.PHONY: help
help: ## Show this help.
	@awk 'BEGIN { FS = ":.*##"; printf "Usage: make <target>\n" } /^[a-zA-Z_-]+:.*?##/ { printf "  %-16s %s\n", $$1, $$2 } /^##@/ { printf "\n%s\n", substr($$0, 5) }' $(MAKEFILE_LIST)
