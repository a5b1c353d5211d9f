#!/usr/bin/env node
// rk up from cold, end to end (CLI start, process start, bootstrap, Ready), for the cluster and
// sentinel examples, against a baseline measured in the same run: the same number of bare
// valkey-server processes started and answering PING, with no bootstrap at all.
// Prints one JSON line. Target: each example Ready in under 5 s.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'node:net';

const root = new URL('..', import.meta.url).pathname;
const rk = join(root, 'bin/rk.js');
const runs = Number(process.env.RUNS ?? 3);
const TARGET_MS = 5000;

function timeUp(example, dir, basePort) {
  const t0 = process.hrtime.bigint();
  execFileSync(
    process.execPath,
    [rk, 'up', '-f', join(root, 'examples', `${example}.yaml`), '--dir', dir, '--base-port', String(basePort)],
    { stdio: 'ignore' },
  );
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  execFileSync(
    process.execPath,
    [rk, 'down', '-f', join(root, 'examples', `${example}.yaml`), '--dir', dir, '--purge'],
    { stdio: 'ignore' },
  );
  return ms;
}

const pingable = (port) =>
  new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.write('PING\r\n');
    });
    s.once('data', (d) => {
      s.destroy();
      resolve(d.toString().startsWith('+PONG'));
    });
    s.once('error', () => resolve(false));
  });

async function bareServers(count, basePort, dir) {
  const t0 = process.hrtime.bigint();
  const procs = [];
  for (let i = 0; i < count; i++) {
    const conf = join(dir, `bare-${i}.conf`);
    writeFileSync(conf, `port ${basePort + i}\nbind 127.0.0.1\nsave ""\nappendonly no\ndir ${dir}\n`);
    procs.push(spawn('valkey-server', [conf], { stdio: 'ignore' }));
  }
  for (let i = 0; i < count; i++) while (!(await pingable(basePort + i))) await new Promise((r) => setTimeout(r, 2));
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  for (const p of procs) p.kill('SIGKILL');
  await new Promise((r) => setTimeout(r, 100));
  return ms;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const dir = mkdtempSync(join(tmpdir(), 'rk-bench-up-'));
const results = {};
try {
  let base = 21000 + Math.floor(Math.random() * 100) * 10;
  for (const [example, members] of [
    ['cluster', 6],
    ['sentinel', 6],
  ]) {
    const ours = [];
    const bare = [];
    for (let i = 0; i < runs; i++) {
      ours.push(timeUp(example, join(dir, `${example}-${i}`), base));
      bare.push(await bareServers(members, base + 100, dir));
      base += 200;
    }
    results[example] = {
      members,
      rk_up_ms_median: Math.round(median(ours)),
      rk_up_ms_max: Math.round(Math.max(...ours)),
      baseline_bare_start_ms_median: Math.round(median(bare)),
      overhead_ms: Math.round(median(ours) - median(bare)),
    };
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const ok = Object.values(results).every((r) => r.rk_up_ms_max < TARGET_MS);
console.log(JSON.stringify({ bench: 'up', unit: 'ms', target_ms: TARGET_MS, runs, results, ok }));
process.exit(ok ? 0 : 1);
