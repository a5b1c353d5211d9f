// Cluster commands against a real 3 master + 3 replica valkey cluster built with them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestCluster, startTestServer, stopTestServers, type TestCluster } from '../../test/support/servers.js';
import { closeClient, connect, withClient, type ValkeyClient } from './connection.js';
import { fetchReplication } from './info.js';
import {
  clusterCountFailureReports,
  clusterCountKeysInSlot,
  clusterFailover,
  clusterForget,
  clusterGetKeysInSlot,
  clusterInfo,
  clusterMigrateSlotsSupported,
  clusterMyId,
  clusterMyShardId,
  clusterNodes,
  clusterReplicas,
  clusterReset,
  clusterSetConfigEpoch,
  clusterSetSlot,
  clusterShards,
  clusterSlots,
} from './cluster.js';
import { migrateKeys } from './migrate.js';
import { keySlot } from './slot.js';
import { countSlots } from './slotRanges.js';
import { ValkeyReplyError } from './errors.js';
import { startWriter } from '../check/writer.js';
import { summarizeReport } from '../check/report.js';

let c: TestCluster;
const clients: ValkeyClient[] = [];
const client = (i: number): ValkeyClient => clients[i]!;

before(async () => {
  const t0 = Date.now();
  c = await startTestCluster({ masters: 3, replicasPerMaster: 1 });
  console.log(`# 6-node cluster ready in ${Date.now() - t0} ms`);
  for (const n of c.nodes) clients.push(await connect(n.endpoint));
});
after(async () => {
  await Promise.all(clients.map((x) => closeClient(x)));
  await stopTestServers();
});

/** A hash tag whose slot master 0 (slots 0-5460) owns. */
function tagOnMaster0(prefix: string): string {
  for (let i = 0; ; i++) if (keySlot(`${prefix}${i}`) <= 5460) return `{${prefix}${i}}`;
}

async function until(what: string, timeoutMs: number, cond: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20); // the poll interval
  }
}

test('topology reads agree', async () => {
  const info = await clusterInfo(client(0));
  assert.deepEqual([info.state, info.slotsAssigned, info.knownNodes, info.size], ['ok', 16384, 6, 3]);
  const nodes = await clusterNodes(client(0));
  assert.equal(nodes.find((n) => n.flags.myself)?.id, await clusterMyId(client(0)));
  const shards = await clusterShards(client(1));
  assert.equal(shards.length, 3);
  assert.equal(
    shards.reduce((n, s) => n + countSlots(s.slots), 0),
    16384,
  );
  const slots = await clusterSlots(client(2));
  assert.deepEqual(
    slots.map((s) => [s.start, s.end, s.master.id]),
    [
      [0, 5460, c.ids[0]],
      [5461, 10922, c.ids[1]],
      [10923, 16383, c.ids[2]],
    ],
  );
  assert.deepEqual(
    (await clusterReplicas(client(0), c.ids[0]!)).map((n) => n.id),
    [c.ids[3]],
  );
  assert.match(await clusterMyShardId(client(0)), /^[0-9a-f]{40}$/);
  assert.equal(await clusterMigrateSlotsSupported(client(0)), false, 'valkey 8.0 has no CLUSTER MIGRATESLOTS');
  assert.equal(await clusterCountFailureReports(client(0), c.ids[1]!), 0);
});

