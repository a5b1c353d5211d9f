// The checker against real standalone servers: silent when nothing happens, loud when data goes.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestServer, stopTestServers } from '../../test/support/servers.js';
import { waitForAcknowledged } from '../../test/support/writerProgress.js';
import { withClient } from '../valkey/connection.js';
import { waitReplicas } from '../valkey/admin.js';
import { waitFor } from '../engine/wait.js';
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
    // A bound only: the test stops it once writes went through after the restart.
    durationMs: 30_000,
    concurrency: 2,
    rateLimit: 1000,
  });
  await waitForAcknowledged(writer, 400);
  await server.crash();
  // Time, not a condition: the outage the writer must measure (longestOutageMs below).
  await sleep(200);
  await server.restart();
  await waitForAcknowledged(writer, 200);
  await writer.stop();
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
  await startTestServer({ config: `replicaof 127.0.0.1 ${master.port}\n` }); // its replica
  // Linked is not enough: right after its first sync a replica may leave the first WAITs to time
  // out, and those writes would count as not replicated. Start once a write is acknowledged.
  await withClient(master.endpoint, {}, (c) =>
    waitFor(
      'the replica to acknowledge a write (WAIT 1)',
      async () => {
        await c.set('flush-probe', '1');
        const acked = await waitReplicas(c, 1, 200);
        return acked >= 1 || `WAIT 1 answered ${acked}`;
      },
      { timeoutMs: 10_000, intervalMs: 25 },
    ),
  );
  const writer = startWriter({
    target: { kind: 'standalone', endpoint: master.endpoint },
    keyPrefix: 'flush',
    maxWrites: 1500,
    rateLimit: 2000,
    concurrency: 2,
    waitReplicas: 1,
    waitTimeoutMs: 500,
  });
  // A sizeable share of the run acknowledged (by the replica too) and more to come, so FLUSHALL
  // wipes acknowledged writes mid-run, however fast or slow the writer got going.
  await waitForAcknowledged(writer, 300);
  await withClient(master.endpoint, {}, (c) => c.flushall());
  assert.equal(writer.stats().running, true, 'FLUSHALL must land mid-run');
  const report = await writer.verify();
  assert.equal(report.ok, false, summarizeReport(report));
  assert.ok(report.acknowledged > 0 && report.lostCount > 0, summarizeReport(report));
  assert.equal(report.notReplicated, 0, summarizeReport(report));
});
