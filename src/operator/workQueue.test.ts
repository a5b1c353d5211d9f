import assert from 'node:assert/strict';
import { describe, mock, test } from 'node:test';
import { ItemBackoff } from './backoff.js';
import { WorkQueue } from './workQueue.js';

describe('ItemBackoff', () => {
  test('doubles per failure up to the cap, per key, and starts over after forget', () => {
    const b = new ItemBackoff(100, 1000);
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6].map(() => b.when('a')),
      [100, 200, 400, 800, 1000, 1000],
    );
    assert.equal(b.when('b'), 100, 'another key is not slowed down');
    assert.equal(b.retries('a'), 6);
    b.forget('a');
    assert.equal(b.retries('a'), 0);
    assert.equal(b.when('a'), 100);
  });

  test('stays at the cap after very many failures', () => {
    const b = new ItemBackoff(5, 60_000);
    for (let i = 0; i < 2000; i++) b.when('k');
    assert.equal(b.when('k'), 60_000);
  });
});

describe('WorkQueue', () => {
  test('a key queued many times is handed out once', async () => {
    const q = new WorkQueue();
    q.add('a');
    q.add('b');
    q.add('a');
    assert.equal(q.length, 2);
    assert.equal(await q.get(), 'a');
    assert.equal(await q.get(), 'b');
    assert.equal(q.length, 0);
  });

  test('a key being processed is not handed to a second worker; an event meanwhile queues it once after done', async () => {
    const q = new WorkQueue();
    q.add('a');
    assert.equal(await q.get(), 'a');
    q.add('a');
    q.add('a');
    assert.equal(q.length, 0, 'not queued while in flight');
    let second: string | null | undefined;
    void q.get().then((k) => (second = k));
    await Promise.resolve();
    assert.equal(second, undefined);
    q.done('a');
    await Promise.resolve();
    assert.equal(second, 'a');
    q.done('a');
    assert.equal(q.length, 0, 'done without a new event does not requeue');
  });

  test('a waiting worker gets the next added key', async () => {
    const q = new WorkQueue();
    const next = q.get();
    q.add('x');
    assert.equal(await next, 'x');
  });

  test('shutDown releases waiting workers with null', async () => {
    const q = new WorkQueue();
    const next = q.get();
    q.shutDown();
    assert.equal(await next, null);
    q.add('y');
    assert.equal(await q.get(), null);
  });

  test('addAfter keeps only the earliest deadline per key', () => {
    mock.timers.enable({ apis: ['setTimeout', 'Date'] });
    try {
      const q = new WorkQueue();
      q.addAfter('a', 1000);
      q.addAfter('a', 5000); // later: ignored
      q.addAfter('a', 200); // earlier: replaces
      mock.timers.tick(199);
      assert.equal(q.length, 0);
      mock.timers.tick(1);
      assert.equal(q.length, 1);
      mock.timers.tick(5000);
      assert.equal(q.length, 1, 'the replaced timers never fire');
    } finally {
      mock.timers.reset();
    }
  });

  test('addRateLimited backs off per key and counts retries; forget resets', () => {
    mock.timers.enable({ apis: ['setTimeout', 'Date'] });
    try {
      let retries = 0;
      const depths: number[] = [];
      const q = new WorkQueue(new ItemBackoff(100, 10_000), { retry: () => retries++, depth: (n) => depths.push(n) });
      assert.equal(q.addRateLimited('a'), 100);
      mock.timers.tick(100);
      assert.equal(q.length, 1);
      assert.deepEqual(depths, [1]);
      assert.equal(q.addRateLimited('a'), 200);
      assert.equal(q.addRateLimited('a'), 400);
      assert.equal(retries, 3);
      q.forget('a');
      assert.equal(q.addRateLimited('a'), 100);
    } finally {
      mock.timers.reset();
    }
  });
});
