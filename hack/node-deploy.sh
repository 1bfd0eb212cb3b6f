#!/usr/bin/env bash
# `make node-deploy`: the operator from its own image on the node of `make node-up` (docs/node.md,
# docs/image.md). Builds the image without a registry (hack/image/build.sh), imports it into the node's
# containerd (k8s.io namespace), applies hack/kind's overlay of manifests/ (it changes only the image, to
# kube-patrol:dev, which the Deployment's imagePullPolicy IfNotPresent then finds imported: nothing is
# pulled), restarts the rollout when the Deployment was already there (same tag, maybe a new image), and
# returns when the rollout is done. The last stdout line is the admin kubeconfig's path.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
log() { echo "node-deploy: $*" >&2; }

status=$(node "$root/hack/node.ts" status)
kubeconfig=${status#running: }
if [ "$kubeconfig" = "$status" ]; then
  log "the node is not running: make node-up"
  exit 1
fi
archive=$("$root/hack/image/build.sh" | tail -n1)
node "$root/hack/node.ts" import "$archive" >&2
k() { kubectl --kubeconfig "$kubeconfig" "$@"; }
existed=false
k -n kube-patrol get deployment kube-patrol >/dev/null 2>&1 && existed=true
k apply --server-side --force-conflicts -k "$root/hack/kind" >&2
if $existed; then k -n kube-patrol rollout restart deployment/kube-patrol >&2; fi
k -n kube-patrol rollout status deployment/kube-patrol --timeout=300s >&2
log "kube-patrol runs from $(k -n kube-patrol get deployment kube-patrol -o jsonpath='{.spec.template.spec.containers[0].image}')"
echo "$kubeconfig"
