#!/usr/bin/env bash
# Builds kube-apiserver and etcd from the Go modules pinned in hack/testbin/go.mod into
#   ${KUBE_PATROL_CACHE:-$HOME/.cache/kube-patrol}/testbin/<k8s-version>/{kube-apiserver,etcd}
# and prints that directory on the last stdout line. Progress goes to stderr.
#
# Nothing is built when both binaries are already there, or when KUBEBUILDER_ASSETS names a
# directory holding both (the convention of controller-runtime's envtest). See docs/testenv.md.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
log() { echo "testbin: $*" >&2; }
has_both() { [ -x "$1/kube-apiserver" ] && [ -x "$1/etcd" ]; }

if [ -n "${KUBEBUILDER_ASSETS:-}" ]; then
  if has_both "$KUBEBUILDER_ASSETS"; then
    log "using KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS"
    (cd "$KUBEBUILDER_ASSETS" && pwd)
    exit 0
  fi
  log "KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS lacks kube-apiserver or etcd; using the build cache"
fi

module_version() { awk -v m="$1" '$1 == m { print $2; exit }' "$here/go.mod"; }
k8s_version=$(module_version k8s.io/kubernetes)
etcd_version=$(module_version go.etcd.io/etcd/server/v3)
if [ -z "$k8s_version" ] || [ -z "$etcd_version" ]; then
  log "cannot read the k8s.io/kubernetes or etcd version from $here/go.mod"
  exit 1
fi

out="${KUBE_PATROL_CACHE:-$HOME/.cache/kube-patrol}/testbin/$k8s_version"
if has_both "$out"; then
  log "cached: $out"
  echo "$out"
  exit 0
fi

go_bin=${GO:-}
if [ -z "$go_bin" ]; then
  if command -v go >/dev/null 2>&1; then go_bin=$(command -v go)
  elif [ -x /usr/local/go/bin/go ]; then go_bin=/usr/local/go/bin/go
  else
    log "go not found: install Go >= 1.26 (or set GO=/path/to/go, or KUBEBUILDER_ASSETS)"
    exit 1
  fi
fi

mkdir -p "$out"
# Two runs at once (a test run and `testenv up`) must not both build or see a half-written binary.
exec 9>"$out/.build.lock"
if command -v flock >/dev/null 2>&1; then flock 9; fi
if has_both "$out"; then
  log "cached: $out"
  echo "$out"
  exit 0
fi

minor=${k8s_version#v1.}
minor=${minor%%.*}
build_date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
version_flags=""
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  version_flags+=" -X $pkg.gitVersion=$k8s_version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
  version_flags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$build_date"
done

tmp=$(mktemp -d "$out/.build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

cd "$here"
export CGO_ENABLED=0 GOWORK=off
start=$(date +%s)
log "building kube-apiserver $k8s_version (first build takes 10-25 min on 2 cores)"
"$go_bin" build -trimpath -ldflags "-s -w$version_flags" -o "$tmp/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver
log "building etcd $etcd_version"
"$go_bin" build -trimpath -ldflags "-s -w" -o "$tmp/etcd" go.etcd.io/etcd/server/v3
mv "$tmp/kube-apiserver" "$tmp/etcd" "$out/"
log "built in $(( $(date +%s) - start ))s: $out"
echo "$out"
