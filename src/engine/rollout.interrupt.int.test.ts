// `rk up` killed in the middle of a rolling restart, then run again: it resumes from what runs
// and what the record says, never starts over, never hands the master role over twice, and
// loses no acknowledged write.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Redis } from 'iovalkey';
import { startWriter } from '../check/writer.js';
import { summarizeReport } from '../check/report.js';
import { freeBase } from '../../test/support/localInstance.js';
import { waitForAcknowledged } from '../../test/support/writerProgress.js';
import { waitFor } from './wait.js';

const RK = new URL('../../../bin/rk.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'rk-interrupt-'));
const specFile = join(dir, 'spec.yaml');
const spec = (backlog: number | null) => `apiVersion: kubernetes.project-planton.org/v1
kind: RedisKubernetes
metadata: { name: resume }
spec:
  mode: SENTINEL
  sentinel: { redisReplicas: 3, sentinelReplicas: 3 }
  container: { resources: { limits: { cpu: "1", memory: 256Mi } } }
${backlog ? `  config: { extra: { tcp-backlog: "${backlog}" } }\n` : ''}`;

const rk = (...args: string[]) =>
  spawnSync(process.execPath, [RK, ...args, '-f', specFile, '--dir', dir], { encoding: 'utf8' });

after(() => {
  rk('down', '--purge');
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `rk up` and SIGKILLs it as soon as its progress output contains `killAt`. */
function upKilledAt(killAt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [RK, 'up', '-f', specFile, '--dir', dir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    // A deadline, not a wait: the kill itself is triggered by the output.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`"${killAt}" never appeared:\n${out}`));
    }, 60_000);
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes(killAt)) child.kill('SIGKILL');
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL') resolve(out);
      else reject(new Error(`rk up ended (${code}) before "${killAt}":\n${out}`));
    });
  });
}

describe('rk up interrupted mid-rollout', { timeout: 240_000 }, () => {
  for (const [step, killAt, backlog] of [
    ['during the handover', 'handing over from', 1024],
    ['after the handover, before the old master restarts', 'as a replica of', 2048],
    ['while a replica restarts', 'restarting replica', 4096],
  ] as const) {
    it(`resumes when killed ${step}`, async () => {
      if (backlog === 1024) {
        writeFileSync(specFile, spec(null));
        const base = await freeBase(6, false);
        const up = rk('up', '--base-port', String(base));
        assert.equal(up.status, 0, up.stderr);
      }
      const password = readFileSync(join(dir, 'resume', 'password'), 'utf8').trim();
      const status = JSON.parse(rk('status', '-o', 'json').stdout) as {
        members: { name: string; role: string; host: string; port: number }[];
      };
      const sentinels = status.members
        .filter((m) => m.role === 'sentinel')
        .map((m) => ({ host: m.host, port: m.port }));
      const sub = new Redis({ ...sentinels[0]!, password });
      let switches = 0;
      sub.on('message', () => {
        switches++;
      });
      await sub.subscribe('+switch-master');
      const writer = startWriter({
        target: { kind: 'sentinel', sentinels, masterName: 'resume.resume' },
        auth: { password, sentinelPassword: password },
        keyPrefix: `resume-${backlog}`,
        waitReplicas: 1,
        waitTimeoutMs: 500,
        concurrency: 4,
        rateLimit: 1500,
        durationMs: 120_000,
      });
      try {
        await waitForAcknowledged(writer, 500); // writes flow before the rollout
        writeFileSync(specFile, spec(backlog));
        const before = await upKilledAt(killAt);
        assert.match(before, new RegExp(killAt));
        const again = rk('up');
        assert.equal(again.status, 0, again.stderr);
        const plan = rk('plan');
        assert.match(plan.stdout, /no changes/);
        await waitForAcknowledged(writer, 500); // writes flow after the resumed run
        // A run killed mid-handover leaves the sentinels to finish it: wait for the switch to be
        // seen, then PING, answered on this connection after every message published before it
        // (a second handover would have been waited for by the rk up that made it).
        await waitFor('the +switch-master event', async () => switches >= 1 || 'none yet', { timeoutMs: 15_000 });
        await sub.ping();
      } finally {
        sub.disconnect();
        await writer.stop();
      }
      const report = await writer.verify();
      console.log(summarizeReport(report));
      assert.equal(report.lostCount, 0, summarizeReport(report));
      assert.equal(switches, 1, 'exactly one handover across the interrupted run and the resumed one');
    });
  }
});
