// Growing and shrinking a sentinel group under writes: new replicas and sentinels join by
// healing; removed ones are retired — the master handed over first when it is among them, the
// sentinels reset one at a time so they forget what is gone — with no acknowledged write lost.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { exampleInstance, localInstance, type LocalTestInstance } from '../../test/support/localInstance.js';
import { instanceWriter } from '../../test/support/instanceWriter.js';
import { waitForAcknowledged } from '../../test/support/writerProgress.js';
import { summarizeReport } from '../check/report.js';
import { withClient } from '../valkey/connection.js';
import { sentinelMaster } from '../valkey/sentinel.js';
import type { Instance } from '../api/instance.js';
import { planChanges } from './changePlan.js';
import { applyChangePlan } from './rollout.js';
import { sentinelHandover } from './sentinelHandover.js';
import { observeInstance } from './status.js';
import { sentinelMembers } from './topology.js';

let t: LocalTestInstance;
after(async () => t?.dispose());

async function resize(dataReplicas: number, sentinels: number, quorum: number): Promise<void> {
  const inst: Instance = { ...t.inst, dataReplicas, sentinel: { ...t.inst.sentinel!, replicas: sentinels, quorum } };
  t.inst = inst;
  t.ctx = { ...t.ctx, inst };
  await t.reopen();
  await t.ensure();
  await applyChangePlan(t.ctx, await planChanges(t.ctx));
}

async function sentinelViews() {
  return Promise.all(
    sentinelMembers(t.inst).map((s) =>
      withClient(t.platform.placement(s.name), { password: t.ctx.password! }, (c) =>
        sentinelMaster(c, t.inst.sentinel!.masterName),
      ),
    ),
  );
}

describe('sentinel group membership', { timeout: 240_000 }, () => {
  it('grows to 4 data members and 5 sentinels, then shrinks to 2 and 3 with the master among the removed', async () => {
    t = await localInstance(exampleInstance('sentinel'));
    await t.ensure();
    const writer = instanceWriter(t, { keyPrefix: 'membership' });
    try {
      await waitForAcknowledged(writer, 500); // writes flow before the group grows
      await resize(4, 5, 3);
      let s = await observeInstance(t.ctx);
      assert.equal(s.ready, true, s.problems.join('; '));
      for (const v of await sentinelViews()) {
        assert.equal(v.numReplicas, 3);
        assert.equal(v.numOtherSentinels, 4);
        assert.equal(v.quorum, 3);
      }
      // Put the master on the highest ordinal, which the shrink removes.
      await sentinelHandover(t.ctx, s.master!, ['sessions-3']);
      await resize(2, 3, 2);
      s = await observeInstance(t.ctx);
      assert.equal(s.ready, true, s.problems.join('; '));
      assert.ok(['sessions-0', 'sessions-1'].includes(s.master!), `master ${s.master} is a kept member`);
      assert.deepEqual(t.platform.members().sort(), [
        'sessions-0',
        'sessions-1',
        'sessions-sentinel-0',
        'sessions-sentinel-1',
        'sessions-sentinel-2',
      ]);
      for (const v of await sentinelViews()) {
        assert.equal(v.numReplicas, 1, 'removed replicas forgotten');
        assert.equal(v.numOtherSentinels, 2, 'removed sentinels forgotten');
        assert.equal(v.quorum, 2);
      }
    } catch (e) {
      console.log(
        t.logs.slice(-40).join('\n'),
        '\nplacements:',
        JSON.stringify(Object.fromEntries(t.platform.members().map((m) => [m, t.platform.placement(m).port]))),
      );
      throw e;
    } finally {
      await writer.stop();
    }
    const report = await writer.verify();
    console.log(summarizeReport(report));
    assert.equal(report.lostCount, 0, summarizeReport(report));
  });
});
