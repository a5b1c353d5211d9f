import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyspaceOutages, OutageTracker } from './outage.js';
import { summarizeReport, type CheckReport } from './report.js';

test('outage = time between successes with failures in between', () => {
  const t = new OutageTracker(1000);
  t.success(1010);
  t.success(1020); // idle gap without failures: not an outage
  t.failure(1030);
  t.failure(1100);
  t.success(1500);
  t.failure(1600);
  t.finish(1700);
  assert.equal(t.longestMs(), 480);
  assert.deepEqual(
    t.top(5).map((w) => [w.startMs, w.endMs, w.failedAttempts]),
    [
      [20, 500, 2],
      [500, 700, 1],
    ],
  );
});

test('failures before the first success open the window at the first failure', () => {
  const t = new OutageTracker(0);
  t.failure(100);
  t.failure(200);
  t.success(350);
  assert.equal(t.longestMs(), 250);
});

test('cluster: one part of the keyspace down while the rest answers is an outage', () => {
  const t = new KeyspaceOutages(0);
  for (let at = 0; at <= 1000; at += 10) {
    t.success(at, 20000 % 16384); // slot 3616: another master
    if (at < 300 || at > 800) t.success(at, 100);
    else t.failure(at, 100);
  }
  t.finish(1000);
  assert.equal(t.longestMs(), 520);
  assert.deepEqual(
    t.top(1).map((w) => [w.startMs, w.endMs, w.slots]),
    [[290, 810, [0, 255]]],
  );
});

test('summary line', () => {
  const base: CheckReport = {
    target: 'standalone 127.0.0.1:1',
    keyPrefix: 'k',
    waitReplicas: 1,
    startedAt: 0,
    durationMs: 2500,
    running: false,
    attempted: 10,
    setOk: 9,
    acknowledged: 8,
    notReplicated: 1,
    failed: 1,
    errors: { connection: 1 },
    longestOutageMs: 42,
    outages: [],
    ok: false,
    lostCount: 2,
    lost: ['k:1', 'k:2'],
    lostSetOkCount: 3,
    corruptedCount: 0,
    unacknowledgedButPresent: 0,
    verifyMs: 1,
  };
  assert.equal(
    summarizeReport(base),
    'FAIL standalone 127.0.0.1:1: 10 writes in 2.5 s, 8 acknowledged with WAIT 1 (9 SET OK), 2 LOST (e.g. k:1, k:2), 3 SET-OK writes missing; longest outage 42 ms; errors: connection 1',
  );
  assert.match(
    summarizeReport({ ...base, ok: true, lostCount: 0, lost: [], lostSetOkCount: 0, errors: {} }),
    /^PASS .* 0 lost; longest outage 42 ms$/,
  );
});
