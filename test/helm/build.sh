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
# Named after the version and this script (its flags), so a changed build is rebuilt.
hash=$(sha256sum build.sh | cut -c1-12)
bin="bin/helm-$version-$hash"
exec 9>bin/.lock
flock 9
if [[ ! -x "$bin" ]]; then
  start=$(date +%s)
  echo "build.sh: building helm $version (a few minutes when cold)" >&2
  tmp=$(mktemp -d)
  # As Helm's Makefile: the Kubernetes version `helm template` assumes without a cluster is the
  # one of the client-go it is built with (else v1.20, which a chart's kubeVersion refuses).
  gomod=$(go mod download -json "helm.sh/helm/v3@$version" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  minor=$(sed -n 's/^[[:space:]]*k8s\.io\/client-go v0\.\([0-9]*\)\..*/\1/p' "$gomod")
  [[ -n "$minor" ]] || { echo "build.sh: no k8s.io/client-go version in $gomod" >&2; exit 1; }
  ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=$version"
  for pkg in helm.sh/helm/v3/pkg/chartutil helm.sh/helm/v3/pkg/lint/rules; do
    ldflags+=" -X $pkg.k8sVersionMajor=1 -X $pkg.k8sVersionMinor=$minor"
  done
  GOBIN="$tmp" GOFLAGS=-mod=mod go install -trimpath -ldflags="$ldflags" "helm.sh/helm/v3/cmd/helm@$version"
  mv "$tmp/helm" "$bin.tmp" && rmdir "$tmp"
  mv "$bin.tmp" "$bin"
  echo "build.sh: built $bin in $(( $(date +%s) - start ))s" >&2
fi
ln -sfn "helm-$version-$hash" bin/helm
find bin -maxdepth 1 -name 'helm-*' ! -name "helm-$version-$hash" -delete
echo "$PWD/$bin"
