// The checker across a real cluster failover: 3 masters × 1 replica (cluster-node-timeout 1000),
// one master killed with SIGKILL under the writer; its replica takes over its slots.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestCluster, stopTestServers } from '../../test/support/servers.js';
import { waitForAcknowledged } from '../../test/support/writerProgress.js';
import { withClient } from '../valkey/connection.js';
import { clusterInfo } from '../valkey/cluster.js';
import { fetchReplication } from '../valkey/info.js';
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

test('cluster failover under the writer: writes to the lost shard resume on its replica, no replicated write lost', async () => {
  const cluster = await startTestCluster({ masters: 3, replicasPerMaster: 1 });
  const [victim] = cluster.masters;
  // Replica i of master m sits at masters + m * perMaster + i: master 0's replica is the first.
  const heir = cluster.replicas[0]!;
  const writer = startWriter({
    target: { kind: 'cluster', nodes: cluster.nodes.map((n) => n.endpoint) },
    keyPrefix: 'shardfail',
    durationMs: 7000,
    // Workers blocked on the dead shard (or on WAIT timeouts once its replica took over without
    // a replica of its own) must leave enough to keep every part of the keyspace sampled.
    concurrency: 16,
    rateLimit: 1000,
    waitReplicas: 1,
    waitTimeoutMs: 200,
  });
  // Writes flow before the crash.
  await waitForAcknowledged(writer, 301);
  const killedAt = Date.now();
  await victim!.crash();
  await until('the replica takes over', 10000, async () =>
    withClient(
      heir.endpoint,
      {},
      async (c) => (await fetchReplication(c)).role === 'master' && (await clusterInfo(c)).state === 'ok',
    ),
  );
  const promotedAfterMs = Date.now() - killedAt;
  const report = await writer.verify();
  const summary = summarizeReport(report);
  assert.equal(report.lostCount, 0, summary);
  assert.equal(report.ok, true, summary);
  // With cluster-require-full-coverage yes (the servers' default, and ours) every shard answers
  // CLUSTERDOWN from the moment the dead master is flagged FAIL until its replica took over.
  const [longest] = report.outages;
  assert.ok(longest?.slots, `outages are per slot range: ${JSON.stringify(longest)}`);
  assert.ok(report.longestOutageMs >= 1000, `outage measured (node timeout 1000 ms): ${summary}`);
  assert.ok(
    report.longestOutageMs < promotedAfterMs + 3000,
    `outage ends after the takeover (${promotedAfterMs} ms): ${summary}`,
  );
  assert.ok(longest.endMs < report.durationMs - 1000, `writes resumed well before the end: ${summary}`);
  // The promoted replica has no replica of its own: its writes are SET OK but not WAIT-acknowledged.
  assert.ok(report.notReplicated > 0, summary);
  console.log(
    `# ${summary}; replica took over ${promotedAfterMs} ms after the crash; longest window ${JSON.stringify(longest)}`,
  );
});
