#!/usr/bin/env bash
# Builds kube-apiserver and etcd from the Go modules pinned in hack/testbin/go.mod into
#   ${KUBE_PATROL_CACHE:-$HOME/.cache/kube-patrol}/testbin/<k8s-version>/{kube-apiserver,etcd}
# and prints that directory on the last stdout line. Progress goes to stderr.
#
# Nothing is built when both binaries are already there, or when KUBEBUILDER_ASSETS names a
# directory holding both (the convention of controller-runtime's envtest). See docs/testenv.md.
#
# `build.sh psa-eval` instead builds only psa-eval (./psa-eval: upstream Pod Security Admission as a
# JSON-lines filter, used by test/integration/pss-differential.test.ts) into the same directory, and
# rebuilds it only when its source, go.mod or go.sum changed (a sha256 stamp next to it).
# KUBEBUILDER_ASSETS plays no part in that mode.
#
# `build.sh seccomp-defaults` likewise builds ./seccomp-defaults (its own small module: the containerd and
# moby default seccomp profiles as JSON, used by test/runtime/seccomp-defaults.test.ts) into the same
# directory, rebuilt only when its main.go, go.mod or go.sum changed.
#
# `build.sh yaml-eval` builds only ./yaml-eval (kubectl's manifest decoding, k8s.io/apimachinery's
# YAMLOrJSONDecoder over sigs.k8s.io/yaml, as a JSON-lines filter, used by
# test/integration/yaml-differential.test.ts) from the wrapper module, with its own sha256 stamp.
#
# `build.sh go` only finds (or fetches) the Go toolchain and prints its path: hack/node/build.sh uses it.
set -euo pipefail

target=${1:-control-plane}
case "$target" in control-plane | psa-eval | seccomp-defaults | yaml-eval | go) ;; *) echo "usage: $0 [psa-eval|seccomp-defaults|yaml-eval|go]" >&2; exit 2 ;; esac

here=$(cd "$(dirname "$0")" && pwd)
log() { echo "testbin: $*" >&2; }
has_both() { [ -x "$1/kube-apiserver" ] && [ -x "$1/etcd" ]; }

if [ "$target" = control-plane ] && [ -n "${KUBEBUILDER_ASSETS:-}" ]; then
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
# A filter of the wrapper module (psa-eval, yaml-eval): its main.go, go.mod and go.sum.
filter_stamp() { cat "$here/$1/main.go" "$here/go.mod" "$here/go.sum" | sha256sum | cut -d' ' -f1; }
seccomp_stamp() { cat "$here"/seccomp-defaults/{main.go,go.mod,go.sum} | sha256sum | cut -d' ' -f1; }
is_built() {
  if [ "$target" = psa-eval ] || [ "$target" = yaml-eval ]; then
    [ -x "$out/$target" ] && [ "$(cat "$out/$target.sha256" 2>/dev/null)" = "$(filter_stamp "$target")" ]
  elif [ "$target" = seccomp-defaults ]; then
    [ -x "$out/seccomp-defaults" ] && [ "$(cat "$out/seccomp-defaults.sha256" 2>/dev/null)" = "$(seccomp_stamp)" ]
  else
    has_both "$out"
  fi
}
if [ "$target" != go ] && is_built; then
  log "cached: $out ($target)"
  echo "$out"
  exit 0
fi

# Go >= 1.26 (k8s.io/kubernetes v1.37.2 says `go 1.26.0`). Debian's apt has 1.19, so when no such go is
# found, the Go toolchain is fetched from the Go module proxy (golang.org/toolchain, as GOTOOLCHAIN=auto
# would, but checked against the sha256 below since sum.golang.org may be unreachable).
go_toolchain=go1.26.8
declare -A go_toolchain_sha256=(
  [amd64]=30c2b1bf7dcc88d3eb0a1364e47ddd9128edb3110a30e8a0ef61cd5856b31de7
  [arm64]=02b36b6787b3ac767668f630e2998df45a3b1f9ffee08d1bf3ef6487cd658d99
)
go_is_recent() {
  local v
  v=$("$1" env GOVERSION 2>/dev/null) || return 1
  v=${v#go}
  local major=${v%%.*} rest=${v#*.}
  local minor=${rest%%[!0-9]*}
  [ "$major" -gt 1 ] || { [ "$major" -eq 1 ] && [ "${minor:-0}" -ge 26 ]; }
}
fetch_go() {
  local arch
  case "$(uname -m)" in x86_64) arch=amd64 ;; aarch64 | arm64) arch=arm64 ;; *) arch=unknown ;; esac
  local want=${go_toolchain_sha256[$arch]:-}
  if [ "$(uname -s)" != Linux ] || [ -z "$want" ]; then
    log "no Go >= 1.26 found and no pinned toolchain for $(uname -s)/$(uname -m): install Go >= 1.26"
    return 1
  fi
  local root="${KUBE_PATROL_CACHE:-$HOME/.cache/kube-patrol}/go/$go_toolchain.linux-$arch"
  if [ ! -x "$root/bin/go" ]; then
    local proxy=${GOPROXY:-https://proxy.golang.org}
    proxy=${proxy%%[,|]*}
    case "$proxy" in direct | off | "") proxy=https://proxy.golang.org ;; esac
    local version="v0.0.1-$go_toolchain.linux-$arch" tmpgo
    tmpgo=$(mktemp -d)
    log "fetching Go $go_toolchain from $proxy"
    curl -fsSL --retry 3 -o "$tmpgo/go.zip" "$proxy/golang.org/toolchain/@v/$version.zip"
    if [ "$(sha256sum "$tmpgo/go.zip" | cut -d' ' -f1)" != "$want" ]; then
      log "sha256 mismatch for golang.org/toolchain@$version"
      rm -rf "$tmpgo"
      return 1
    fi
    (cd "$tmpgo" && unzip -q go.zip)
    mkdir -p "$(dirname "$root")"
    rm -rf "$root"
    mv "$tmpgo/golang.org/toolchain@$version" "$root"
    rm -rf "$tmpgo"
  fi
  echo "$root/bin/go"
}

