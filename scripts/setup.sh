#!/usr/bin/env bash
# Everything a fresh Debian 12 machine needs to run rk and its tests: valkey 8 (bookworm-backports),
# redis 7 (bookworm), etcd for the e2e control plane, and the npm dependencies. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for bin in valkey-server valkey-sentinel valkey-cli redis-server redis-sentinel redis-cli; do
  command -v "$bin" >/dev/null 2>&1 || need+=("$bin")
done
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup: installing valkey and redis from Debian (missing: ${need[*]})" >&2
  if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    echo 'deb http://deb.debian.org/debian bookworm-backports main' | $SUDO tee /etc/apt/sources.list.d/bookworm-backports.list >/dev/null
  fi
  # The packages try to start system services; there is no init system to start them here,
  # and the tests start their own servers anyway.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod +x /usr/sbin/policy-rc.d
  fi
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -t bookworm-backports valkey-server valkey-sentinel valkey-tools >/dev/null
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server redis-sentinel redis-tools >/dev/null
fi
# Distribution-started servers would hold 6379/26379; nothing of ours uses them.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
else
  npm run --silent build
fi
