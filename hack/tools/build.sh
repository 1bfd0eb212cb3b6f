#!/usr/bin/env bash
# Builds one ecosystem tool from its Go module (never a prebuilt binary) into
#   ${KUBE_PATROL_CACHE:-$HOME/.cache/kube-patrol}/tools/<tool>-<version>/<tool>
# and prints that binary's path on the last stdout line. Progress and the build time go to stderr.
# Nothing is built when the binary is already there. Versions are pinned here, in one place.
#
#   build.sh helm | promtool | actionlint
#   build.sh crds      fetches the upstream report CRDs (go mod download of their modules) into
#                      .../tools/crds-<versions>/ and prints that directory
set -euo pipefail

HELM_VERSION=v3.22.0
ACTIONLINT_VERSION=v1.7.12
# promtool ships in the prometheus module, tagged v0.<minor>.<patch> for Go (v3.<minor> as a release).
PROMETHEUS_VERSION=v0.316.0
OPENREPORTS_VERSION=v0.2.1
# The wgpolicyk8s.io PolicyReport CRDs: the proxy serves no wg-policy-prototypes module, so they come from
# Kyverno's module, which ships them (config/crds/policyreport) and writes PolicyReports itself.
KYVERNO_VERSION=v1.19.1

tool=${1:-}
cache="${KUBE_PATROL_CACHE:-$HOME/.cache/kube-patrol}/tools"
log() { echo "tools: $*" >&2; }

case "$tool" in
  helm) pkg=helm.sh/helm/v3/cmd/helm version=$HELM_VERSION ;;
  actionlint) pkg=github.com/rhysd/actionlint/cmd/actionlint version=$ACTIONLINT_VERSION ;;
  promtool) pkg=github.com/prometheus/prometheus/cmd/promtool version=$PROMETHEUS_VERSION ;;
  crds)
    out="$cache/crds-openreports-$OPENREPORTS_VERSION-kyverno-$KYVERNO_VERSION"
    if [ ! -f "$out/.complete" ]; then
      mkdir -p "$out"
      dir_of() { go mod download -json "$1" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p'; }
      log "go mod download github.com/openreports/reports-api@$OPENREPORTS_VERSION"
      reports=$(dir_of "github.com/openreports/reports-api@$OPENREPORTS_VERSION")
      cp "$reports/config/crd/openreports.io_reports.yaml" "$reports/config/crd/openreports.io_clusterreports.yaml" "$out/"
      log "go mod download github.com/kyverno/kyverno@$KYVERNO_VERSION (for the wgpolicyk8s.io CRDs)"
      kyverno=$(dir_of "github.com/kyverno/kyverno@$KYVERNO_VERSION")
      cp "$kyverno/config/crds/policyreport/wgpolicyk8s.io_policyreports.yaml" \
        "$kyverno/config/crds/policyreport/wgpolicyk8s.io_clusterpolicyreports.yaml" "$out/"
      chmod u+w "$out"/*.yaml
      touch "$out/.complete"
    fi
    echo "$out"
    exit 0
    ;;
  *)
    echo "usage: $0 helm|promtool|actionlint|crds" >&2
    exit 2
    ;;
esac

out="$cache/$tool-$version"
bin="$out/$tool"
if [ -x "$bin" ]; then
  echo "$bin"
  exit 0
fi
mkdir -p "$out"
exec 9>"$out/.lock"
flock 9
if [ ! -x "$bin" ]; then
  log "building $pkg@$version (first time only; cached in $out)"
  start=$(date +%s)
  # CGO off: a static binary, and no C toolchain needed on the CI machine.
  GOBIN="$out" CGO_ENABLED=0 GOFLAGS=-buildvcs=false go install -trimpath "$pkg@$version"
  log "built $tool $version in $(($(date +%s) - start))s"
fi
echo "$bin"
