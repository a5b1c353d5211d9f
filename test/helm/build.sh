#!/usr/bin/env bash
# Builds Helm (the helm.sh/helm/v3 Go module, at the version below) into test/helm/bin/ for the
# chart's tests: `helm lint`, `helm template` against `rk install --render`, and install /
# upgrade / uninstall on the test cluster. Cached by version: a no-op when present. A cold build
# takes a few minutes on 2 cores (plus the module download). Prints the binary's path last.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
export PATH="$PATH:/usr/local/go/bin"
command -v go >/dev/null || { echo "build.sh: go not found (expected /usr/local/go/bin/go)" >&2; exit 1; }
version=v3.22.0
mkdir -p bin
bin="bin/helm-$version"
exec 9>bin/.lock
flock 9
if [[ ! -x "$bin" ]]; then
  start=$(date +%s)
  echo "build.sh: building helm $version (a few minutes when cold)" >&2
  tmp=$(mktemp -d)
  GOBIN="$tmp" GOFLAGS=-mod=mod go install -trimpath -ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=$version" "helm.sh/helm/v3/cmd/helm@$version"
  mv "$tmp/helm" "$bin.tmp" && rmdir "$tmp"
  mv "$bin.tmp" "$bin"
  echo "build.sh: built $bin in $(( $(date +%s) - start ))s" >&2
fi
ln -sfn "helm-$version" bin/helm
echo "$PWD/$bin"