go_bin=${GO:-}
if [ -z "$go_bin" ]; then
  for candidate in "$(command -v go || true)" /usr/local/go/bin/go; do
    if [ -n "$candidate" ] && [ -x "$candidate" ] && go_is_recent "$candidate"; then
      go_bin=$candidate
      break
    fi
  done
  if [ -z "$go_bin" ]; then
    go_bin=$(fetch_go)
    export GOTOOLCHAIN=local
  fi
fi
if [ "$target" = go ]; then
  echo "$go_bin"
  exit 0
fi

mkdir -p "$out"
# Two runs at once (a test run and `testenv up`) must not both build or see a half-written binary.
exec 9>"$out/.build.lock"
if command -v flock >/dev/null 2>&1; then flock 9; fi
if is_built; then
  log "cached: $out ($target)"
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
ticker=""
trap 'rm -rf "$tmp"; [ -z "$ticker" ] || kill "$ticker" 2>/dev/null || true' EXIT

# Go's build and module caches: kube-patrol's own, on purpose, next to the binaries, shared by every build
# of this script (control plane, psa-eval, later versions) and removed with the rest by
# `rm -rf ~/.cache/kube-patrol` (-modcacherw: the module cache is writable, so rm works). A first build
# fills about 3 GB of build cache and 0.8 GB of modules. Set GOCACHE/GOMODCACHE to use your own instead.
go_cache_root="${KUBE_PATROL_CACHE:-$HOME/.cache/kube-patrol}/go"
export GOCACHE="${GOCACHE:-$go_cache_root/build-cache}" GOMODCACHE="${GOMODCACHE:-$go_cache_root/mod}"
export GOFLAGS="${GOFLAGS:+$GOFLAGS }-modcacherw"

# A Go build of kube-apiserver is silent for many minutes: a line every KUBE_PATROL_TICK seconds (30 by
# default) says what is being built and for how long, so a first run never looks hung.
tick_every=${KUBE_PATROL_TICK:-30}
ticking() {
  local what=$1 began
  shift
  began=$(date +%s)
  (
    # The nap is killed with the ticker: no stray sleep keeps stderr open after the build.
    nap=""
    trap '[ -z "$nap" ] || kill "$nap" 2>/dev/null; exit 0' TERM
    while :; do
      sleep "$tick_every" &
      nap=$!
      wait "$nap"
      s=$(($(date +%s) - began))
      log "still building $what: $((s / 60))m$((s % 60))s elapsed"
    done
  ) &
  ticker=$!
  local status=0
  "$@" || status=$?
  kill "$ticker" 2>/dev/null || true
  wait "$ticker" 2>/dev/null || true
  ticker=""
  return "$status"
}
size_of() { du -sh "$1" 2>/dev/null | cut -f1 || true; }
cache_note() {
  log "Go caches kept for later builds: ${GOCACHE} ($(size_of "$GOCACHE")), ${GOMODCACHE} ($(size_of "$GOMODCACHE"))"
}

cd "$here"
export CGO_ENABLED=0 GOWORK=off
start=$(date +%s)
if [ "$target" = psa-eval ] || [ "$target" = yaml-eval ]; then
  stamp=$(filter_stamp "$target")
  log "building $target (the wrapper module's k8s.io modules of $k8s_version)"
  ticking "$target" "$go_bin" build -trimpath -ldflags "-s -w" -o "$tmp/$target" "./$target"
  mv "$tmp/$target" "$out/"
  echo "$stamp" >"$out/$target.sha256"
  log "built in $(( $(date +%s) - start ))s: $out/$target"
  echo "$out"
  exit 0
fi
if [ "$target" = seccomp-defaults ]; then
  stamp=$(seccomp_stamp)
  log "building seccomp-defaults (hack/testbin/seccomp-defaults/go.mod)"
  (cd seccomp-defaults && ticking seccomp-defaults "$go_bin" build -trimpath -ldflags "-s -w" -o "$tmp/seccomp-defaults" .)
  mv "$tmp/seccomp-defaults" "$out/"
  echo "$stamp" >"$out/seccomp-defaults.sha256"
  log "built in $(( $(date +%s) - start ))s: $out/seccomp-defaults"
  echo "$out"
  exit 0
fi
log "building kube-apiserver $k8s_version: the first build downloads ~0.8 GB of modules and compiles for 7-18 min on 2 cores (measured); later runs reuse it"
ticking "kube-apiserver $k8s_version" "$go_bin" build -trimpath -ldflags "-s -w$version_flags" -o "$tmp/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver
log "building etcd $etcd_version"
ticking "etcd $etcd_version" "$go_bin" build -trimpath -ldflags "-s -w" -o "$tmp/etcd" go.etcd.io/etcd/server/v3
mv "$tmp/kube-apiserver" "$tmp/etcd" "$out/"
log "built in $(( $(date +%s) - start ))s: $out"
cache_note
echo "$out"
