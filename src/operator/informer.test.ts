// The informer's list-watch protocol, driven by hand: the error paths (a failed watch, an
// expired resourceVersion) cannot be provoked on demand from a real API server.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import type { Transport } from '../apply/kubeHttp.js';
import { ItemBackoff } from './backoff.js';
import { Informer, type KubeItem, type WatchFn } from './informer.js';

const item = (name: string, rv: string): KubeItem => ({ metadata: { name, namespace: 'ns', resourceVersion: rv } });

function harness() {
  let list: { metadata: { resourceVersion: string }; items: KubeItem[] } = {
    metadata: { resourceVersion: '10' },
    items: [],
  };
  let lists = 0;
  const http: Transport = {
    request: <T>() => {
      lists++;
      return Promise.resolve(structuredClone(list) as T);
    },
  };
  const watches: Array<{
    query: Record<string, unknown>;
    onEvent: Parameters<WatchFn>[2];
    done: Parameters<WatchFn>[3];
  }> = [];
  const watch: WatchFn = (_path, query, onEvent, done) => {
    watches.push({ query, onEvent, done });
    return Promise.resolve(new AbortController());
  };
  const events: string[] = [];
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: 'https://127.0.0.1:1' }],
    users: [{ name: 'u' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  const informer = new Informer(
    kc,
    http,
    {
      path: '/api/v1/pods',
      onEvent: (type, obj) => events.push(`${type} ${obj.metadata.name}@${obj.metadata.resourceVersion}`),
      log: () => undefined,
      relistBackoff: new ItemBackoff(1, 1),
    },
    watch,
  );
  return {
    informer,
    events,
    watches,
    lists: () => lists,
    setList: (rv: string, items: KubeItem[]) => (list = { metadata: { resourceVersion: rv }, items }),
  };
}

async function until(what: string, ok: () => boolean): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

describe('Informer', () => {
  test('lists, then watches from the list resourceVersion; watch events keep the cache', async () => {
    const h = harness();
    h.setList('10', [item('a', '1'), item('b', '2')]);
    h.informer.start();
    await until('the first watch', () => h.watches.length === 1);
    assert.equal(h.informer.synced, true);
    assert.equal(h.watches[0]!.query.resourceVersion, '10');
    const w = h.watches[0]!;
    w.onEvent('MODIFIED', item('a', '11'));
    w.onEvent('DELETED', item('b', '12'));
    w.onEvent('ADDED', item('c', '13'));
    w.onEvent('BOOKMARK', { metadata: { name: '', resourceVersion: '14' } });
    assert.deepEqual(h.events, ['add a@1', 'add b@2', 'update a@11', 'delete b@12', 'add c@13']);
    assert.deepEqual(
      h.informer
        .list()
        .map((o) => o.metadata.name)
        .sort(),
      ['a', 'c'],
    );
    // A watch the server ends normally resumes from the last resourceVersion seen, without a list.
    w.done(null);
    await until('the second watch', () => h.watches.length === 2);
    assert.equal(h.watches[1]!.query.resourceVersion, '14');
    assert.equal(h.lists(), 1);
    h.informer.stop();
  });

  test('a failed watch relists: what vanished meanwhile is reported deleted, what changed updated', async () => {
    const h = harness();
    h.setList('10', [item('a', '1'), item('b', '2')]);
    h.informer.start();
    await until('the first watch', () => h.watches.length === 1);
    h.setList('20', [item('a', '15'), item('d', '16')]);
    h.watches[0]!.done(new Error('connection reset'));
    await until('the watch after the relist', () => h.watches.length === 2);
    assert.equal(h.lists(), 2);
    assert.deepEqual(h.events.slice(2), ['update a@15', 'add d@16', 'delete b@2']);
    assert.equal(h.watches[1]!.query.resourceVersion, '20');
    h.informer.stop();
  });

  test('an expired resourceVersion (410) relists instead of resuming', async () => {
    const h = harness();
    h.setList('10', [item('a', '1')]);
    h.informer.start();
    await until('the first watch', () => h.watches.length === 1);
    h.setList('30', [item('a', '1')]);
    h.watches[0]!.onEvent('ERROR', { metadata: { name: '' }, code: 410 });
    h.watches[0]!.done(null);
    await until('the watch after the relist', () => h.watches.length === 2);
    assert.equal(h.lists(), 2);
    assert.equal(h.watches[1]!.query.resourceVersion, '30');
    assert.deepEqual(h.events, ['add a@1'], 'an unchanged object is not reported again');
    h.informer.stop();
  });
});
