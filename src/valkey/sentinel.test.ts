import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as valkey from '../../test/fixtures/replies/valkey.js';
import * as redis from '../../test/fixtures/replies/redis.js';
import {
  parseCkquorum,
  parseSentinelFlags,
  parseSentinelMaster,
  parseSentinelPeer,
  parseSentinelReplica,
} from './sentinel.js';

for (const [flavor, f] of [
  ['valkey', valkey],
  ['redis', redis],
] as const) {
  test(`${flavor}: SENTINEL MASTER / MASTERS`, () => {
    const m = parseSentinelMaster(f.sentinelMaster);
    assert.equal(m.name, `fixture-${flavor}`);
    assert.equal(m.ip, '127.0.0.1');
    assert.ok(m.port > 0);
    assert.equal(m.flags.master, true);
    assert.equal(m.flags.sDown || m.flags.oDown || m.flags.disconnected, false);
    assert.equal(m.quorum, 2);
    assert.equal(m.numOtherSentinels, 2);
    assert.equal(m.numReplicas, 1);
    assert.equal(m.configEpoch, 0);
    assert.equal(m.downAfterMs, 1000);
    assert.equal(m.failoverTimeoutMs, 180000);
    assert.equal(m.parallelSyncs, 1);
    assert.equal(m.roleReported, 'master');
    assert.equal(m.fields['runid'], m.runId);
    const all = (f.sentinelMasters as readonly unknown[]).map(parseSentinelMaster);
    assert.deepEqual(
      all.map((x) => x.name),
      [`fixture-${flavor}`],
    );
  });

  test(`${flavor}: SENTINEL MASTER while the master is down`, () => {
    const m = parseSentinelMaster(f.sentinelMasterDown);
    assert.equal(m.flags.sDown, true);
    assert.equal(m.flags.disconnected, true);
    assert.equal(m.flags.master, true);
    assert.ok((m.sDownTimeMs ?? -1) >= 0);
  });

  test(`${flavor}: SENTINEL REPLICAS / SENTINELS`, () => {
    const [r] = (f.sentinelReplicas as readonly unknown[]).map(parseSentinelReplica);
    assert.ok(r);
    assert.equal(r.flags.replica, true);
    assert.equal(r.masterLinkStatus, 'ok');
    assert.equal(r.replicaPriority, 42);
    assert.equal(r.replicaAnnounced, true);
    assert.ok((r.replicaReplOffset ?? 0) > 0);
    assert.equal(r.name, `${r.ip}:${r.port}`);
    const peers = (f.sentinelSentinels as readonly unknown[]).map(parseSentinelPeer);
    assert.equal(peers.length, 2);
    for (const p of peers) {
      assert.equal(p.flags.sentinel, true);
      assert.equal(p.votedLeader, null);
      assert.equal(p.name, p.runId);
    }
    const promoted = (f.sentinelReplicasAfterFailover as readonly unknown[]).map(parseSentinelReplica);
    assert.ok(promoted.length >= 1);
  });

  test(`${flavor}: CKQUORUM`, () => {
    const q = parseCkquorum(f.sentinelCkquorum);
    assert.deepEqual([q.ok, q.usable], [true, 3]);
  });
}

test('parseCkquorum of a NOQUORUM message', () => {
  const q = parseCkquorum(
    'NOQUORUM 1 usable Sentinels. Not enough available Sentinels to reach the specified quorum for this master',
  );
  assert.deepEqual([q.ok, q.usable], [false, 1]);
});

test('sentinel flags', () => {
  const f = parseSentinelFlags('s_down,o_down,master,failover_in_progress');
  assert.deepEqual([f.sDown, f.oDown, f.master, f.failoverInProgress, f.replica], [true, true, true, true, false]);
});
