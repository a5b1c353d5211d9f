// Planned changes on live instances, under the consistency checker: a Redis 7.0 → Valkey 8.0
// migration of a sentinel group, a restart-requiring setting on a cluster, live settings, a
// standalone restart with its data — zero acknowledged writes lost, the master role handed
// over exactly once per master.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';
import { Redis } from 'iovalkey';
import { exampleInstance, localInstance, type LocalTestInstance } from '../../test/support/localInstance.js';
import { instanceWriter } from '../../test/support/instanceWriter.js';
import { waitForAcknowledged } from '../../test/support/writerProgress.js';
import { summarizeReport } from '../check/report.js';
import { withClient } from '../valkey/connection.js';
import { fetchInfo, serverInfo } from '../valkey/info.js';
import { configGet } from '../valkey/admin.js';
import type { Instance } from '../api/instance.js';
import { planChanges } from './changePlan.js';
import { applyChangePlan } from './rollout.js';
import { observeInstance } from './status.js';
import { dataMembers, sentinelMembers } from './topology.js';

const run = promisify(execFile);
const instances: LocalTestInstance[] = [];
after(async () => {
  for (const t of instances) await t.dispose();
});

/** `rk up` with a changed spec: heal, plan, carry out. */
async function upWith(t: LocalTestInstance, change: (inst: Instance) => Instance): Promise<void> {
  t.inst = change(t.inst);
  t.ctx = { ...t.ctx, inst: t.inst };
  await t.ensure();
  await applyChangePlan(t.ctx, await planChanges(t.ctx));
}

/** Counts +switch-master events seen by one sentinel while `fn` runs. */
async function countSwitches(t: LocalTestInstance, fn: () => Promise<void>): Promise<number> {
  const s = t.platform.placement(sentinelMembers(t.inst)[0]!.name);
  const sub = new Redis({ host: s.host, port: s.port, password: t.ctx.password ?? undefined, lazyConnect: true });
  await sub.connect();
  let n = 0;
  sub.on('message', (ch) => {
    if (ch === '+switch-master') n++;
  });
  await sub.subscribe('+switch-master');
  try {
    await fn();
    // The handover waited for every sentinel to report the new master, so the event is out; a
    // PING answered on this connection comes after every message published before it.
    await sub.ping();
  } finally {
    sub.disconnect();
  }
  return n;
}

const redis70 = (inst: Instance) => {
  inst.image = { ...inst.image, repository: 'redis', tag: '7.0.15', ref: 'redis:7.0.15', flavor: 'redis' };
};

