#!/usr/bin/env bash
# The suites under load, as issue 9 asks them proven: a fresh clone of a commit (default HEAD),
# run 1 is `.ci/run` (set-up included), runs 2..N are `npm test` in the same clone, each with a
# CPU hog (`yes > /dev/null`) beside it. Stops at the first failing run. Logs in $OUT (default
# /tmp/rk-stress): run-<i>.log per run and summary.txt, one line per run.
# Usage: scripts/stress-ci.sh [COMMIT] [RUNS=3]
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
commit=${1:-HEAD}
runs=${2:-3}
out=${OUT:-/tmp/rk-stress}
clone="$out/clone"
rm -rf "$out" && mkdir -p "$out"
git clone -q "$repo" "$clone" && git -C "$clone" checkout -q "$(git -C "$repo" rev-parse "$commit")" || exit 1
cd "$clone" || exit 1
for i in $(seq 1 "$runs"); do
  yes > /dev/null & hog=$!
  start=$(date +%s)
  if [ "$i" -eq 1 ]; then CI=true bash .ci/run < /dev/null > "$out/run-$i.log" 2>&1; rc=$?
  else CI=true npm test < /dev/null > "$out/run-$i.log" 2>&1; rc=$?; fi
  kill "$hog"
  echo "run $i of $runs ($commit, under yes): rc=$rc in $(( $(date +%s) - start )) s; $(grep -E '^# (pass|fail) ' "$out/run-$i.log" | tr '\n' ' ')" | tee -a "$out/summary.txt"
  [ "$rc" -ne 0 ] && exit "$rc"
done
