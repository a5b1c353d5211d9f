// The spec helpers other tests rely on, pinned down.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EXAMPLES, exampleInstance, lineOf } from './specs.js';

test('lineOf refuses ambiguous needles, so location assertions cannot match the wrong line', () => {
  assert.throws(() => lineOf('a: 1\na: 2\n', 'a:'));
  assert.equal(lineOf('x: 1\ny:\n  z: 2\n', 'z:'), 3);
});

test('there are six examples and all of them are valid', () => {
  assert.equal(EXAMPLES.length, 6);
  for (const e of EXAMPLES) exampleInstance(e);
});
