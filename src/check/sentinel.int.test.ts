// The checker across real sentinel failovers: 1 master + 1 replica + 3 valkey-sentinels, the
// master killed with SIGKILL under the writer, or handed over with SENTINEL FAILOVER.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestSentinel, startTestServer, stopTestServers, type TestServer } from '../../test/support/servers.js';
import { waitForAcknowledged } from '../../test/support/writerProgress.js';
import { withClient, type Endpoint } from '../valkey/connection.js';
import {
  getMasterAddrByName,
  sentinelFailover,
  sentinelMaster,
  sentinelMonitor,
  sentinelSet,
} from '../valkey/sentinel.js';
import { fetchReplication } from '../valkey/info.js';
import { waitFor } from '../engine/wait.js';
import { startWriter } from './writer.js';
import { summarizeReport } from './report.js';

after(stopTestServers);

async function until(what: string, timeoutMs: number, cond: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50); // the poll interval
  }
}

async function masterAddr(sentinel: TestServer, name: string): Promise<Endpoint | null> {
  return withClient(sentinel.endpoint, {}, (c) => getMasterAddrByName(c, name));
}

interface SentinelGroup {
  master: TestServer;
  replica: TestServer;
  sentinels: TestServer[];
  name: string;
}

async function startSentinelGroup(): Promise<SentinelGroup> {
  const master = await startTestServer();
  const replica = await startTestServer({ config: `replicaof 127.0.0.1 ${master.port}\n` });
  await until('replica in sync', 5000, async () =>
    withClient(replica.endpoint, {}, async (c) => (await fetchReplication(c)).masterLinkStatus === 'up'),
  );
  const sentinels = await Promise.all([0, 1, 2].map(() => startTestSentinel()));
  const name = `rk-check-${process.pid}-${Date.now()}`;
  for (const s of sentinels) {
    await withClient(s.endpoint, {}, async (c) => {
      await sentinelMonitor(c, name, '127.0.0.1', master.port, 2);
      await sentinelSet(c, name, { 'down-after-milliseconds': 1000, 'failover-timeout': 10000 });
    });
  }
  await until('sentinels know each other and the replica', 10000, async () => {
    for (const s of sentinels) {
      const m = await withClient(s.endpoint, {}, (c) => sentinelMaster(c, name));
      if (m.numOtherSentinels !== 2 || m.numReplicas !== 1) return false;
    }
    return true;
  });
  return { master, replica, sentinels, name };
}

test('sentinel failover under the writer: reconnects to the promoted replica, no replicated write lost', async () => {
  const { master, replica, sentinels, name } = await startSentinelGroup();
  const writer = startWriter({
    target: { kind: 'sentinel', sentinels: sentinels.map((s) => s.endpoint), masterName: name },
    keyPrefix: 'failover',
    durationMs: 6000,
    concurrency: 2,
    rateLimit: 500,
    waitReplicas: 1,
    waitTimeoutMs: 200,
  });
  // Writes flow before the crash.
  await waitForAcknowledged(writer, 101);
  const killedAt = Date.now();
  await master.crash();
  await until(
    'sentinels promote the replica',
    15000,
    async () => (await masterAddr(sentinels[0]!, name))?.port === replica.port,
  );
  const promotedAfterMs = Date.now() - killedAt;
  await until('writes acknowledged by the promoted replica', 8000, async () => {
    const s = writer.stats();
    return s.outages.length > 0 && s.setOk > 0 && Date.now() - s.startedAt > s.outages[0]!.endMs;
  });
  const report = await writer.verify();
  const summary = summarizeReport(report);
  // The WAIT-acknowledged writes all reached the replica that is now master.
  assert.equal(report.lostCount, 0, summary);
  assert.equal(report.ok, true, summary);
  assert.ok(report.longestOutageMs >= 1000, `outage measured: ${summary}`);
  assert.ok(
    report.longestOutageMs < promotedAfterMs + 3000,
    `outage ends after promotion (${promotedAfterMs} ms): ${summary}`,
  );
  const [longest] = report.outages;
  assert.ok(longest && longest.endMs < report.durationMs, `writes resumed before the end: ${summary}`);
  // After the failover there is no replica left, so WAIT 1 cannot be satisfied: not replicated, not lost.
  assert.ok(report.notReplicated > 0, summary);
  assert.ok(report.setOk > report.acknowledged, summary);
  console.log(`# ${summary}; promoted ${promotedAfterMs} ms after the crash`);
});

// SENTINEL FAILOVER alone (no write pause, unlike the engine's handover) leaves the old master
// running and writable until Sentinel converts it some 8 s later; nothing disconnects its
// clients before that. Without WAIT every SET OK counts as acknowledged, which makes both
// halves visible: writes must reach the new master once the sentinels switch, and the writes
// the old master took after the promotion must be reported lost.
test('planned failover (SENTINEL FAILOVER) under the writer: moves to the new master while the old one still runs', async () => {
  const { master, replica, sentinels, name } = await startSentinelGroup();
  const writer = startWriter({
    target: { kind: 'sentinel', sentinels: sentinels.map((s) => s.endpoint), masterName: name },
    keyPrefix: 'handover',
    durationMs: 5000,
    concurrency: 2,
    rateLimit: 500,
  });
  // Writes flow before the failover.
  await waitForAcknowledged(writer, 301);
  await withClient(sentinels[0]!.endpoint, {}, (c) => sentinelFailover(c, name));
  await until('every sentinel switched to the replica', 10000, async () => {
    for (const s of sentinels) if ((await masterAddr(s, name))?.port !== replica.port) return false;
    return true;
  });
  const keysAtSwitch = await withClient(replica.endpoint, {}, (c) => c.dbsize());
  let keysLater = keysAtSwitch;
  await waitFor(
    '300 more keys on the new master after the switch',
    async () => {
      keysLater = await withClient(replica.endpoint, {}, (c) => c.dbsize());
      return keysLater - keysAtSwitch > 300 || `${keysAtSwitch} -> ${keysLater} keys`;
    },
    { timeoutMs: 5000 },
  );
  await withClient(master.endpoint, {}, async (c) =>
    assert.equal(
      (await fetchReplication(c)).role,
      'master',
      'old master not converted yet: the test covers that window',
    ),
  );
  const report = await writer.verify();
  const summary = summarizeReport(report);
  assert.ok(
    keysLater - keysAtSwitch > 300,
    `writes reached the new master after the switch (${keysAtSwitch} -> ${keysLater} keys): ${summary}`,
  );
  assert.ok(
    report.lostCount > 0 && !report.ok,
    `writes taken by the old master after the promotion are lost: ${summary}`,
  );
  console.log(`# ${summary}`);
});
