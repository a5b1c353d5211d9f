#!/usr/bin/env node
// `rk render` end to end, CLI start-up included, for every example: what a user or a CI job
// waits for. One warm-up run per example (file cache, compile cache), then N timed runs.
// The baseline is a bare `node -e 0` measured in the same run, so a slow machine shows as a
// slow baseline rather than as a regression. Prints one JSON line; exits 1 if any p50 is
// over the target. Needs a build (npm run build) first.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const RUNS = Number(process.env.RK_BENCH_RUNS ?? 10);
const TARGET_MS = 300;

function timeOnce(args) {
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) {
    process.stderr.write(`bench: node ${args.join(' ')} exited ${r.status}: ${r.stderr}\n`);
    process.exit(2);
  }
  return ms;
}

function measure(args) {
  timeOnce(args); // warm-up
  const times = Array.from({ length: RUNS }, () => timeOnce(args)).sort((a, b) => a - b);
  // Lower median for even N: the value half the runs did not exceed.
  const p50 = times[Math.ceil(times.length / 2) - 1];
  return { p50: Math.round(p50 * 10) / 10, max: Math.round(times[times.length - 1] * 10) / 10 };
}

const examples = readdirSync(`${ROOT}examples`)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => f.slice(0, -5))
  .sort();
const results = {};
for (const e of examples) results[e] = measure(['bin/rk.js', 'render', '-f', `examples/${e}.yaml`]);
const baseline = { node_startup_p50: measure(['-e', '0']).p50 };

console.log(JSON.stringify({ bench: 'render', unit: 'ms', target_ms: TARGET_MS, results, baseline }));
const slow = Object.entries(results).filter(([, r]) => r.p50 > TARGET_MS);
if (slow.length) {
  process.stderr.write(`bench: p50 over ${TARGET_MS} ms: ${slow.map(([e, r]) => `${e} ${r.p50} ms`).join(', ')}\n`);
  process.exit(1);
}
