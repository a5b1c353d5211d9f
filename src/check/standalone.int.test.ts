// The checker against real standalone servers: silent when nothing happens, loud when data goes.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestServer, stopTestServers } from '../../test/support/servers.js';
import { withClient } from '../valkey/connection.js';
import { startWriter } from './writer.js';
import { summarizeReport } from './report.js';

after(stopTestServers);

test('no loss when nothing happens', async () => {
  const server = await startTestServer();
  const writer = startWriter({
    target: { kind: 'standalone', endpoint: server.endpoint },
    keyPrefix: 'quiet',
    maxWrites: 3000,
    concurrency: 4,
  });
  const report = await writer.verify();
  assert.equal(report.ok, true, summarizeReport(report));
  assert.equal(report.attempted, 3000);
  assert.equal(report.acknowledged, 3000);
  assert.equal(report.lostCount, 0);
  assert.equal(report.longestOutageMs, 0);
  assert.deepEqual(report.errors, {});
  assert.match(summarizeReport(report), /^PASS standalone 127\.0\.0\.1:\d+: 3000 writes/);
  await withClient(server.endpoint, {}, async (c) => assert.equal(await c.dbsize(), 3000));
});

test('reports loss when a non-persistent master restarts mid-run, and reconnects', async () => {
  const server = await startTestServer();
  const writer = startWriter({
    target: { kind: 'standalone', endpoint: server.endpoint },
    keyPrefix: 'restart',
    durationMs: 2000,
    concurrency: 2,
    rateLimit: 1000,
  });
  await sleep(600);
  await server.crash();
  await sleep(200);
  await server.restart();
  const report = await writer.verify();
  assert.equal(report.ok, false, summarizeReport(report));
  assert.ok(report.lostCount > 100, `lost ${report.lostCount}`);
  assert.equal(report.lost.length, Math.min(100, report.lostCount));
  assert.ok(report.longestOutageMs >= 150, `outage ${report.longestOutageMs}`);
  assert.ok((report.errors['connection'] ?? 0) > 0);
  // Writes after the restart were acknowledged and survived.
  assert.ok(report.acknowledged > report.lostCount, summarizeReport(report));
  assert.match(summarizeReport(report), /^FAIL .* LOST/);
});

test('reports loss of replicated writes after FLUSHALL (WAIT 1)', async () => {
  const master = await startTestServer();
  const replica = await startTestServer({ config: `replicaof 127.0.0.1 ${master.port}\n` });
  await withClient(replica.endpoint, {}, async (c) => {
    for (let i = 0; i < 200 && !String(await c.info('replication')).includes('master_link_status:up'); i++)
      await sleep(25);
  });
  const writer = startWriter({
    target: { kind: 'standalone', endpoint: master.endpoint },
    keyPrefix: 'flush',
    maxWrites: 1500,
    rateLimit: 2000,
    concurrency: 2,
    waitReplicas: 1,
    waitTimeoutMs: 500,
  });
  await sleep(300);
  await withClient(master.endpoint, {}, (c) => c.flushall());
  assert.equal(writer.stats().running, true, 'FLUSHALL must land mid-run');
  const report = await writer.verify();
  assert.equal(report.ok, false, summarizeReport(report));
  assert.ok(report.acknowledged > 0 && report.lostCount > 0, summarizeReport(report));
  assert.equal(report.notReplicated, 0, summarizeReport(report));
});
