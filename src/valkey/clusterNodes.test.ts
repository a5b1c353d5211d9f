import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as valkey from '../../test/fixtures/replies/valkey.js';
import * as redis from '../../test/fixtures/replies/redis.js';
import { parseClusterNodeLine, parseClusterNodes, replicasOf, type ClusterNode } from './clusterNodes.js';
import { parseClusterInfo, parseClusterShards, parseClusterSlots } from './clusterReplies.js';
import { countSlots } from './slotRanges.js';

const myself = (nodes: readonly ClusterNode[]) => nodes.find((n) => n.flags.myself);

for (const [flavor, f] of [
  ['valkey', valkey],
  ['redis', redis],
] as const) {
  test(`${flavor}: CLUSTER NODES of a healthy 3+3 cluster with slot 100 migrating`, () => {
    const nodes = parseClusterNodes(f.clusterNodesMyself0);
    assert.equal(nodes.length, 6);
    const me = myself(nodes);
    assert.ok(me);
    assert.equal(me.role, 'master');
    assert.deepEqual(me.slots, [{ start: 0, end: 5460 }]);
    assert.equal(me.migrating.length, 1);
    assert.equal(me.migrating[0]?.slot, 100);
    assert.equal(me.importing.length, 0);
    assert.equal(me.pingSent, 0);
    assert.equal(me.linkState, 'connected');
    const masters = nodes.filter((n) => n.role === 'master' && n.slots.length > 0);
    assert.equal(masters.length, 3);
    assert.equal(
      masters.reduce((n, m) => n + countSlots(m.slots), 0),
      16384,
    );
    for (const m of masters) {
      const reps = replicasOf(nodes, m.id);
      assert.equal(reps.length, 1);
      assert.equal(reps[0]?.flags.replica, true);
      assert.equal(reps[0]?.masterId, m.id);
    }
    for (const n of nodes) {
      assert.match(n.id, /^[0-9a-f]{40}$/);
      assert.equal(n.host, '127.0.0.1');
      assert.equal(n.busPort, n.port + 10000);
      assert.equal(n.hostname, null);
      assert.ok(n.configEpoch >= 0);
    }
    // Epoch collision handling leaves every master with its own epoch (redis 7.0 keeps one at 0).
    assert.equal(new Set(masters.map((m) => m.configEpoch)).size, 3);
    assert.equal(me.migrating[0]?.nodeId, masters.find((m) => m.slots.some((r) => r.start === 5461))?.id);

    const target = myself(parseClusterNodes(f.clusterNodesMyself1));
    assert.deepEqual(target?.importing, [{ slot: 100, nodeId: me.id }]);
    assert.equal(myself(parseClusterNodes(f.clusterNodesReplica))?.role, 'replica');
  });

  test(`${flavor}: CLUSTER NODES with failed nodes`, () => {
    const withReplicaDown = parseClusterNodes(f.clusterNodesWithFailedReplica);
    const failedReplica = withReplicaDown.filter((n) => n.flags.fail);
    assert.equal(failedReplica.length, 1);
    assert.equal(failedReplica[0]?.role, 'replica');
    assert.equal(failedReplica[0]?.flags.fail, true);
    assert.equal(failedReplica[0]?.linkState, 'disconnected');
    const withMasterDown = parseClusterNodes(f.clusterNodesWithFailedMaster);
    const failedMaster = withMasterDown.find((n) => n.role === 'master' && n.flags.fail);
    assert.ok(failedMaster);
    assert.ok(failedMaster.pingSent > 0);
    assert.deepEqual(failedMaster.slots, [{ start: 10923, end: 16383 }]);
  });

  test(`${flavor}: CLUSTER NODES with hostnames and during handshake`, () => {
    const nodes = parseClusterNodes(f.clusterNodesWithHostnames);
    assert.deepEqual(nodes.map((n) => n.hostname).sort(), ['node-a.example', 'node-b.example']);
    const handshake = parseClusterNodes(f.clusterNodesHandshake);
    assert.equal(handshake.filter((n) => n.flags.handshake).length, 1);
    const me = myself(handshake);
    assert.equal(me?.host, '', 'a fresh node does not know its own ip yet');
    assert.equal(me?.hostname, 'node-b.example');
  });

  test(`${flavor}: CLUSTER INFO`, () => {
    const info = parseClusterInfo(f.clusterInfo);
    assert.equal(info.state, 'ok');
    assert.deepEqual(
      [info.slotsAssigned, info.slotsOk, info.slotsPfail, info.slotsFail, info.knownNodes, info.size],
      [16384, 16384, 0, 0, 6, 3],
    );
    assert.ok(info.currentEpoch >= 3);
    const down = parseClusterInfo(f.clusterInfoWithFailedMaster);
    assert.equal(down.state, 'fail');
    assert.equal(down.slotsFail, 5461);
  });

  test(`${flavor}: CLUSTER SHARDS`, () => {
    const shards = parseClusterShards(f.clusterShards);
    assert.equal(shards.length, 3);
    assert.equal(
      shards.reduce((n, s) => n + countSlots(s.slots), 0),
      16384,
    );
    for (const s of shards) {
      assert.deepEqual(s.nodes.map((n) => n.role).sort(), ['master', 'replica']);
      for (const n of s.nodes) {
        assert.equal(n.health, 'online');
        assert.equal(n.ip, '127.0.0.1');
        assert.equal(n.endpoint, '127.0.0.1');
        assert.ok((n.port ?? 0) > 0);
      }
    }
    const failed = parseClusterShards(f.clusterShardsWithFailedReplica)
      .flatMap((s) => s.nodes)
      .filter((n) => n.health === 'failed');
    assert.equal(failed.length, 1);
    const named = parseClusterShards(f.clusterShardsWithHostnames);
    assert.deepEqual(
      named[0]?.nodes.map((n) => n.hostname),
      ['node-a.example', 'node-b.example'],
    );
  });

  test(`${flavor}: CLUSTER SLOTS`, () => {
    const slots = parseClusterSlots(f.clusterSlots);
    assert.deepEqual(
      slots.map((s) => [s.start, s.end]),
      [
        [0, 5460],
        [5461, 10922],
        [10923, 16383],
      ],
    );
    for (const s of slots) {
      assert.equal(s.replicas.length, 1);
      assert.match(s.master.id, /^[0-9a-f]{40}$/);
    }
    const named = parseClusterSlots(f.clusterSlotsWithHostnames);
    assert.equal(named[0]?.master.host, 'node-a.example');
    assert.deepEqual(named[0]?.master.metadata, { ip: '127.0.0.1' });
  });
}

test('CLUSTER NODES line with IPv6, aux fields and flags', () => {
  const n = parseClusterNodeLine(
    'e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca [::1]:7000@17000,host-1,shard-id=abc,tls-port=0 master,fail?,nofailover - 1 2 5 connected 1-2 7 [9->-07c37dfeb235213a872192d90877d0cd55635b91]',
  );
  assert.equal(n.host, '::1');
  assert.equal(n.hostname, 'host-1');
  assert.deepEqual(n.aux, { 'shard-id': 'abc', 'tls-port': '0' });
  assert.deepEqual([n.flags.pfail, n.flags.fail, n.flags.nofailover], [true, false, true]);
  assert.deepEqual(n.slots, [
    { start: 1, end: 2 },
    { start: 7, end: 7 },
  ]);
  assert.deepEqual(n.migrating, [{ slot: 9, nodeId: '07c37dfeb235213a872192d90877d0cd55635b91' }]);
  assert.throws(() => parseClusterNodeLine('garbage'), /bad CLUSTER NODES/);
});
