// SENTINEL commands against live valkey-sentinel (and redis-sentinel for the parsers).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestSentinel, startTestServer, stopTestServers } from '../../test/support/servers.js';
import { closeClient, connect, type ValkeyClient } from './connection.js';
import {
  getMasterAddrByName,
  isUnknownMasterError,
  sentinelCkquorum,
  sentinelFailover,
  sentinelFlushConfig,
  sentinelMaster,
  sentinelMasters,
  sentinelMonitor,
  sentinelMyId,
  sentinelRemove,
  sentinelReplicas,
  sentinelReset,
  sentinelSentinels,
  sentinelSet,
} from './sentinel.js';
import { ValkeyReplyError } from './errors.js';
import { fetchInfo, parseInfoValueList, serverInfo } from './info.js';

after(stopTestServers);

async function until(what: string, timeoutMs: number, cond: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25); // the poll interval
  }
}

test('valkey: monitor, inspect, SENTINEL FAILOVER, reset, remove', async () => {
  const master = await startTestServer({ password: 'data-pass' });
  const replica = await startTestServer({ password: 'data-pass', config: `replicaof 127.0.0.1 ${master.port}\n` });
  const sentinels = await Promise.all([0, 1, 2].map(() => startTestSentinel({ password: 'sentinel-pass' })));
  const clients: ValkeyClient[] = await Promise.all(sentinels.map((s) => connect(s.endpoint, s.auth)));
  const name = `rk-sentinel-${process.pid}`;
  try {
    for (const c of clients) {
      await sentinelMonitor(c, name, '127.0.0.1', master.port, 2);
      // Sentinels authenticate to each other with their own requirepass when told so.
      await sentinelSet(c, name, {
        'auth-pass': 'data-pass',
        'down-after-milliseconds': 1000,
        'failover-timeout': 10000,
      });
    }
    const c0 = clients[0]!;
    await assert.rejects(sentinelMonitor(c0, name, '127.0.0.1', master.port, 2), ValkeyReplyError);
    assert.deepEqual(await getMasterAddrByName(c0, name), master.endpoint);
    assert.equal(await getMasterAddrByName(c0, 'no-such-master'), null);
    await until('replica discovered', 5000, async () => (await sentinelReplicas(c0, name)).length === 1);
    const [r] = await sentinelReplicas(c0, name);
    assert.equal(r?.port, replica.port);
    const m = await sentinelMaster(c0, name);
    assert.deepEqual(
      [m.quorum, m.downAfterMs, m.failoverTimeoutMs, m.flags.master, m.ip, m.port],
      [2, 1000, 10000, true, '127.0.0.1', master.port],
    );
    assert.deepEqual(
      (await sentinelMasters(c0)).map((x) => x.name),
      [name],
    );
    assert.match(await sentinelMyId(c0), /^[0-9a-f]{40}$/);
    await assert.rejects(sentinelMaster(c0, 'nope'), (e: unknown) => isUnknownMasterError(e));
    assert.deepEqual(await c0.call('ROLE'), ['sentinel', [name]]);
    const info = await fetchInfo(c0);
    assert.equal(serverInfo(info).mode, 'sentinel');
    assert.equal(parseInfoValueList(info['sentinel']?.['master0'] ?? '')['name'], name);

    // Sentinels find each other through the master's hello channel; until then no quorum.
    await until('sentinels know each other', 10000, async () => (await sentinelSentinels(c0, name)).length === 2);
    const q = await sentinelCkquorum(c0, name);
    assert.deepEqual([q.ok, q.usable], [true, 3]);

    await sentinelFailover(c0, name);
    await until('replica promoted', 10000, async () => (await getMasterAddrByName(c0, name))?.port === replica.port);
    // The old master is NOT demoted by the failover itself: sentinels reconfigure it only after it
    // has kept reporting the master role for a while (seconds). Until then it accepts writes.
    const promoted = await sentinelMaster(c0, name);
    assert.ok(promoted.configEpoch >= 1);

    await sentinelFlushConfig(c0);
    const conf = readFileSync(sentinels[0]!.configPath, 'utf8');
    assert.match(conf, new RegExp(`sentinel monitor ${name} 127\\.0\\.0\\.1 ${replica.port} 2`));

    assert.equal(await sentinelReset(c0, name), 1);
    assert.equal(await sentinelReset(c0, 'nothing-matches-*'), 0);
    for (const c of clients) await sentinelRemove(c, name);
    assert.deepEqual(await sentinelMasters(c0), []);
  } finally {
    await Promise.all(clients.map((c) => closeClient(c)));
  }
});

test('redis 7: monitor and parse live sentinel replies; CKQUORUM failure is a result, not an error', async () => {
  const master = await startTestServer({ flavor: 'redis' });
  const sentinel = await startTestSentinel({ flavor: 'redis' });
  const c = await connect(sentinel.endpoint);
  try {
    await sentinelMonitor(c, 'redis-pair', '127.0.0.1', master.port, 2);
    const m = await sentinelMaster(c, 'redis-pair');
    assert.deepEqual([m.name, m.port, m.quorum, m.numOtherSentinels], ['redis-pair', master.port, 2, 0]);
    const q = await sentinelCkquorum(c, 'redis-pair');
    assert.deepEqual([q.ok, q.usable], [false, 1]);
    assert.equal(serverInfo(await fetchInfo(c)).product, 'redis');
    await sentinelRemove(c, 'redis-pair');
  } finally {
    await closeClient(c);
  }
});
