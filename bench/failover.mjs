#!/usr/bin/env node
// SIGKILL the master under writes and measure how long writes fail: the longest window between
// two successful writes, as the consistency checker's writer sees it (WAIT 1, sentinel- or
// cluster-aware clients). Our defaults against the servers' own, in the same run:
//   sentinel: down-after-milliseconds 5000 / failover-timeout 60000 (ours) vs 30000 / 180000
//   cluster:  cluster-node-timeout 5000 (ours) vs 15000
// Each run is a fresh `rk up` of a 3-server instance; RUNS (default 3) runs per setting.
// Prints one JSON line.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const rk = join(root, 'bin/rk.js');
const { startWriter } = await import(join(root, 'dist/src/check/writer.js'));
const runs = Number(process.env.RUNS ?? 3);
const RUN_CAP_MS = 90_000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const settings = {
  sentinel_ours: { mode: 'SENTINEL', extra: '' },
  sentinel_defaults: { mode: 'SENTINEL', extra: 'downAfterMilliseconds: 30000, failoverTimeout: 180000' },
  cluster_ours: { mode: 'CLUSTER', extra: '' },
  cluster_defaults: { mode: 'CLUSTER', extra: 'nodeTimeoutMilliseconds: 15000' },
};

function spec({ mode, extra }) {
  const body =
    mode === 'SENTINEL'
      ? `  sentinel: { redisReplicas: 3, sentinelReplicas: 3${extra ? `, ${extra}` : ''} }`
      : `  cluster: { masters: 3, replicasPerMaster: 1${extra ? `, ${extra}` : ''} }`;
  return `apiVersion: kubernetes.project-planton.org/v1\nkind: RedisKubernetes\nmetadata: { name: fo }\nspec:\n  mode: ${mode}\n${body}\n  container: { resources: { limits: { cpu: "1", memory: 256Mi } } }\n`;
}

async function oneRun(setting, dir, base) {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'spec.yaml');
  writeFileSync(file, spec(setting));
  try {
    execFileSync(process.execPath, [rk, 'up', '-f', file, '--dir', dir, '--base-port', String(base)], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  } catch (e) {
    // Another process on the shared machine may hold a port of the block: say so, try elsewhere once.
    process.stderr.write(
      `rk up failed at base port ${base}: ${String(e.stderr ?? '')
        .trim()
        .split('\n')
        .slice(-3)
        .join(' | ')}\n`,
    );
    try {
      execFileSync(process.execPath, [rk, 'down', '-f', file, '--dir', dir, '--purge'], { stdio: 'ignore' });
    } catch {
      /* never started */
    }
    base += 500;
    execFileSync(process.execPath, [rk, 'up', '-f', file, '--dir', dir, '--base-port', String(base)], {
      stdio: 'ignore',
    });
  }
  try {
    const password = readFileSync(join(dir, 'fo', 'password'), 'utf8').trim();
    const ep = (i) => ({ host: '127.0.0.1', port: base + i });
    const sentinel = setting.mode === 'SENTINEL';
    const writer = startWriter({
      target: sentinel
        ? { kind: 'sentinel', sentinels: [3, 4, 5].map(ep), masterName: 'fo.fo' }
        : { kind: 'cluster', nodes: [0, 1, 2, 3, 4, 5].map(ep) },
      auth: { password, sentinelPassword: password },
      keyPrefix: 'bench',
      waitReplicas: 1,
      waitTimeoutMs: 500,
      concurrency: sentinel ? 4 : 16,
      rateLimit: 1000,
      durationMs: RUN_CAP_MS,
    });
    await sleep(1000);
    // A fresh `rk up` makes member 0 the master (of the first slot range in a cluster).
    process.kill(Number(readFileSync(join(dir, 'fo', 'fo-0', 'pid'), 'utf8').trim()), 'SIGKILL');
    // Done once writes have failed and then gone 2 s without a failure.
    const failures = () => Object.values(writer.stats().errors).reduce((a, b) => a + b, 0);
    let seen = 0;
    let quietSince = Date.now();
    while (writer.stats().running) {
      await sleep(100);
      const n = failures();
      if (n !== seen) {
        seen = n;
        quietSince = Date.now();
      } else if (seen > 0 && Date.now() - quietSince > 2000) break;
    }
    const report = await writer.stop().then(() => writer.verify());
    return { outageMs: report.longestOutageMs, lost: report.lostCount };
  } finally {
    execFileSync(process.execPath, [rk, 'down', '-f', file, '--dir', dir, '--purge'], { stdio: 'ignore' });
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const dir = mkdtempSync(join(tmpdir(), 'rk-bench-failover-'));
const results = {};
try {
  // Bus ports are +10000: keep them under Linux's ephemeral range (32768+), which outgoing
  // connections on this machine may hold at any moment.
  let base = 20000 + Math.floor(Math.random() * 100) * 10;
  // ONLY=cluster_defaults (comma-separated) runs just those settings.
  const only = process.env.ONLY?.split(',');
  for (const [name, setting] of Object.entries(settings).filter(([n]) => !only || only.includes(n))) {
    const outages = [];
    let lost = 0;
    for (let i = 0; i < runs; i++) {
      const r = await oneRun(setting, join(dir, `${name}-${i}`), base);
      outages.push(r.outageMs);
      process.stderr.write(`${name} run ${i + 1}: outage ${r.outageMs} ms, ${r.lost} lost\n`);
      lost += r.lost;
      base += 20;
    }
    results[name] = {
      outage_ms_median: median(outages),
      outage_ms_max: Math.max(...outages),
      outages_ms: outages,
      lost_acknowledged: lost,
    };
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const ok = Object.values(results).every((r) => r.lost_acknowledged === 0);
console.log(JSON.stringify({ bench: 'failover', unit: 'ms', runs, results, ok }));
process.exit(ok ? 0 : 1);
