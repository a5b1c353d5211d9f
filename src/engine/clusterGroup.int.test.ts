// CLUSTER mode on real servers: bootstrap checked by valkey-cli itself, idempotence, master
// failover, an interrupted bootstrap, and a full restart on new addresses.
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  EXAMPLES,
  exampleInstance,
  freeBase,
  instanceFrom,
  localInstance,
  type LocalTestInstance,
} from '../../test/support/localInstance.js';
import { clusterAddSlotsRange, clusterMeet, clusterNodes } from '../valkey/cluster.js';
import { send } from '../valkey/command.js';
import { withClient } from '../valkey/connection.js';
import { keySlot } from '../valkey/slot.js';
import { evenSlotRanges } from '../valkey/slotRanges.js';
import { startServer } from './launch.js';
import { formCluster, staleAddresses } from './clusterGroup.js';
import { formatStatus } from '../cli/statusCommand.js';
import { observeInstance } from './status.js';
import { stopInstance } from './stop.js';
import { dataMembers } from './topology.js';
import { waitFor } from './wait.js';

const run = promisify(execFile);

async function clusterCheck(t: LocalTestInstance, member: string): Promise<string> {
  const at = t.platform.placement(member);
  const cli = t.inst.image.flavor === 'redis' ? 'redis-cli' : 'valkey-cli';
  const { stdout } = await run(cli, ['--cluster', 'check', `${at.host}:${at.port}`], {
    env: { ...process.env, REDISCLI_AUTH: t.ctx.password ?? '' },
  });
  return stdout;
}

/** Writes keys straight to the master that owns each slot (no cluster client needed). */
async function writeKeys(t: LocalTestInstance, n: number): Promise<void> {
  const s = await observeInstance(t.ctx);
  const owner = (slot: number) =>
    s.members.find(
      (m) =>
        m.role === 'master' &&
        m.slots?.some((r) => {
          const [a, b] = r.split('-').map(Number);
          return slot >= a! && slot <= (b ?? a!);
        }),
    )!;
  for (let i = 0; i < n; i++) {
    const key = `key:${i}`;
    await withClient(t.platform.placement(owner(keySlot(key)).name), { password: t.ctx.password! }, (c) =>
      send(c, 'SET', [key, `v${i}`]),
    );
  }
}

async function countKeys(t: LocalTestInstance): Promise<number> {
  const s = await observeInstance(t.ctx);
  let total = 0;
  for (const m of s.members.filter((x) => x.role === 'master'))
    total += await withClient(t.platform.placement(m.name), { password: t.ctx.password! }, (c) =>
      send<number>(c, 'DBSIZE'),
    );
  return total;
}

