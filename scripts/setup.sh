#!/usr/bin/env bash
# Everything a fresh Debian 12 machine needs to run rk: valkey 8 (bookworm-backports), redis 7
# (bookworm) and the npm dependencies. With --tests, also what the test suite needs: gcc (the node
# agent's network shim), openssl (test certificates), util-linux tools, and the test control plane
# and Helm built from their Go modules (test/control-plane/build.sh, test/helm/build.sh; Go from
# /usr/local/go/bin), which take minutes when cold and which rk itself never needs. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
tests=false
for arg in "$@"; do
  case "$arg" in
    --tests) tests=true ;;
    *) echo "setup.sh: unknown option $arg (usage: setup.sh [--tests])" >&2; exit 2 ;;
  esac
done

# The packages try to start system services; there is no init system to start them here,
# and the tests start their own servers anyway.
no_service_start() {
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod +x /usr/sbin/policy-rc.d
  fi
}

need=()
for bin in valkey-server valkey-sentinel valkey-cli redis-server redis-sentinel redis-cli; do
  command -v "$bin" >/dev/null 2>&1 || need+=("$bin")
done
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup: installing valkey and redis from Debian (missing: ${need[*]})" >&2
  if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    # Backports from the same Debian mirror the machine already uses (one-line or deb822 sources).
    # grep exits 2 for a listed file that does not exist (a machine with deb822 sources only has
    # no sources.list): under pipefail that would end the script silently, hence the || true.
    mirror=$({ grep -hsE '^(deb |URIs:)' /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources || true; } \
      | grep -oE 'https?://[^ ]+/debian/?( |$)' | head -n 1 | tr -d ' ')
    if [ -z "$mirror" ]; then
      echo "setup.sh: no Debian mirror in /etc/apt/sources.list{,.d}: add one, then re-run" >&2
      exit 1
    fi
    echo "deb ${mirror%/} bookworm-backports main" | $SUDO tee /etc/apt/sources.list.d/bookworm-backports.list >/dev/null
  fi
  no_service_start
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -t bookworm-backports valkey-server valkey-sentinel valkey-tools >/dev/null
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server redis-sentinel redis-tools >/dev/null
fi
# Distribution-started servers would hold 6379/26379; nothing of ours uses them.

install_npm() {
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund --loglevel=error
  else
    npm run --silent build
  fi
}
if ! $tests; then install_npm; exit 0; fi

# The e2e node agent compiles a small LD_PRELOAD shim, makes certificates with openssl and runs
# pods in their own mount namespaces (setpriv, unshare, nsenter, mount from util-linux).
e2e_need=()
command -v gcc >/dev/null 2>&1 || e2e_need+=(gcc libc6-dev)
command -v openssl >/dev/null 2>&1 || e2e_need+=(openssl)
for bin in setpriv unshare nsenter mount; do command -v "$bin" >/dev/null 2>&1 || { e2e_need+=(util-linux mount); break; }; done
# The Grafana dashboard's queries are evaluated by a real Prometheus over real exporters.
command -v prometheus >/dev/null 2>&1 || e2e_need+=(prometheus)
command -v prometheus-redis-exporter >/dev/null 2>&1 || e2e_need+=(prometheus-redis-exporter)
if [ ${#e2e_need[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup: installing ${e2e_need[*]} for the e2e tests" >&2
  no_service_start
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${e2e_need[@]}" >/dev/null
fi
# The control plane (etcd + kube-apiserver + kube-controller-manager + kubectl in one binary) is
# cached under test/control-plane/bin/ by a hash of its sources: a no-op when up to date, 5-8 min
# on 2 cores when cold (plus the Go module download). Built here rather than inside the first e2e
# test, so no test timeout has to cover it.
bash test/control-plane/build.sh >/dev/null
# Helm, for the chart's tests (test/e2e/helm.e2e.test.ts): cached by version like the control plane.
bash test/helm/build.sh >/dev/null
install_npm
