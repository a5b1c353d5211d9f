// The status patch: outputs that lose a key (ingress or auth turned off) must lose it on the
// server too, which a JSON merge patch does only for keys it sends as null.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exampleInstance } from '../../test/support/specs.js';
import { stackOutputs } from '../render/outputs.js';
import { mergePatch } from './statusWriter.js';

/** RFC 7386 applied, as the API server applies a merge patch. */
function applyPatch(target: unknown, patch: unknown): unknown {
  if (!patch || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> =
    target && typeof target === 'object' && !Array.isArray(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = applyPatch(out[k], v);
  }
  return out;
}

test('outputs of a changed spec replace the old ones exactly, whatever keys came or went', () => {
  const withIngress = stackOutputs(exampleInstance('planton-persistent-ingress'));
  const { externalHostname: _gone, passwordSecret: _also, ...without } = withIngress;
  for (const [before, after] of [
    [withIngress, without],
    [without, withIngress],
    [stackOutputs(exampleInstance('sentinel')), stackOutputs(exampleInstance('standalone'))],
    [undefined, without],
  ] as const)
    assert.deepEqual(applyPatch(before, mergePatch(before, after)), after);
});

test('a patch to unchanged outputs names every key and removes none', () => {
  const o = stackOutputs(exampleInstance('cluster'));
  assert.deepEqual(mergePatch(o, o), o);
});