for (const flavor of ['valkey', 'redis'] as const) {
  describe(`cluster (${flavor})`, { timeout: 120_000 }, () => {
    let t: LocalTestInstance;
    // From the YAML, as a user edits it: the member list is derived from the spec at validation.
    const spec = (masters = 3) =>
      instanceFrom(
        readFileSync(join(EXAMPLES, 'cluster.yaml'), 'utf8').replace(/masters: 3\b/, `masters: ${masters}`),
        (inst) => {
          if (flavor === 'redis')
            inst.image = { ...inst.image, repository: 'redis', tag: '7.0.15', ref: 'redis:7.0.15', flavor: 'redis' };
          inst.cluster!.nodeTimeoutMs = 2000;
        },
      );
    before(async () => {
      t = await localInstance(spec());
    });
    after(async () => t?.dispose());

    it('bootstraps 3 masters with balanced slots and one replica each', async () => {
      await t.ensure();
      const s = await observeInstance(t.ctx);
      assert.equal(s.ready, true, s.problems.join('; '));
      assert.deepEqual(
        s.members.filter((m) => m.role === 'master').map((m) => m.slots),
        [['0-5460'], ['5461-10922'], ['10923-16383']],
      );
      assert.deepEqual(
        s.members.filter((m) => m.role === 'replica').map((m) => m.masterName),
        ['shards-0', 'shards-1', 'shards-2'],
      );
      const check = await clusterCheck(t, 'shards-0');
      assert.match(check, /\[OK\] All 16384 slots covered/);
      assert.doesNotMatch(check, /\[ERR\]|\[WARNING\]/);
    });

    it('is idempotent: a second run changes nothing', async () => {
      const logged = t.logs.length;
      await t.ensure();
      assert.deepEqual(
        t.logs.slice(logged).filter((l) => /^(starting|meeting|assigning|making)/.test(l)),
        [],
      );
    });

    it('status of a spec grown to 4 masters, before rk up: what runs, and what is still to come', async () => {
      const grown = spec(4);
      const s = await observeInstance({ ...t.ctx, inst: grown });
      const placed = t.platform.members();
      const toCome = dataMembers(grown)
        .map((m) => m.name)
        .filter((n) => !placed.includes(n));
      assert.ok(toCome.length > 0, 'the grown spec names members that do not run yet');
      assert.deepEqual(s.pending, toCome);
      assert.equal(s.ready, true, `the running cluster is judged as it is: ${s.problems.join('; ')}`);
      assert.equal(s.members.filter((m) => m.role === 'master').length, 3);
      for (const m of s.members.filter((x) => x.role === 'pending')) assert.equal(m.port, null);
      assert.match(
        formatStatus(s),
        new RegExp(`to come: ${toCome.join(', ')} \\(not started yet: rk up starts them\\)`),
      );
    });

    it('fails over a killed master and takes it back as a replica', async () => {
      await writeKeys(t, 300);
      for (const m of ['shards-0', 'shards-1', 'shards-2'])
        await withClient(t.platform.placement(m), { password: t.ctx.password! }, (c) => send(c, 'WAIT', [1, 2000]));
      await t.platform.kill('shards-0');
      await waitFor(
        'shards-3 to take over',
        async () => {
          const s = await observeInstance(t.ctx);
          const settled =
            s.members.find((m) => m.name === 'shards-3')?.role === 'master' &&
            s.members.every((m) => !m.clusterState || m.clusterState === 'ok');
          if (settled) return true;
          // What each member says, and how shards-3 sees the others (fail?, fail): the timeout
          // message then tells a slow election from a stuck one.
          const views = s.members.map(
            (m) => `${m.name} ${m.role} ${m.clusterState ?? '-'}${m.problem ? ` (${m.problem})` : ''}`,
          );
          const flags = await withClient(t.platform.placement('shards-3'), { password: t.ctx.password! }, (c) =>
            clusterNodes(c),
          )
            .then((ns) => ns.map((n) => `${n.port}:${n.flags.list.join(',')}`).join(' '))
            .catch((e: Error) => e.message);
          return `${views.join(', ')}; shards-3 sees ${flags}`;
        },
        { timeoutMs: 30_000, intervalMs: 200 },
      );
      await t.ensure();
      const s = await observeInstance(t.ctx);
      assert.equal(s.ready, true, s.problems.join('; '));
      assert.equal(s.members.find((m) => m.name === 'shards-0')?.role, 'replica');
      assert.equal(await countKeys(t), 300);
    });

    it('starts a replica whose nodes.conf gives it a shard id other than its primary', async () => {
      // What a replica stopped before shard ids converged by gossip leaves behind (valkey#774).
      const s0 = await observeInstance(t.ctx);
      const replica = s0.members.find((m) => m.role === 'replica')!;
      await t.platform.stop(replica.name);
      const text = t.platform.readDataFile(replica.name, 'nodes.conf')!;
      const diverged = text.replace(/(shard-id=)[0-9a-f]{40}( myself,slave )/, `$1${'9'.repeat(40)}$2`);
      if (flavor === 'valkey') {
        assert.notEqual(diverged, text, 'valkey 8 writes a shard id on the replica line');
        const dir = mkdtempSync(join(tmpdir(), 'rk-shard-'));
        writeFileSync(join(dir, 'nodes.conf'), diverged);
        // Loaded and then refused, or loaded and exited at once for want of a port: which is it?
        const raw = spawnSync('valkey-server', ['--port', '0', '--cluster-enabled', 'yes', '--dir', dir], {
          encoding: 'utf8',
          timeout: 10_000,
        });
        rmSync(dir, { recursive: true, force: true });
        const version = spawnSync('valkey-server', ['--version'], { encoding: 'utf8' }).stdout;
        if (/v=8\.0\./.test(version))
          assert.match(raw.stdout, /corrupted cluster config file/, 'valkey 8.0 refuses the file as it is');
      }
      t.platform.writeDataFile(replica.name, 'nodes.conf', diverged);
      await startServer(t.ctx, replica.name, null);
      await waitFor(
        `${replica.name} back as a replica of ${replica.masterName}`,
        async () => {
          const s = await observeInstance(t.ctx);
          const back = s.members.find((m) => m.name === replica.name);
          if (s.ready && back?.role === 'replica' && back.masterName === replica.masterName) return true;
          return `${back?.role ?? 'absent'} of ${back?.masterName ?? '-'}; ${s.problems.join('; ')}`;
        },
        { timeoutMs: 30_000, intervalMs: 200 },
      );
      assert.equal(await countKeys(t), 300);
    });

    it('comes back with every key and role after a full stop and new ports', async () => {
      const rolesBefore = (await observeInstance(t.ctx)).members.map((m) => `${m.name}:${m.role}`);
      const logged = t.logs.length;
      await stopInstance(t.ctx);
      await t.reopen(await freeBase(6, true));
      await t.ensure();
      const s = await observeInstance(t.ctx);
      assert.equal(s.ready, true, s.problems.join('; '));
      assert.deepEqual(
        s.members.map((m) => `${m.name}:${m.role}`),
        rolesBefore,
      );
      assert.equal(await countKeys(t), 300);
      assert.doesNotMatch(await clusterCheck(t, 'shards-1'), /\[ERR\]/);
      assert.deepEqual(
        t.logs.slice(logged).filter((l) => /^(assigning|making)/.test(l)),
        [],
        'the cluster reformed by itself: no slot assigned, no replica re-attached',
      );
    });

    it('heals by node id when members come back on new ports with nodes.conf naming the old ones', async () => {
      // What a pod's start script cannot always fix (its peers had no address yet when it
      // started): every member up, each knowing the others where they were.
      await stopInstance(t.ctx);
      await t.reopen(await freeBase(6, true));
      for (const m of dataMembers(t.inst)) await startServer(t.ctx, m.name, null);
      assert.match((await staleAddresses(t.ctx)) ?? '', /knows shards-\d at 127\.0\.0\.1:\d+, not at 127\.0\.0\.1:\d+/);
      const logged = t.logs.length;
      await formCluster(t.ctx);
      assert.equal(await staleAddresses(t.ctx), null);
      const s = await observeInstance(t.ctx);
      assert.equal(s.ready, true, s.problems.join('; '));
      assert.equal(await countKeys(t), 300);
      assert.deepEqual(
        t.logs.slice(logged).filter((l) => /^(assigning|making)/.test(l)),
        [],
        'healed by MEETs alone: no slot assigned, no replica re-attached',
      );
    });
  });
}

