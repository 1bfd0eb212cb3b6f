#!/usr/bin/env bash
# Builds everything a one-node test cluster needs besides the control plane (hack/testbin/build.sh) into
#   ${KUBE_PATROL_CACHE:-$HOME/.cache/kube-patrol}/node/<k8s-version>/
#     bin/     kubelet kube-controller-manager kube-scheduler kube-proxy  (k8s.io/kubernetes, pinned in ./go.mod)
#              containerd containerd-shim-runc-v2 ctr                      (github.com/containerd/containerd/v2)
#              crictl                                                      (sigs.k8s.io/cri-tools)
#     cni/     bridge host-local loopback portmap                         (github.com/containernetworking/plugins)
#     images/  pause.tar    registry.k8s.io/pause:<tag>, build/pause/linux/pause.c of the pinned module, gcc -static
#              busybox.tar  kube-patrol.test/busybox:<version>, Debian's busybox-static
# and prints that directory on the last stdout line; progress goes to stderr. Every part is built from the Go
# module proxy (or Debian packages) and rebuilt only when its inputs change: a stamp per part in stamps/.
# runc is Debian's (`apt-get install runc`). See docs/node.md.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
log() { echo "node-build: $*" >&2; }

# Pinned versions. containerd v2: the kubelet of v1.37 speaks CRI v1 and needs containerd >= 2.0's
# RuntimeConfig (Debian bookworm's containerd is 1.6). cri-tools follows the Kubernetes minor.
containerd_version=v2.4.2
cni_plugins_version=v1.10.0
cri_tools_version=v1.37.0
busybox=/bin/busybox

k8s_version=$(awk '$1 == "k8s.io/kubernetes" { print $2; exit } $1 == "require" && $2 == "k8s.io/kubernetes" { print $3; exit }' "$here/go.mod")
testbin_version=$(awk '$1 == "k8s.io/kubernetes" { print $2; exit }' "$here/../testbin/go.mod")
if [ -z "$k8s_version" ] || [ "$k8s_version" != "$testbin_version" ]; then
  log "hack/node/go.mod pins k8s.io/kubernetes ${k8s_version:-?} but hack/testbin/go.mod pins ${testbin_version:-?}: keep them equal"
  exit 1
fi

cache="${KUBE_PATROL_CACHE:-$HOME/.cache/kube-patrol}"
out="$cache/node/$k8s_version"
mkdir -p "$out/bin" "$out/cni" "$out/images" "$out/stamps"
exec 9>"$out/.build.lock"
if command -v flock >/dev/null 2>&1; then flock 9; fi

# What each part is built from; a part whose stamp differs is rebuilt.
declare -A inputs=(
  [k8s]="$k8s_version $(cat "$here/go.mod" "$here/go.sum" | sha256sum | cut -d' ' -f1)"
  [containerd]="$containerd_version"
  [cni]="$cni_plugins_version"
  [crictl]="$cri_tools_version"
  [pause]="$k8s_version $(sha256sum "$0" | cut -d' ' -f1)"
  [busybox]="$(sha256sum "$busybox" "$0" 2>/dev/null | sha256sum | cut -d' ' -f1)"
)
stamp_of() { echo "${inputs[$1]}" | sha256sum | cut -d' ' -f1; }
is_built() { [ "$(cat "$out/stamps/$1" 2>/dev/null)" = "$(stamp_of "$1")" ]; }
# `build.sh PART...` builds only those parts (k8s containerd cni crictl pause busybox).
parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=(k8s containerd cni crictl pause busybox)
todo=()
for part in "${parts[@]}"; do
  [ -n "${inputs[$part]:-}" ] || { log "unknown part $part"; exit 2; }
  is_built "$part" || todo+=("$part")
