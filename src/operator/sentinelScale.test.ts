// The size a shrinking sentinel group's data StatefulSet is applied at: held while the pod
// labelled master is one the shrink would remove, the spec's otherwise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exampleInstance } from '../../test/support/specs.js';
import { LABEL } from '../render/names.js';
import type { PodObject } from './podFacts.js';
import { heldSentinelDataReplicas } from './sentinelScale.js';

const pods = (master: number, n = 3): PodObject[] =>
  Array.from({ length: n }, (_, i) => ({
    metadata: { name: `sessions-${i}`, labels: { [LABEL.role]: i === master ? 'master' : 'replica' } },
  }));

test('held at the pods there are while the master is on a pod the shrink removes', () => {
  const inst = { ...exampleInstance('sentinel'), dataReplicas: 2 };
  assert.equal(heldSentinelDataReplicas(inst, pods(2)), 3);
  assert.equal(heldSentinelDataReplicas(inst, pods(1)), 2, 'the master stays: shrink now');
  assert.equal(heldSentinelDataReplicas(inst, pods(-1)), 2, 'no master labelled yet: nothing to protect');
  assert.equal(heldSentinelDataReplicas({ ...inst, dataReplicas: 4 }, pods(2)), 4, 'growing is never held');
});