test('legacy slot migration: SETSLOT IMPORTING/MIGRATING, MIGRATE keys, SETSLOT NODE', async () => {
  const [source, target] = [client(0), client(1)];
  const tag = tagOnMaster0('mig');
  const slot = keySlot(tag);
  for (let i = 0; i < 25; i++) await source.set(`${tag}:${i}`, `v${i}`);
  await target.call('ASKING');
  await clusterSetSlot(target, slot, 'IMPORTING', c.ids[0]!);
  await clusterSetSlot(source, slot, 'MIGRATING', c.ids[1]!);
  assert.deepEqual((await clusterNodes(source)).find((n) => n.flags.myself)?.migrating, [{ slot, nodeId: c.ids[1] }]);
  assert.equal(await clusterCountKeysInSlot(source, slot), 25);

  // A key already on the target, without REPLACE: BUSYKEY, reported not thrown.
  await target.call('ASKING');
  await target.set(`${tag}:0`, 'old');
  const busy = await migrateKeys(source, c.nodes[1]!.endpoint, [`${tag}:0`], { timeoutMs: 2000 });
  assert.equal(busy.outcome, 'busykey');

  for (;;) {
    const keys = await clusterGetKeysInSlot(source, slot, 10);
    if (keys.length === 0) break;
    const r = await migrateKeys(source, c.nodes[1]!.endpoint, keys, { timeoutMs: 2000, replace: true });
    assert.equal(r.outcome, 'migrated');
  }
  assert.deepEqual(await migrateKeys(source, c.nodes[1]!.endpoint, [`${tag}:0`], { timeoutMs: 2000 }), {
    outcome: 'nokey',
  });
  await clusterSetSlot(target, slot, 'NODE', c.ids[1]!);
  await clusterSetSlot(source, slot, 'NODE', c.ids[1]!);
  assert.equal(await clusterCountKeysInSlot(target, slot), 25);
  assert.equal(await target.get(`${tag}:0`), 'v0');
  await until('every node agrees on the new owner', 5000, async () => {
    for (const x of clients) {
      const owner = (await clusterSlots(x)).find((s) => s.start <= slot && slot <= s.end);
      if (owner?.master.id !== c.ids[1]) return false;
    }
    return true;
  });
  // And back, so later tests see the original layout.
  await clusterSetSlot(source, slot, 'IMPORTING', c.ids[1]!);
  await clusterSetSlot(target, slot, 'MIGRATING', c.ids[0]!);
  const keys = await clusterGetKeysInSlot(target, slot, 100);
  assert.equal((await migrateKeys(target, c.nodes[0]!.endpoint, keys, { timeoutMs: 2000 })).outcome, 'migrated');
  await clusterSetSlot(source, slot, 'NODE', c.ids[0]!);
  await clusterSetSlot(target, slot, 'NODE', c.ids[0]!);
  await clusterSetSlot(source, slot, 'STABLE');
});

test('MIGRATE to an unreachable target throws a typed error', async () => {
  const dead = await startTestServer();
  const endpoint = dead.endpoint;
  await dead.crash();
  const key = `${tagOnMaster0('gone')}k`;
  await client(0).set(key, '1');
  await assert.rejects(
    migrateKeys(client(0), endpoint, [key], { timeoutMs: 300, auth: { password: 'migrate-secret' } }),
    (err: unknown) =>
      err instanceof ValkeyReplyError && /IOERR/.test(err.message) && !err.message.includes('migrate-secret'),
  );
});

test('checker over the cluster: keys on every master, nothing lost', async () => {
  const writer = startWriter({
    target: { kind: 'cluster', nodes: [c.nodes[0]!.endpoint] },
    keyPrefix: 'cl',
    maxWrites: 2000,
    concurrency: 4,
    waitReplicas: 1,
    waitTimeoutMs: 500,
  });
  const report = await writer.verify();
  assert.equal(report.ok, true, summarizeReport(report));
  assert.equal(report.acknowledged, 2000, summarizeReport(report));
  for (const x of clients.slice(0, 3)) assert.ok((await x.dbsize()) > 400, 'keys spread over all masters');
});

test('manual CLUSTER FAILOVER promotes the replica; FORGET and RESET work', async () => {
  const replica = client(5); // replica of master 2
  await clusterFailover(replica);
  await until('replica became master', 10000, async () => (await fetchReplication(replica)).role === 'master');
  await until('old master is now a replica', 10000, async () => (await fetchReplication(client(2))).role === 'replica');
  const me = (await clusterNodes(replica)).find((n) => n.flags.myself);
  assert.deepEqual(me?.slots, [{ start: 10923, end: 16383 }]);

  // Take replica node 3 out of the cluster: reset it, then forget it everywhere else.
  await clusterReset(client(3), 'HARD');
  assert.notEqual(await clusterMyId(client(3)), c.ids[3]);
  for (const i of [0, 1, 2, 4, 5]) await clusterForget(client(i), c.ids[3]!);
  assert.equal(
    (await clusterNodes(client(0))).some((n) => n.id === c.ids[3]),
    false,
  );
  // A lone fresh node accepts a config epoch.
  await clusterSetConfigEpoch(client(3), 42);
  assert.equal((await clusterNodes(client(3))).find((n) => n.flags.myself)?.configEpoch, 42);
});

test('cluster client state survives: nodes still agree on ok state', async () => {
  await until('cluster ok on remaining nodes', 10000, async () => {
    for (const i of [0, 1, 2, 4, 5]) if ((await clusterInfo(client(i))).state !== 'ok') return false;
    return true;
  });
  await withClient(c.nodes[0]!.endpoint, {}, async (x) => assert.equal((await clusterInfo(x)).knownNodes, 5));
});