describe('rolling changes', { timeout: 300_000 }, () => {
  it('migrates a sentinel group from Redis 7.0 to Valkey 8.0 under writes: one handover, nothing lost', async () => {
    const t = await localInstance(exampleInstance('sentinel', redis70));
    instances.push(t);
    await t.ensure();
    const writer = instanceWriter(t, { keyPrefix: 'upgrade' });
    await waitForAcknowledged(writer, 500); // writes flow before the migration
    const switches = await countSwitches(t, () =>
      upWith(t, (inst) => ({
        ...inst,
        image: {
          ...inst.image,
          repository: 'valkey/valkey',
          tag: '8.0.1',
          ref: 'valkey/valkey:8.0.1',
          flavor: 'valkey',
        },
      })),
    );
    await waitForAcknowledged(writer, 500); // and after it
    await writer.stop();
    const report = await writer.verify();
    console.log(summarizeReport(report));
    assert.equal(report.lostCount, 0, summarizeReport(report));
    assert.ok(report.acknowledged > 500, 'writes kept flowing');
    assert.equal(switches, 1, 'the master role moved exactly once');
    for (const m of dataMembers(t.inst)) {
      const info = await withClient(t.platform.placement(m.name), { password: t.ctx.password! }, async (c) =>
        serverInfo(await fetchInfo(c, ['server'])),
      );
      assert.equal(info.product, 'valkey', `${m.name} runs valkey`);
    }
    const s = await observeInstance(t.ctx);
    assert.equal(s.ready, true, s.problems.join('; '));
    assert.notEqual(s.master, 'sessions-0', 'the old master restarted as a replica');
  });

  it('applies live settings with CONFIG SET and SENTINEL SET, restarting nothing', async () => {
    const t = instances[0]!;
    const pids = await Promise.all(t.platform.members().map(async (m) => (await t.platform.state(m)).pid));
    await upWith(t, (inst) => ({
      ...inst,
      maxmemoryBytes: inst.maxmemoryBytes * 2,
      config: { ...inst.config, maxmemoryPolicy: 'allkeys-lru' },
      sentinel: { ...inst.sentinel!, downAfterMs: 4000 },
    }));
    assert.deepEqual(await Promise.all(t.platform.members().map(async (m) => (await t.platform.state(m)).pid)), pids);
    for (const m of dataMembers(t.inst)) {
      const cfg = await withClient(t.platform.placement(m.name), { password: t.ctx.password! }, (c) =>
        configGet(c, ['maxmemory', 'maxmemory-policy']),
      );
      assert.deepEqual(cfg, { maxmemory: String(t.inst.maxmemoryBytes), 'maxmemory-policy': 'allkeys-lru' });
    }
    assert.equal((await planChanges(t.ctx)).changes.length, 0, 'nothing left to change');
  });

  it('restarts a cluster for a start-only setting: masters hand over first, nothing lost, check clean', async () => {
    const t = await localInstance(exampleInstance('cluster'));
    instances.push(t);
    await t.ensure();
    const writer = instanceWriter(t, { keyPrefix: 'cluster-roll' });
    await waitForAcknowledged(writer, 500); // writes flow before the restart
    await upWith(t, (inst) => ({
      ...inst,
      config: { ...inst.config, extra: { ...inst.config.extra, 'tcp-backlog': '1024' } },
    }));
    await waitForAcknowledged(writer, 500); // and after it
    await writer.stop();
    const report = await writer.verify();
    console.log(summarizeReport(report));
    assert.equal(report.lostCount, 0, summarizeReport(report));
    const s = await observeInstance(t.ctx);
    assert.equal(s.ready, true, s.problems.join('; '));
    assert.deepEqual(
      s.members
        .filter((m) => m.role === 'master')
        .map((m) => m.name)
        .sort(),
      ['shards-3', 'shards-4', 'shards-5'],
    );
    const p = t.platform.placement('shards-3');
    const check = await run('valkey-cli', ['--cluster', 'check', `${p.host}:${p.port}`], {
      env: { ...process.env, REDISCLI_AUTH: t.ctx.password! },
    });
    assert.match(check.stdout, /\[OK\] All 16384 slots covered/);
    assert.doesNotMatch(check.stdout, /\[ERR\]|\[WARNING\]/);
    for (const m of dataMembers(t.inst)) {
      const cfg = await withClient(t.platform.placement(m.name), { password: t.ctx.password! }, (c) =>
        configGet(c, 'tcp-backlog'),
      );
      assert.equal(cfg['tcp-backlog'], '1024');
    }
  });

  it('restarts a standalone server with its data', async () => {
    const t = await localInstance(exampleInstance('standalone'));
    instances.push(t);
    await t.ensure();
    const at = t.platform.placement(dataMembers(t.inst)[0]!.name);
    await withClient(at, { password: t.ctx.password! }, (c) => c.set('kept', 'yes'));
    const pid = (await t.platform.state(dataMembers(t.inst)[0]!.name)).pid;
    await upWith(t, (inst) => ({
      ...inst,
      config: { ...inst.config, extra: { ...inst.config.extra, databases: '32' } },
    }));
    assert.notEqual((await t.platform.state(dataMembers(t.inst)[0]!.name)).pid, pid);
    assert.equal(await withClient(at, { password: t.ctx.password! }, (c) => c.get('kept')), 'yes');
    assert.equal(
      (await withClient(at, { password: t.ctx.password! }, (c) => configGet(c, 'databases'))).databases,
      '32',
    );
  });
});
