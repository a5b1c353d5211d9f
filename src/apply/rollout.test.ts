import { test } from 'node:test';
import assert from 'node:assert/strict';
import { podProblem, setState } from './rollout.js';
import type { LiveObject } from './serverSideApply.js';

const sts = (spec: Record<string, unknown>, status: Record<string, unknown>, generation = 2): LiveObject => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'cache', generation },
  spec: { replicas: 3, ...spec },
  status: { observedGeneration: generation, ...status },
});
const pod = (name: string, ready: boolean, rev = 'new', status: Record<string, unknown> = {}): LiveObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels: { 'controller-revision-hash': rev } },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }], ...status },
});
const rolled = { currentRevision: 'new', updateRevision: 'new', updatedReplicas: 3, readyReplicas: 3 };

test('done when every replica is Ready on the update revision and the status is current', () => {
  const s = setState('statefulset.apps/cache', sts({}, rolled), [pod('c-0', true), pod('c-1', true), pod('c-2', true)]);
  assert.equal(s.done, true);
  assert.equal(s.line, 'statefulset.apps/cache: 3/3 ready, 3/3 updated');
});

test('not done while the controller has not observed the new generation', () => {
  const s = setState('x', sts({}, { ...rolled, observedGeneration: 1 }), [
    pod('c-0', true),
    pod('c-1', true),
    pod('c-2', true),
  ]);
  assert.equal(s.done, false);
});

test('RollingUpdate: pods on the old revision keep it waiting; OnDelete: they do not, but are counted as stale', () => {
  const pods = [pod('c-0', true, 'old'), pod('c-1', true), pod('c-2', true)];
  const status = { currentRevision: 'old', updateRevision: 'new', readyReplicas: 3, updatedReplicas: 2 };
  const rolling = setState('x', sts({}, status), pods);
  assert.equal(rolling.done, false);
  assert.match(rolling.line, /3\/3 ready, 2\/3 updated/);
  const onDelete = setState('x', sts({ updateStrategy: { type: 'OnDelete' } }, status), pods);
  assert.equal(onDelete.done, true);
  assert.equal(onDelete.stale, 1);
});

test('the line says why pods are not ready, and pod creation failures', () => {
  const pending = pod('c-1', false, 'new', {
    phase: 'Pending',
    conditions: [
      { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/1 nodes are available' },
    ],
  });
  const crash = pod('c-0', false, 'new', {
    containerStatuses: [
      { name: 'server', ready: false, state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s' } } },
    ],
  });
  const s = setState(
    'x',
    sts({}, { updateRevision: 'new', currentRevision: 'new' }),
    [pending, crash],
    'pods "c-2" is forbidden: no PriorityClass with name high-priority was found',
  );
  assert.equal(s.done, false);
  assert.equal(
    s.line,
    'x: 0/3 ready, 2/3 updated; pod creation failing: pods "c-2" is forbidden: no PriorityClass with name high-priority was found; c-0 server: CrashLoopBackOff (back-off 10s); c-1 not scheduled: 0/1 nodes are available',
  );
});

test('podProblem covers terminating, terminated and plain not-ready pods', () => {
  assert.equal(podProblem('p', { metadata: { deletionTimestamp: 'now' } }), 'p terminating');
  assert.equal(
    podProblem('p', {
      status: {
        containerStatuses: [{ name: 's', ready: false, state: { terminated: { reason: 'Error', exitCode: 1 } } }],
      },
    }),
    'p s: terminated (Error 1)',
  );
  assert.equal(podProblem('p', { status: { phase: 'Running' } }), 'p not ready');
  assert.equal(
    podProblem('p', {
      status: {
        phase: 'Pending',
        containerStatuses: [{ name: 's', ready: false, state: { waiting: { reason: 'ContainerCreating' } } }],
      },
    }),
    'p Pending',
  );
});
