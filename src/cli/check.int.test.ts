// `rk check` as a user runs it: against an instance started by `rk up` in its own directory,
// with the master SIGKILLed while it writes. Exit code, JSON report and error lines are the contract.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freeBase } from '../../test/support/localInstance.js';
import { waitFor } from '../engine/wait.js';
import { withClient } from '../valkey/connection.js';

const RK = new URL('../../../bin/rk.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'rk-check-cli-'));
const specFile = join(dir, 'spec.yaml');
writeFileSync(
  specFile,
  `apiVersion: kubernetes.project-planton.org/v1
kind: RedisKubernetes
metadata: { name: checked }
spec:
  mode: SENTINEL
  sentinel: { redisReplicas: 3, sentinelReplicas: 3, downAfterMilliseconds: 1000 }
  container: { resources: { limits: { cpu: "1", memory: 256Mi } } }
`,
);
const rk = (...args: string[]) => spawnSync(process.execPath, [RK, ...args], { encoding: 'utf8' });

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [RK, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('rk check', { timeout: 120_000 }, () => {
  before(async () => {
    const up = rk('up', '-f', specFile, '--dir', dir, '--base-port', String(await freeBase(6, false)));
    assert.equal(up.status, 0, up.stderr);
  });
  after(() => {
    rk('down', '-f', specFile, '--dir', dir, '--purge');
    rmSync(dir, { recursive: true, force: true });
  });

  it('rides through a SIGKILL of the master: exit 0, JSON report with the outage, password never printed', async () => {
    const check = run(['check', '-f', specFile, '--dir', dir, '--duration', '7s', '--rate', '500', '-o', 'json']);
    // Writes flow before the kill: the check's keys show up on the master.
    const master = (
      JSON.parse(rk('status', '-f', specFile, '--dir', dir, '-o', 'json').stdout) as {
        members: { name: string; host: string; port: number }[];
      }
    ).members.find((m) => m.name === 'checked-0')!;
    const password = readFileSync(join(dir, 'checked', 'password'), 'utf8').trim();
    await waitFor(
      '500 keys written by rk check on checked-0',
      async () => {
        const keys = await withClient(master, { password }, (c) => c.dbsize());
        return keys >= 500 || `${keys} keys`;
      },
      { timeoutMs: 15_000 },
    );
    process.kill(Number(readFileSync(join(dir, 'checked', 'checked-0', 'pid'), 'utf8').trim()), 'SIGKILL');
    const { code, stdout, stderr } = await check;
    const report = JSON.parse(stdout) as {
      ok: boolean;
      lostCount: number;
      acknowledged: number;
      attempted: number;
      longestOutageMs: number;
      errors: Record<string, number>;
      outages: { endMs: number }[];
      durationMs: number;
    };
    assert.equal(code, 0, `${stdout}\n${stderr}`);
    assert.equal(report.ok, true);
    assert.equal(report.lostCount, 0);
    assert.ok(report.acknowledged > 1000 && report.attempted >= report.acknowledged, stdout);
    assert.ok((report.errors['connection'] ?? 0) > 0, 'the kill was seen');
    assert.ok(report.longestOutageMs >= 1000, `outage covers down-after-milliseconds: ${report.longestOutageMs}`);
    assert.ok(report.outages[0]!.endMs < report.durationMs, 'writes resumed before the end');
    assert.ok(!stdout.includes(password) && !stderr.includes(password));
    console.log(
      `# rk check through a master kill: ${report.attempted} writes, ${report.acknowledged} acknowledged, 0 lost, longest outage ${report.longestOutageMs} ms`,
    );
  });

  it('prints a human summary line and exits 0 when nothing is lost', async () => {
    // After the kill above (checked-0 stays down), the remaining replica may still be resyncing with
    // the new master, and a WAIT 1 then acknowledges nothing: start once a replica's link is up.
    await waitFor(
      'a replica linked to the new master (rk status)',
      () => {
        const status = JSON.parse(rk('status', '-f', specFile, '--dir', dir, '-o', 'json').stdout) as {
          members: { name: string; role: string; link?: string }[];
        };
        const linked = status.members.some((m) => m.role === 'replica' && m.link === 'up');
        return Promise.resolve(linked || status.members.map((m) => `${m.name} ${m.role} ${m.link ?? ''}`).join(', '));
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    const started = Date.now();
    const { code, stdout } = await run(['check', '-f', specFile, '--dir', dir, '--duration', '1s']);
    assert.equal(code, 0, stdout);
    // Nothing left pending (a read-back deadline timer once kept it alive for 30 s more).
    assert.ok(Date.now() - started < 15_000, `rk check of 1 s took ${Date.now() - started} ms to exit`);
    assert.match(
      stdout,
      /^PASS sentinel master "checked\.checked" via .*: \d+ writes in 1\.\d s, \d+ acknowledged with WAIT 1 .*0 lost; longest outage \d+ ms/m,
    );
  });

  it('errors are one line: no instance (exit 1), bad flags (exit 2)', async () => {
    const missing = await run(['check', '-f', specFile, '--dir', join(dir, 'nowhere'), '--duration', '1s']);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr.trim().split('\n').length, 1, missing.stderr);
    assert.match(missing.stderr, /^error: no local instance "checked"/);
    for (const bad of [
      ['--duration', 'soon'],
      ['--rate', '0'],
      ['-o', 'yaml'],
    ]) {
      const r = await run(['check', '-f', specFile, '--dir', dir, ...bad]);
      assert.equal(r.code, 2, `${bad.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
  });
});
