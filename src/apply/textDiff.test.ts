import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { unifiedDiff } from './textDiff.js';

/** Applies hunks to `a`; the property tests check this gives back `b`. */
function patch(a: string[], hunks: string[]): string[] {
  const out: string[] = [];
  let pos = 0;
  for (const line of hunks) {
    const h = /^@@ -(\d+),(\d+) \+\d+,\d+ @@$/.exec(line);
    if (h) {
      const start = Number(h[2]) === 0 ? Number(h[1]) : Number(h[1]) - 1;
      while (pos < start) out.push(a[pos++]!);
      continue;
    }
    const t = line[0];
    const body = line.slice(1);
    if (t === ' ') {
      assert.equal(a[pos], body, 'context line must match');
      out.push(a[pos++]!);
    } else if (t === '-') {
      assert.equal(a[pos], body, 'removed line must match');
      pos++;
    } else out.push(body);
  }
  while (pos < a.length) out.push(a[pos++]!);
  return out;
}

test('equal inputs give no hunks', () => {
  assert.deepEqual(unifiedDiff(['a', 'b'], ['a', 'b']), []);
  assert.deepEqual(unifiedDiff([], []), []);
});

test('one changed line with three lines of context', () => {
  const a = ['1', '2', '3', '4', '5', '6', '7', '8', '9'];
  const b = [...a];
  b[4] = 'five';
  assert.deepEqual(unifiedDiff(a, b), ['@@ -2,7 +2,7 @@', ' 2', ' 3', ' 4', '-5', '+five', ' 6', ' 7', ' 8']);
});

test('distant changes get separate hunks; close ones share one', () => {
  const a = Array.from({ length: 30 }, (_, i) => `l${i}`);
  const far = a.map((l, i) => (i === 2 || i === 25 ? `${l}!` : l));
  assert.equal(unifiedDiff(a, far).filter((l) => l.startsWith('@@')).length, 2);
  const near = a.map((l, i) => (i === 10 || i === 15 ? `${l}!` : l));
  assert.equal(unifiedDiff(a, near).filter((l) => l.startsWith('@@')).length, 1);
});

test('pure additions and removals, at either end', () => {
  assert.deepEqual(unifiedDiff([], ['x']), ['@@ -0,0 +1,1 @@', '+x']);
  assert.deepEqual(unifiedDiff(['x'], []), ['@@ -1,1 +0,0 @@', '-x']);
  assert.deepEqual(patch(['a', 'b'], unifiedDiff(['a', 'b'], ['a', 'b', 'c'])), ['a', 'b', 'c']);
  assert.deepEqual(patch(['a', 'b'], unifiedDiff(['a', 'b'], ['z', 'a', 'b'])), ['z', 'a', 'b']);
});

test('property: patching a with diff(a, b) gives b, and the diff is minimal-ish', () => {
  const lines = fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e'), { maxLength: 40 });
  fc.assert(
    fc.property(lines, lines, (a, b) => {
      const d = unifiedDiff(a, b);
      assert.deepEqual(patch(a, d), b);
      const removed = d.filter((l) => l.startsWith('-')).length;
      const added = d.filter((l) => l.startsWith('+')).length;
      assert.equal(a.length - removed, b.length - added, 'kept lines are common to both');
    }),
    { numRuns: 500 },
  );
});
