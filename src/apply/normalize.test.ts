import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffLines, normalizeForDiff, redactSecretPair } from './normalize.js';
import { compareObjects, formatChanges } from './liveDiff.js';

const live = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: {
    name: 'c',
    namespace: 'demo',
    uid: 'u1',
    resourceVersion: '10',
    generation: 1,
    creationTimestamp: '2024-01-01T00:00:00Z',
    managedFields: [{ manager: 'redis-kubernetes', operation: 'Apply', time: '2024-01-01T00:00:00Z' }],
    annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' },
    labels: { a: 'b' },
  },
  data: { 'valkey.conf': 'maxmemory-policy noeviction\nport 6379\n' },
  status: { anything: true },
};

test('bookkeeping is stripped, content and labels stay', () => {
  const n = normalizeForDiff(live);
  assert.deepEqual(n, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'c', namespace: 'demo', labels: { a: 'b' } },
    data: live.data,
  });
  assert.ok('managedFields' in live.metadata, 'input is not mutated');
});

test('a dry-run result that differs only in bookkeeping compares equal', () => {
  const dry = {
    ...live,
    metadata: {
      ...live.metadata,
      resourceVersion: '11',
      generation: 2,
      managedFields: [{ manager: 'redis-kubernetes', operation: 'Apply', time: '2025-01-01T00:00:00Z' }],
    },
  };
  assert.deepEqual(compareObjects(live, dry), []);
});

test('a config change shows as a readable line diff inside the block scalar', () => {
  const dry = { ...live, data: { 'valkey.conf': 'maxmemory-policy allkeys-lru\nport 6379\n' } };
  const d = compareObjects(live, dry);
  assert.ok(d.includes('-    maxmemory-policy noeviction'), d.join('\n'));
  assert.ok(d.includes('+    maxmemory-policy allkeys-lru'), d.join('\n'));
});

test('Secret values never appear; changed, new and removed keys are still visible', () => {
  const a = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 's' },
    data: { same: 'c2FtZQ==', changed: 'b2xk', gone: 'eA==' },
  };
  const b = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 's' },
    stringData: { same: 'same', changed: 'new', added: 'y' },
  };
  const [ra, rb] = redactSecretPair(a, b);
  assert.deepEqual(ra!.data, { same: '(redacted)', changed: '(redacted, old value)', gone: '(redacted, old value)' });
  assert.deepEqual(rb!.data, { same: '(redacted)', changed: '(redacted, new value)', added: '(redacted, new value)' });
  assert.equal('stringData' in rb!, false);
  const text = compareObjects(a, b).join('\n');
  for (const v of ['c2FtZQ==', 'b2xk', 'eA==', 'new', 'bmV3'])
    assert.ok(!text.includes(`: ${v}`), `${v} leaked:\n${text}`);
  assert.deepEqual(compareObjects(a, { ...a, data: { ...a.data } }), []);
});

test('non-Secrets pass through redaction untouched', () => {
  const o = { kind: 'ConfigMap', data: { k: 'v' } };
  assert.deepEqual(redactSecretPair(o, o), [o, o]);
});

test('diffLines sorts keys so both sides line up', () => {
  assert.deepEqual(diffLines({ b: 1, a: { d: 1, c: 2 } }), ['a:', '  c: 2', '  d: 1', 'b: 1']);
});

test('formatChanges prints new, pruned and changed objects and skips unchanged ones', () => {
  const lines = formatChanges('demo', [
    { ref: 'service/a', change: 'new', lines: [] },
    { ref: 'service/b', change: 'unchanged', lines: [] },
    { ref: 'service/c', change: 'prune', lines: [] },
    { ref: 'configmap/d', change: 'changed', lines: ['@@ -1,1 +1,1 @@', '-x', '+y'] },
  ]);
  assert.deepEqual(lines, [
    '+++ service/a (new, namespace demo)',
    '--- service/c (would be pruned, namespace demo)',
    '--- configmap/d (live, namespace demo)',
    '+++ configmap/d (after apply)',
    '@@ -1,1 +1,1 @@',
    '-x',
    '+y',
  ]);
});
