import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as valkey from '../../test/fixtures/replies/valkey.js';
import * as redis from '../../test/fixtures/replies/redis.js';
import {
  isSyncedReplica,
  keyspaceInfo,
  parseInfo,
  parseInfoValueList,
  persistenceInfo,
  replicationInfo,
  serverInfo,
} from './info.js';

for (const [flavor, f] of [
  ['valkey', valkey],
  ['redis', redis],
] as const) {
  test(`${flavor}: INFO sections and server view`, () => {
    const sections = parseInfo(f.infoMaster);
    for (const s of ['server', 'clients', 'memory', 'persistence', 'stats', 'replication', 'cpu', 'keyspace'])
      assert.ok(sections[s], s);
    const server = serverInfo(sections);
    assert.equal(server.product, flavor);
    assert.equal(server.version, f.version);
    assert.equal(server.mode, 'standalone');
    assert.equal(server.executable, `/usr/bin/${flavor}-server`);
    assert.match(server.runId, /^[0-9a-f]{40}$/);
    assert.ok(server.tcpPort > 0);
    assert.equal(sections['server']?.['tcp_port'], String(server.tcpPort));
    if (flavor === 'valkey') assert.equal(server.redisCompatVersion, '7.2.4');
  });

  test(`${flavor}: replication view of a master with one replica`, () => {
    const r = replicationInfo(parseInfo(f.infoMaster));
    assert.equal(r.role, 'master');
    assert.equal(r.connectedReplicas, 1);
    assert.equal(r.replicas.length, 1);
    const [replica] = r.replicas;
    assert.equal(replica?.ip, '127.0.0.1');
    assert.equal(replica?.state, 'online');
    assert.ok((replica?.port ?? 0) > 0);
    assert.ok(r.masterReplOffset > 0);
    assert.match(r.masterReplid, /^[0-9a-f]{40}$/);
    assert.equal(r.masterHost, null);
    assert.equal(r.masterLinkStatus, null);
  });

  test(`${flavor}: replication view of a synced replica`, () => {
    const r = replicationInfo(parseInfo(f.infoReplica));
    assert.equal(r.role, 'replica');
    assert.equal(r.masterHost, '127.0.0.1');
    assert.equal(r.masterLinkStatus, 'up');
    assert.equal(r.masterSyncInProgress, false);
    assert.equal(r.replicaPriority, 42);
    assert.equal(r.replicaReadOnly, true);
    assert.equal(r.masterLastIoSecondsAgo !== null && r.masterLastIoSecondsAgo >= 0, true);
    const master = replicationInfo(parseInfo(f.infoMaster));
    assert.equal(r.slaveReplOffset, master.masterReplOffset);
    assert.equal(isSyncedReplica(r, master.masterReplOffset), true);
    assert.equal(isSyncedReplica(r, master.masterReplOffset + 1), false);
    assert.equal(isSyncedReplica(master, 0), false, 'a master is never a synced replica');
  });

  test(`${flavor}: replica whose master died`, () => {
    const r = replicationInfo(parseInfo(f.infoReplicaLinkDown));
    assert.equal(r.masterLinkStatus, 'down');
    assert.equal(r.masterLastIoSecondsAgo, -1);
    assert.ok((r.masterLinkDownSinceSeconds ?? -1) >= 0);
    assert.equal(isSyncedReplica(r, 0), false);
  });

  test(`${flavor}: persistence and keyspace`, () => {
    const sections = parseInfo(f.infoMaster);
    const p = persistenceInfo(sections);
    assert.deepEqual(
      [p.loading, p.asyncLoading, p.aofEnabled, p.aofRewriteInProgress, p.rdbBgsaveInProgress],
      [false, false, false, false, false],
    );
    assert.equal(p.rdbLastBgsaveStatus, 'ok');
    assert.deepEqual(keyspaceInfo(sections), [
      { db: 0, keys: 2, expires: 0, avgTtl: 0 },
      { db: 3, keys: 1, expires: 1, avgTtl: keyspaceInfo(sections)[1]?.avgTtl ?? -1 },
    ]);
  });

  test(`${flavor}: sentinel INFO`, () => {
    const sections = parseInfo(f.infoSentinel);
    assert.equal(serverInfo(sections).mode, 'sentinel');
    assert.equal(serverInfo(sections).executable, `/usr/bin/${flavor}-sentinel`);
    const s = sections['sentinel'] ?? {};
    assert.equal(s['sentinel_masters'], '1');
    assert.equal(s['sentinel_tilt'], '0');
    const master0 = parseInfoValueList(s['master0'] ?? '');
    assert.deepEqual(
      [master0['name'], master0['status'], master0['slaves'], master0['sentinels']],
      [`fixture-${flavor}`, 'ok', '1', '3'],
    );
  });

  test(`${flavor}: cluster-enabled INFO`, () => {
    const sections = parseInfo(f.infoClusterMaster);
    assert.equal(serverInfo(sections).mode, 'cluster');
    assert.equal(sections['cluster']?.['cluster_enabled'], '1');
  });
}

test('parseInfo tolerates LF-only text and fields before any header', () => {
  const s = parseInfo('a:1\n# Replication\nrole:master\nweird line\n');
  assert.deepEqual(s, { '': { a: '1' }, replication: { role: 'master' } });
});

test('replicationInfo refuses INFO without a role', () => {
  assert.throws(() => replicationInfo(parseInfo('# Server\nfoo:bar\n')), /role/);
});
