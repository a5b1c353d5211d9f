// SENTINEL mode on real servers: bootstrap, idempotence, failover and rejoin, and the full
// restart on new addresses that peer operators lose groups to.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { exampleInstance, localInstance, freeBase, type LocalTestInstance } from '../../test/support/localInstance.js';
import { withClient } from '../valkey/connection.js';
import { send } from '../valkey/command.js';
import { observeInstance } from './status.js';
import { dataMembers } from './topology.js';
import { waitFor } from './wait.js';

for (const flavor of ['valkey', 'redis'] as const) {
  describe(`sentinel group (${flavor})`, { timeout: 120_000 }, () => {
    let t: LocalTestInstance;
    before(async () => {
      t = await localInstance(
        exampleInstance('sentinel', (inst) => {
          if (flavor === 'redis')
            inst.image = { ...inst.image, repository: 'redis', tag: '7.0.15', ref: 'redis:7.0.15', flavor: 'redis' };
          inst.sentinel!.downAfterMs = 1500;
        }),
      );
    });
    after(async () => t?.dispose());

    const conn = () => ({ password: t.ctx.password!, connectTimeoutMs: 1000 });
    const masterOf = async () => (await observeInstance(t.ctx)).master;

    it('bootstraps 1 master, 2 synced replicas and 3 agreeing sentinels', async () => {
      await t.ensure();
      const s = await observeInstance(t.ctx);
      assert.equal(s.ready, true, s.problems.join('; '));
      assert.equal(s.master, 'sessions-0');
      assert.deepEqual(
        s.members.filter((m) => m.role === 'replica').map((m) => m.masterName),
        ['sessions-0', 'sessions-0'],
      );
      assert.ok(s.members.filter((m) => m.kind === 'sentinel').every((m) => m.sees === 'sessions-0'));
    });

    it('is idempotent: a second run restarts nothing', async () => {
      const pidsBefore = await Promise.all(dataMembers(t.inst).map(async (m) => (await t.platform.state(m.name)).pid));
      const logged = t.logs.length;
      await t.ensure();
      const pidsAfter = await Promise.all(dataMembers(t.inst).map(async (m) => (await t.platform.state(m.name)).pid));
      assert.deepEqual(pidsAfter, pidsBefore);
      assert.deepEqual(
        t.logs.slice(logged).filter((l) => l.startsWith('starting')),
        [],
        'nothing is started again',
      );
    });

    it('fails over when the master is killed, and the old master rejoins as a replica', async () => {
      const old = (await masterOf())!;
      await withClient(t.platform.placement(old), conn(), (c) => send(c, 'SET', ['before-failover', 'kept']));
      await withClient(t.platform.placement(old), conn(), (c) => send(c, 'WAIT', [2, 2000]));
      await t.platform.kill(old);
      await waitFor(
        'a new master',
        async () => {
          const s = await observeInstance(t.ctx);
          return s.master &&
            s.master !== old &&
            s.members.filter((m) => m.kind === 'sentinel').every((m) => m.sees === s.master)
            ? true
            : `master ${s.master}`;
        },
        { timeoutMs: 30_000, intervalMs: 200 },
      );
      const promoted = (await masterOf())!;
      await t.ensure(); // restarts what is missing
      const s = await observeInstance(t.ctx);
      assert.equal(s.ready, true, s.problems.join('; '));
      assert.equal(s.master, promoted, 'ensure must not fail back');
      assert.equal(s.members.find((m) => m.name === old)?.role, 'replica');
      const v = await withClient(t.platform.placement(promoted), conn(), (c) =>
        send<string>(c, 'GET', ['before-failover']),
      );
      assert.equal(v, 'kept');
    });

    it('comes back with all data and the same master after a full stop and new ports', async () => {
      const master = (await masterOf())!;
      for (let i = 0; i < 200; i++)
        await withClient(t.platform.placement(master), conn(), (c) => send(c, 'SET', [`k${i}`, `v${i}`]));
      await withClient(t.platform.placement(master), conn(), (c) => send(c, 'WAIT', [2, 2000]));
      const { stopInstance } = await import('./stop.js');
      await stopInstance(t.ctx);
      const oldPort = t.platform.placement(master).port;
      await t.reopen(await freeBase(6, false));
      assert.notEqual(t.platform.placement(master).port, oldPort);
      await t.ensure();
      const s = await observeInstance(t.ctx);
      assert.equal(s.ready, true, s.problems.join('; '));
      assert.equal(s.master, master, 'the last master stays master');
      for (const m of dataMembers(t.inst)) {
        const n = await withClient(t.platform.placement(m.name), conn(), (c) => send<number>(c, 'DBSIZE'));
        assert.equal(n, 201, `${m.name} has every key`);
      }
    });
  });
}