done
if [ ${#todo[@]} -eq 0 ]; then
  log "cached: $out"
  echo "$out"
  exit 0
fi
log "to build: ${todo[*]}"

go_bin=${GO:-$(bash "$here/../testbin/build.sh" go)}
# The same Go caches as hack/testbin/build.sh, so the control plane's packages are reused.
export GOCACHE="${GOCACHE:-$cache/go/build-cache}" GOMODCACHE="${GOMODCACHE:-$cache/go/mod}"
export GOFLAGS="${GOFLAGS:+$GOFLAGS }-modcacherw" GOWORK=off GOTOOLCHAIN=local CGO_ENABLED=0

tmp=$(mktemp -d "$out/.build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
timed() {
  local what=$1 began
  shift
  began=$(date +%s)
  log "building $what"
  "$@"
  log "built $what in $(($(date +%s) - began))s"
}
done_part() { stamp_of "$1" >"$out/stamps/$1"; }

build_k8s() {
  local minor=${k8s_version#v1.} flags="" pkg build_date
  minor=${minor%%.*}
  build_date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    flags+=" -X $pkg.gitVersion=$k8s_version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    flags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$build_date"
  done
  mkdir -p "$tmp/k8s"
  (cd "$here" && "$go_bin" build -trimpath -ldflags "-s -w$flags" -o "$tmp/k8s/" \
    k8s.io/kubernetes/cmd/kubelet k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kube-proxy)
  mv "$tmp"/k8s/* "$out/bin/"
}

# `go install module/cmd@version` builds a tool with its own go.mod (no wrapper module needed: none of these
# has replace directives).
go_install() {
  local dir=$1
  shift
  mkdir -p "$dir"
  GOBIN="$dir" "$go_bin" install -trimpath "$@"
}

build_containerd() {
  local pkg=github.com/containerd/containerd/v2
  # no_btrfs: the btrfs snapshotter needs cgo; overlayfs is what the node uses.
  go_install "$tmp/containerd" -tags "urfave_cli_no_docs no_btrfs" \
    -ldflags "-s -w -X $pkg/version.Version=$containerd_version -X $pkg/version.Package=$pkg" \
    "$pkg/cmd/containerd@$containerd_version" "$pkg/cmd/ctr@$containerd_version" \
    "$pkg/cmd/containerd-shim-runc-v2@$containerd_version"
  mv "$tmp"/containerd/* "$out/bin/"
}

build_cni() {
  local m=github.com/containernetworking/plugins
  go_install "$tmp/cni" -ldflags "-s -w -X $m/pkg/utils/buildversion.BuildVersion=$cni_plugins_version" \
    "$m/plugins/main/bridge@$cni_plugins_version" "$m/plugins/main/loopback@$cni_plugins_version" \
    "$m/plugins/ipam/host-local@$cni_plugins_version" "$m/plugins/meta/portmap@$cni_plugins_version"
  mv "$tmp"/cni/* "$out/cni/"
}

build_crictl() {
  local m=sigs.k8s.io/cri-tools
  go_install "$tmp/crictl" -ldflags "-s -w -X $m/pkg/version.Version=$cri_tools_version" \
    "$m/cmd/crictl@$cri_tools_version"
  mv "$tmp"/crictl/* "$out/bin/"
}

# A docker-archive (what `docker save` writes; `ctr images import` reads it) of one layer made from the
# directory $2, with config fields $3 (a JSON fragment), tagged $4, written to $1. Byte-for-byte
# reproducible: sorted names, uid/gid 0, mtime 0.
image_archive() {
  local archive=$1 rootfs=$2 config=$3 tag=$4 work diff_id config_id
  work=$(mktemp -d "$tmp/image.XXXXXX")
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$rootfs" -cf "$work/layer.tar" .
  diff_id=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
  mkdir "$work/$diff_id"
  mv "$work/layer.tar" "$work/$diff_id/layer.tar"
  printf '{"architecture":"%s","os":"linux","config":%s,"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
    "$("$go_bin" env GOARCH)" "$config" "$diff_id" >"$work/config.json"
  config_id=$(sha256sum "$work/config.json" | cut -d' ' -f1)
  mv "$work/config.json" "$work/$config_id.json"
  printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["%s/layer.tar"]}]' "$config_id" "$tag" "$diff_id" \
    >"$work/manifest.json"
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$work" \
    -cf "$archive" manifest.json "$config_id.json" "$diff_id"
}

pause_tag() { awk '$1 == "TAG" && $2 == "?=" { print $3; exit }' "$1/build/pause/Makefile"; }

build_pause() {
  local src tag
  # Downloaded first: `go list -m` gives no directory for a module the module cache does not hold, which is
  # the case when only this part is rebuilt (the script changed) and the cache was made by another GOMODCACHE.
  (cd "$here" && "$go_bin" mod download k8s.io/kubernetes)
  src=$(cd "$here" && "$go_bin" list -m -f '{{.Dir}}' k8s.io/kubernetes)
  [ -f "$src/build/pause/linux/pause.c" ] || { log "k8s.io/kubernetes sources not found (got '$src')"; return 1; }
  tag=$(pause_tag "$src")
  mkdir -p "$tmp/pause-root"
  # As build/pause/Makefile does: a static binary, the version compiled in.
  gcc -Os -Wall -Werror -static -DVERSION="v$tag-$k8s_version" -o "$tmp/pause-root/pause" "$src/build/pause/linux/pause.c"
  strip "$tmp/pause-root/pause"
  image_archive "$tmp/pause.tar" "$tmp/pause-root" '{"User":"65535:65535","Entrypoint":["/pause"]}' \
    "registry.k8s.io/pause:$tag"
  mv "$tmp/pause.tar" "$out/images/pause.tar"
  echo "registry.k8s.io/pause:$tag" >"$out/images/pause.ref"
}

build_busybox() {
  local version applet
  [ -x "$busybox" ] || { log "$busybox is missing: apt-get install busybox-static"; return 1; }
  # Not `busybox | head -n1`: head closes the pipe early, busybox then dies of SIGPIPE, and under pipefail
  # the build fails with 141 now and then (a fresh CI run did).
  version=$("$busybox" 2>&1 || true)
  version=$(awk 'NR == 1 { print $2 }' <<<"$version")
  mkdir -p "$tmp/busybox-root/bin"
  cp "$busybox" "$tmp/busybox-root/bin/busybox"
  for applet in sh sleep cat ls ps grep id wget nc; do ln -s busybox "$tmp/busybox-root/bin/$applet"; done
  image_archive "$tmp/busybox.tar" "$tmp/busybox-root" \
    '{"Env":["PATH=/bin"],"Cmd":["sh"]}' "kube-patrol.test/busybox:$version"
  mv "$tmp/busybox.tar" "$out/images/busybox.tar"
  echo "kube-patrol.test/busybox:$version" >"$out/images/busybox.ref"
}

start=$(date +%s)
for part in "${todo[@]}"; do
  case "$part" in
    k8s) timed "kubelet, kube-controller-manager, kube-scheduler, kube-proxy $k8s_version (the first build compiles for many minutes)" build_k8s ;;
    containerd) timed "containerd $containerd_version" build_containerd ;;
    cni) timed "CNI plugins $cni_plugins_version" build_cni ;;
    crictl) timed "crictl $cri_tools_version" build_crictl ;;
    pause) timed "the pause image" build_pause ;;
    busybox) timed "the busybox image" build_busybox ;;
  esac
  done_part "$part"
done
log "built in $(($(date +%s) - start))s: $out"
echo "$out"
