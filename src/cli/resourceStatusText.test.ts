// kubectl rk status as text, from a status the operator writes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exampleInstance } from '../../test/support/specs.js';
import { stackOutputs } from '../render/outputs.js';
import { age, formatResourceStatus } from './resourceStatusText.js';

const NOW = Date.parse('2026-12-02T12:00:00Z');
const ago = (s: number) => new Date(NOW - s * 1000).toISOString();

test('age: kubectl-like, coarse, and "?" for a missing or unreadable time', () => {
  assert.deepEqual(
    [ago(5), ago(300), ago(3 * 3600), ago(3 * 86400), undefined, 'garbage'].map((t) => age(t, NOW)),
    ['5s', '5m', '3h', '3d', '?', '?'],
  );
});

test('a sentinel instance: master, members with links and lag, conditions, outputs, events oldest first', () => {
  const text = formatResourceStatus(
    {
      name: 'sessions',
      namespace: 'demo',
      mode: 'SENTINEL',
      generation: 1,
      status: {
        phase: 'Ready',
        ready: '3/3',
        master: 'sessions-1',
        observedGeneration: 1,
        members: [
          { name: 'sessions-0', role: 'replica', of: 'sessions-1', link: 'up', lagBytes: 0 },
          { name: 'sessions-1', role: 'master' },
          { name: 'sessions-sentinel-0', role: 'sentinel' },
        ],
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            reason: 'AllMembersReady',
            message: '3 data pods serving; master sessions-1',
            lastTransitionTime: ago(90),
          },
          {
            type: 'SentinelQuorum',
            status: 'True',
            reason: 'QuorumReached',
            message: '3 of 3',
            lastTransitionTime: ago(600),
          },
        ],
        outputs: stackOutputs(exampleInstance('sentinel')),
      },
    },
    [{ type: 'Normal', reason: 'MasterChanged', note: 'the sentinels name sessions-1', time: ago(30), count: 2 }],
    NOW,
  );
  const lines = text.split('\n');
  assert.equal(lines[0], 'demo/sessions (SENTINEL): Ready');
  assert.ok(lines.includes('  Master:     sessions-1'), text);
  assert.ok(lines.includes('  sessions-0           replica   of sessions-1, link up, lag 0 B'), text);
  assert.ok(lines.includes('  sessions-1           master'), text);
  assert.match(text, /^ {2}Ready +True +AllMembersReady +90s +3 data pods serving; master sessions-1$/m);
  assert.match(text, /^ {2}SentinelQuorum +True +QuorumReached +10m +3 of 3$/m);
  assert.match(text, /^ {2}Sentinel master name +demo\.sessions$/m);
  assert.match(text, /^ {2}Password +Secret sessions-auth, key password$/m);
  assert.match(text, /^ {2}Port-forward +kubectl port-forward -n demo service\/sessions-master 6379:6379$/m);
  assert.match(
    text,
    /^Events \(oldest first\):\n {2}30s +Normal +MasterChanged +the sentinels name sessions-1 \(x2\)$/m,
  );
});

test('a cluster master lists its slots; a status behind the spec says so; no status yet says why', () => {
  const text = formatResourceStatus(
    {
      name: 'shards',
      namespace: 'demo',
      mode: 'CLUSTER',
      generation: 3,
      status: {
        phase: 'Ready',
        observedGeneration: 2,
        members: [{ name: 'shards-0', role: 'master', slots: ['0-5460'] }],
      },
    },
    [],
    NOW,
  );
  assert.match(text, /^demo\/shards \(CLUSTER\): Ready \(status is of generation 2; the spec is at 3\)$/m);
  assert.match(text, /^ {2}shards-0 +master +slots 0-5460$/m);
  assert.match(text, /^Events: none$/m);
  const none = formatResourceStatus({ name: 'x', namespace: 'demo', mode: 'STANDALONE' }, [], NOW);
  assert.equal(none.split('\n')[0], 'demo/x (STANDALONE): no status yet (is the operator running?)');
});
