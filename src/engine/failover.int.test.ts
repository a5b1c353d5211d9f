// Killing the master under the consistency checker, through the real local runtime: the engine
// bootstraps the example-like instance, the master gets SIGKILL while writes flow, the servers
// fail over by themselves, ensure() brings the old master back as a replica, and not one
// acknowledged (WAIT 1) write is lost. The outage the writer saw is printed.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { exampleInstance, localInstance, type LocalTestInstance } from '../../test/support/localInstance.js';
import { instanceWriter } from '../../test/support/instanceWriter.js';
import { waitForAcknowledged } from '../../test/support/writerProgress.js';
import { summarizeReport } from '../check/report.js';
import { observeInstance, type InstanceStatus } from './status.js';
import { waitFor } from './wait.js';

const masters = (s: InstanceStatus) => s.members.filter((m) => m.role === 'master').map((m) => m.name);

for (const mode of ['sentinel', 'cluster'] as const) {
  describe(`failover under writes (${mode})`, { timeout: 120_000 }, () => {
    let t: LocalTestInstance;
    before(async () => {
      t = await localInstance(
        exampleInstance(mode, (inst) => {
          // Shorter than our defaults (5 s) to keep the test short; the bench measures the defaults.
          if (inst.sentinel) inst.sentinel.downAfterMs = 1500;
          if (inst.cluster) inst.cluster.nodeTimeoutMs = 2000;
        }),
      );
      await t.ensure();
    });
    after(async () => t?.dispose());

    it('kills the master under the writer: failover, rejoin as replica, no acknowledged write lost', async () => {
      const initial = await observeInstance(t.ctx);
      assert.equal(initial.ready, true, initial.problems.join('; '));
      const victim = masters(initial)[0]!;
      const writer = instanceWriter(t, {
        keyPrefix: `failover-${mode}`,
        concurrency: mode === 'cluster' ? 16 : 4,
        rateLimit: 1000,
        durationMs: 60_000,
      });
      await waitForAcknowledged(writer, 301); // writes flow before the kill
      const killedAt = Date.now();
      await t.platform.kill(victim);

      await waitFor(
        'a replica promoted in place of the killed master',
        async () => {
          const s = await observeInstance(t.ctx);
          const now = masters(s);
          if (now.includes(victim) || now.length !== masters(initial).length) return `masters ${now.join(',')}`;
          if (mode === 'sentinel' && !s.members.filter((m) => m.kind === 'sentinel').every((m) => m.sees === now[0]))
            return 'sentinels disagree';
          if (
            mode === 'cluster' &&
            s.problems.some((p) => p.includes('slots not served') || p.includes('cluster_state'))
          )
            return s.problems.join('; ');
          return true;
        },
        { timeoutMs: 30_000, intervalMs: 100 },
      );
      const promotedAfterMs = Date.now() - killedAt;

      await t.ensure(); // restarts the killed master
      const healed = await observeInstance(t.ctx);
      assert.equal(healed.ready, true, healed.problems.join('; '));
      assert.equal(
        healed.members.find((m) => m.name === victim)?.role,
        'replica',
        'the old master rejoins as a replica',
      );
      assert.ok(!masters(healed).includes(victim), 'no fail-back');

      // Writes acknowledged again after the rejoin (WAIT 1 needs the replica back).
      const ackedAtRejoin = writer.stats().acknowledged;
      await waitForAcknowledged(writer, 301);
      await writer.stop();
      const report = await writer.verify();
      const summary = summarizeReport(report);
      assert.equal(report.lostCount, 0, summary);
      assert.equal(report.ok, true, summary);
      assert.ok(report.acknowledged - ackedAtRejoin > 300, `acknowledged writes after the rejoin: ${summary}`);
      assert.ok(
        report.longestOutageMs > 0 && report.longestOutageMs < promotedAfterMs + 5000,
        `outage bounded by the failover (${promotedAfterMs} ms): ${summary}`,
      );
      console.log(`# ${mode}: ${victim} killed, replica promoted after ${promotedAfterMs} ms; ${summary}`);
    });
  });
}
