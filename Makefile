# kube-patrol. Every target runs on Node 24: hack/ensure-node.sh fetches it into .cache/ when the
# system Node is older, and this Makefile puts it first on PATH.
SHELL := /bin/bash
.DEFAULT_GOAL := help
NODE_BIN := $(shell hack/ensure-node.sh)
export PATH := $(NODE_BIN):$(PATH)

.PHONY: help deps build test lint typecheck demo docs bench clean testenv-up testenv-down node-up node-down e2e-node image image-offline node-deploy kind-up kind-deploy kind-down

# The operator image. hack/kind/kustomization.yaml deploys kube-patrol:dev: change both together.
IMAGE ?= kube-patrol:dev
KIND_CLUSTER ?= kube-patrol
KUBECTL_KIND := kubectl --context kind-$(KIND_CLUSTER)

help:
	@echo "make demo   - start a local control plane, apply examples/, run the operator once, fetch its report into demo-output/"
	@echo "make test   - run every test (unit, integration on a real control plane, browser)"
	@echo "make testenv-up / testenv-down - a local kube-apiserver + etcd (docs/testenv.md)"
	@echo "make node-up / node-down - as root: a one-node cluster (kubelet, containerd, runc) on this machine (docs/node.md)"
	@echo "make e2e-node - as root: the tests on that node (test/node; not part of make test, docs/node.md)"
	@echo "make lint | typecheck | build | docs | bench"
	@echo "make image-offline - the operator image from the Dockerfile with buildah, no registry (docs/image.md)"
	@echo "make node-deploy - as root, after make node-up: the operator from that image on the node (docs/image.md)"
	@echo "make kind-up kind-deploy - with Docker and kind: a local cluster running the operator (kind-down removes it)"

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

deps: node_modules/.installed

build: deps
	npm run build

typecheck: deps
	npm run typecheck

lint: deps
	npm run lint

docs: deps
	npm run docs

test: deps
	npm run typecheck
	npm run lint
	npm test

# The operator's main job on a throwaway control plane (kube-apiserver + etcd built from hack/testbin on
# first use): examples/ applied, manifests/ RBAC installed, `operator --once`, report read back.
demo: deps
	node hack/demo.ts src/cli/main.ts demo-output

testenv-up: deps ## kube-apiserver + etcd on loopback, detached; the last line is the admin kubeconfig path
	@node hack/testenv.ts up

testenv-down: ## stop it and remove .testenv/
	@node hack/testenv.ts down

node-up: deps ## as root: control plane + controller-manager, scheduler, kube-proxy, containerd, kubelet; the last line is the admin kubeconfig path
	@node hack/node.ts up

node-down: ## stop the node and remove its pods, mounts, bridge, rules and .node/
	@node hack/node.ts down

e2e-node: deps ## the node tests (brings the node up when it is not running); not part of `make test`
	KUBE_PATROL_E2E_NODE=1 npx vitest run --project node

bench: deps
	npm run bench

image: ## the operator image (Dockerfile): needs Docker
	docker build -t $(IMAGE) .

image-offline: ## the same image without Docker or a registry: buildah, Debian-built stand-in bases (docs/image.md)
	@hack/image/build.sh

node-deploy: deps ## as root, on the node of `make node-up`: image-offline, import it, apply hack/kind's overlay, wait for the rollout
	@hack/node-deploy.sh

kind-up: ## a one-node kind cluster named $(KIND_CLUSTER)
	kind create cluster --config hack/kind.yaml --name $(KIND_CLUSTER)

kind-deploy: image ## build the image, load it into the kind node, apply the manifests, wait for the rollout
	kind load docker-image $(IMAGE) --name $(KIND_CLUSTER)
	$(KUBECTL_KIND) apply -k hack/kind
	$(KUBECTL_KIND) -n kube-patrol rollout restart deployment/kube-patrol
	$(KUBECTL_KIND) -n kube-patrol rollout status deployment/kube-patrol --timeout=180s

kind-down:
	kind delete cluster --name $(KIND_CLUSTER)

clean:
	rm -rf dist demo-output
