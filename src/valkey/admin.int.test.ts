// Admin commands and INFO/ROLE views against live valkey 8 and redis 7 replication pairs.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestServer, stopTestServers } from '../../test/support/servers.js';
import { send } from './command.js';
import { closeClient, connect } from './connection.js';
import {
  aclSetUser,
  clientPauseWrite,
  clientUnpause,
  configGet,
  configRewrite,
  configSet,
  dbsize,
  failover,
  ping,
  replicaOf,
  shutdown,
  waitReplicas,
} from './admin.js';
import { fetchInfo, fetchReplication, isSyncedReplica, keyspaceInfo, persistenceInfo, serverInfo } from './info.js';

after(stopTestServers);

async function until(what: string, timeoutMs: number, cond: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10); // the poll interval
  }
}

for (const flavor of ['valkey', 'redis'] as const) {
  test(`${flavor}: replication pair — INFO, ROLE, WAIT, pause, FAILOVER, REPLICAOF NO ONE`, async () => {
    const master = await startTestServer({ flavor, password: 's3cret' });
    const replica = await startTestServer({ flavor, password: 's3cret' });
    const m = await connect(master.endpoint, master.auth);
    const r = await connect(replica.endpoint, replica.auth);
    try {
      const server = serverInfo(await fetchInfo(m, ['server']));
      assert.equal(server.product, flavor);
      assert.equal(server.mode, 'standalone');
      assert.equal(server.tcpPort, master.port);

      await replicaOf(r, master.endpoint);
      await until('replica synced', 5000, async () => (await fetchReplication(r)).masterLinkStatus === 'up');
      for (let i = 0; i < 100; i++) await m.set(`k${i}`, 'v');
      assert.equal(await waitReplicas(m, 1, 1000), 1);
      const masterOffset = (await fetchReplication(m)).masterReplOffset;
      await until('replica caught up', 2000, async () => isSyncedReplica(await fetchReplication(r), masterOffset));
      const mr = await fetchReplication(m);
      assert.equal(mr.role, 'master');
      assert.equal(mr.replicas[0]?.port, replica.port);
      const rr = await fetchReplication(r);
      assert.deepEqual([rr.role, rr.masterPort, rr.masterLinkStatus], ['replica', master.port, 'up']);
      assert.equal(await dbsize(r), 100);
      assert.deepEqual(
        keyspaceInfo(await fetchInfo(r, ['keyspace'])).map((k) => k.keys),
        [100],
      );
      assert.equal(persistenceInfo(await fetchInfo(r, ['persistence'])).loading, false);

      // Paused writes block, unpause releases them. The writer must be another connection:
      // commands queue behind a paused one, so an UNPAUSE sent after it would wait too.
      const writer = await connect(master.endpoint, master.auth);
      const writerId = String(await send(writer, 'CLIENT', ['ID']));
      await clientPauseWrite(m, 5000);
      let answered = false;
      const blocked = writer.set('paused', '1').finally(() => (answered = true));
      // The server says when it holds the write: the writer's connection is blocked (flags b) on SET.
      await until('the paused SET held by the server', 5000, async () =>
        /flags=\w*b\w* .*cmd=set /.test(String(await send(m, 'CLIENT', ['LIST', 'ID', writerId]))),
      );
      assert.equal(answered, false, 'the write waits for the unpause');
      await clientUnpause(m);
      assert.equal(await blocked, 'OK');
      await closeClient(writer);

      // Coordinated failover: roles swap without losing the paused write.
      await failover(m, { to: replica.endpoint, timeoutMs: 5000 });
      await until(
        'roles swapped',
        5000,
        async () => (await fetchReplication(r)).role === 'master' && (await fetchReplication(m)).role === 'replica',
      );
      assert.equal(await r.get('paused'), '1');

      await replicaOf(m, null);
      assert.equal((await fetchReplication(m)).role, 'master');
    } finally {
      await closeClient(m);
      await closeClient(r);
    }
  });
}

test('config get/set/rewrite, ACL SETUSER, PING, SHUTDOWN', async () => {
  const server = await startTestServer();
  const c = await connect(server.endpoint);
  await ping(c);
  await configSet(c, { 'maxmemory-policy': 'allkeys-lru', maxmemory: '100mb' });
  assert.deepEqual(await configGet(c, ['maxmemory-policy', 'maxmemory']), {
    'maxmemory-policy': 'allkeys-lru',
    maxmemory: '104857600',
  });
  await configRewrite(c);
  assert.match(server.log(), /./);
  await aclSetUser(c, 'probe', ['on', '>probe-pass', '+ping', '+info']);
  const probe = await connect(server.endpoint, { username: 'probe', password: 'probe-pass' });
  await ping(probe);
  await closeClient(probe);
  await shutdown(c, { save: 'NOSAVE', now: true });
  const exit = await server.process.exited;
  assert.equal(exit.code, 0);
  await closeClient(c);
});
