#!/bin/sh
# Extracts the manifests of bench/corpus-repos.txt from local git mirrors into a corpus directory
# outside the repository (their files are other projects' and never committed here).
#   bench/corpus-extract.sh MIRRORS [CORPUS]
# MIRRORS holds one bare or non-bare clone per repository, named owner+name/repo (the layout of the
# search tool's mirrors) or owner+name; CORPUS defaults to ~/.cache/kube-patrol/corpus.
set -eu
mirrors=${1:?usage: bench/corpus-extract.sh MIRRORS [CORPUS]}
corpus=${2:-$HOME/.cache/kube-patrol/corpus}
list=$(dirname "$0")/corpus-repos.txt
rm -rf "$corpus"
mkdir -p "$corpus"
grep -v '^#' "$list" | while read -r repo commit paths; do
  [ -n "$repo" ] || continue
  key=$(echo "$repo" | tr / +)
  git_dir=$mirrors/$key/repo
  [ -d "$git_dir" ] || git_dir=$mirrors/$key
  dest=$corpus/$key
  mkdir -p "$dest"
  # shellcheck disable=SC2086 # paths is a list
  git -C "$git_dir" ls-tree -r --name-only "$commit" -- $paths | grep -E '\.ya?ml$' | while read -r file; do
    mkdir -p "$dest/$(dirname "$file")"
    git -C "$git_dir" show "$commit:$file" > "$dest/$file"
    if grep -q '{{' "$dest/$file"; then rm "$dest/$file"; fi
  done
  echo "$repo $commit: $(find "$dest" -type f | wc -l) files"
done
