#!/usr/bin/env bash
# Builds the test control plane (embedded etcd + kube-apiserver +
# kube-controller-manager + kubectl, from k8s.io/kubernetes) into bin/.
#
# Cached: the binary is named after a hash of every build input (go.mod,
# go.sum, *.go, this script, the Go version), so an unchanged tree skips the
# build entirely. A cold build compiles most of Kubernetes: 5-8 min on 2 cores (plus the module download).
#
# Prints the path of the binary as the last line of stdout.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
export PATH="$PATH:/usr/local/go/bin"
command -v go >/dev/null || { echo "build.sh: go not found (expected /usr/local/go/bin/go)" >&2; exit 1; }
# go.sum is committed and pinned: never let the build rewrite go.mod/go.sum.
export GOFLAGS="-mod=readonly"

hash=$( { go version; cat build.sh go.mod go.sum; cat $(ls *.go | sort); } | sha256sum | cut -c1-16 )
mkdir -p bin
bin="bin/control-plane-$hash"

# Two test processes may ask for a build at once: serialise on a lock.
exec 9>bin/.lock
flock 9

if [[ -x "$bin" ]]; then
  echo "build.sh: cached $bin" >&2
else
  start=$(date +%s)
  echo "build.sh: building $bin (a cold build takes 5-8 min on 2 cores)" >&2
  # Pods in this test cluster get loopback IPs (127.x.y.z: the node agent runs
  # them as local processes). Upstream validation refuses loopback addresses in
  # Endpoints/EndpointSlices, so the endpoint controllers could never publish
  # a pod. Build from a vendored copy with that one check disabled (go build
  # -overlay may not replace files in the module cache).
  work="$PWD/.cache/build"
  rm -rf "$work" && mkdir -p "$work"
  cp go.mod go.sum *.go "$work/"
  (cd "$work" && go mod vendor)
  target="$work/vendor/k8s.io/kubernetes/pkg/apis/core/validation/validation.go"
  sed -i 's/^\tif ip.IsLoopback() {$/\tif false \&\& ip.IsLoopback() { \/\/ rk test cluster: pods use loopback IPs/' "$target"
  [[ $(grep -c 'if false && ip.IsLoopback()' "$target") == 1 ]] || {
    echo "build.sh: loopback patch did not apply to $target" >&2; exit 1; }

  # Stamp the version like upstream's hack/lib/version.sh: clients read /version.
  kver=$(go list -m -f '{{.Version}}' k8s.io/kubernetes)   # e.g. v1.37.2
  kmajor=${kver#v}; kmajor=${kmajor%%.*}
  kminor=${kver#v*.}; kminor=${kminor%%.*}
  ldflags="-s -w"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $pkg.gitVersion=$kver -X $pkg.gitMajor=$kmajor -X $pkg.gitMinor=$kminor -X $pkg.gitTreeState=clean"
  done
  (cd "$work" && GOFLAGS=-mod=vendor go build -trimpath -ldflags="$ldflags" -o "$OLDPWD/$bin.tmp" .)
  rm -rf "$work"
  mv "$bin.tmp" "$bin"
  # Old binaries are ~150 MB each: keep only the current one.
  find bin -maxdepth 1 -name 'control-plane-*' ! -name "control-plane-$hash" -delete
  echo "build.sh: built $bin in $(( $(date +%s) - start ))s" >&2
fi
ln -sfn "control-plane-$hash" bin/control-plane
ln -sfn "control-plane-$hash" bin/kubectl   # busybox-style: the binary runs kubectl under that name
echo "$PWD/$bin"