describe('cluster bootstrap interrupted half-way', { timeout: 60_000 }, () => {
  let t: LocalTestInstance;
  before(async () => {
    t = await localInstance(
      exampleInstance('cluster', (inst) => {
        inst.cluster!.nodeTimeoutMs = 2000;
      }),
    );
  });
  after(async () => t?.dispose());

  it('converges from 4 started members, a partial MEET and one master with slots', async () => {
    const members = dataMembers(t.inst).map((m) => m.name);
    for (const m of members.slice(0, 4)) {
      await startServer(t.ctx, m, null);
    }
    const p1 = t.platform.placement('shards-1');
    await withClient(t.platform.placement('shards-0'), { password: t.ctx.password! }, async (c) => {
      await clusterMeet(c, p1.host, p1.port, p1.busPort);
      await clusterAddSlotsRange(c, [evenSlotRanges(3)[0]!]);
    });
    await t.ensure();
    const s = await observeInstance(t.ctx);
    assert.equal(s.ready, true, s.problems.join('; '));
    assert.deepEqual(
      s.members.filter((m) => m.role === 'master').map((m) => m.slots),
      [['0-5460'], ['5461-10922'], ['10923-16383']],
    );
    assert.deepEqual(
      t.logs.filter((l) => l.startsWith('assigning')),
      ['assigning 5462 slots to shards-1', 'assigning 5461 slots to shards-2'],
      'the slots shards-0 already had are not touched',
    );
  });
});
