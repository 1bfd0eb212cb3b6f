#!/usr/bin/env bash
# The operator image from the project's own Dockerfile, built where no registry can be reached
# (`make image-offline`, docs/image.md). hack/image/bases.sh builds stand-ins for the Dockerfile's bases from
# Debian packages and Node 24; Debian's buildah builds the Dockerfile on them (--pull=never: nothing is
# pulled; `npm ci` in the build stages is the only network use, to the npm registry); the image is exported
# as a docker-archive tarball for `ctr -n k8s.io images import`.
#
# Cached under ~/.cache/kube-patrol/image (KUBE_PATROL_IMAGE_CACHE): buildah's storage, the bases (stamped),
# the layers of each Dockerfile step (--layers: a source change reruns only `npm run build` and the final
# COPYs), and the archive (rewritten only when the image ID changes).
#
# Usage: hack/image/build.sh    progress on stderr; the last stdout line is the archive's path.
#   IMAGE (default kube-patrol:dev) is the name inside the archive; BUILDAH_ISOLATION=chroot where runc
#   cannot run inside buildah; KUBE_PATROL_STORAGE_DRIVER=vfs where overlay mounts fail.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cache=${KUBE_PATROL_IMAGE_CACHE:-$HOME/.cache/kube-patrol/image}
image=${IMAGE:-kube-patrol:dev}
driver=${KUBE_PATROL_STORAGE_DRIVER:-overlay}
log() { echo "image: $*" >&2; }

for tool in buildah mmdebstrap npm; do
  command -v "$tool" >/dev/null || {
    log "$tool is not installed (apt-get install -y buildah mmdebstrap; npm comes with Node, hack/ensure-node.sh)"
    exit 1
  }
done
if [ "$(id -u)" != 0 ]; then
  log "needs root (mmdebstrap's root mode, buildah's storage and mounts)"
  exit 1
fi

export KUBE_PATROL_IMAGE_CACHE=$cache
export B_ARGS="--root $cache/storage/root --runroot $cache/storage/run --storage-driver $driver"
read -r -a b_args <<<"$B_ARGS"
B() { buildah "${b_args[@]}" "$@"; }

started=$(date +%s)
bases=$("$root/hack/image/bases.sh")
build_base=$(sed -n 's/^BUILD_BASE=//p' <<<"$bases")
runtime_base=$(sed -n 's/^RUNTIME_BASE=//p' <<<"$bases")

# runc inside buildah (the default, like docker build) unless it was told otherwise or runc cannot start here.
isolation=${BUILDAH_ISOLATION:-oci}
if [ -z "${BUILDAH_ISOLATION:-}" ]; then
  probe=$(B from --pull=never "$build_base")
  if ! B run --isolation oci --network host "$probe" -- /usr/local/bin/node --version >/dev/null 2>&1; then
    log "buildah cannot run containers under runc here: using --isolation chroot"
    isolation=chroot
  fi
  B rm "$probe" >/dev/null
fi

# `npm ci` reaches the registry the way this machine does: its network (no CNI setup for the build) and its
# CA bundle, mounted over the build base's during RUN steps only (a proxy's CA never lands in a layer).
host_ca=${HOST_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
ca_mount=()
[ -s "$host_ca" ] && ca_mount=(--volume "$host_ca:/etc/ssl/certs/ca-certificates.crt:ro")
log "building $image from $root/Dockerfile (isolation $isolation, storage $driver)"
B bud --quiet --layers --pull=never --isolation "$isolation" --network host "${ca_mount[@]}" \
  --build-arg "BUILD_BASE=$build_base" \
  --build-arg "RUNTIME_BASE=$runtime_base" \
  -t "$image" -f "$root/Dockerfile" "$root" >&2

id=$(B inspect --type image --format '{{.FromImageID}}' "$image")
archive=$cache/kube-patrol-image.tar
if [ "$(cat "$archive.id" 2>/dev/null)" != "$id" ] || [ ! -s "$archive" ]; then
  rm -f "$archive" "$archive.id"
  B push --quiet "$image" "docker-archive:$archive:$image" >&2
  echo "$id" >"$archive.id"
fi
log "$image ($id) in $(($(date +%s) - started)) s: $archive"
echo "$archive"
