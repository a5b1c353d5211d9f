// Validation must never throw, whatever the document: every problem is a diagnostic with a
// path and a message. Random values and random damage to valid specs look for the gaps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { validateDocument, type ValidationResult } from './validate.js';
import { asDocument, BASE_SPECS, FILE, mutate, MUTATION, RUNS } from './mutation.test.js';

const TOP_LEVEL = /^(\(document\)|apiVersion|kind|metadata|spec|status)$/;

export function checkResult(r: ValidationResult, root: unknown, lines: number) {
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  if (r.instance) assert.equal(errors.length, 0, 'an instance comes only without errors');
  else assert.ok(errors.length >= 1, 'no instance without at least one error');
  for (const d of r.diagnostics) {
    assert.equal(typeof d.path, 'string');
    assert.ok(d.path.length > 0, 'path must not be empty');
    assert.ok(d.message.trim().length > 0, `message for ${d.path} must not be empty`);
    const rootKeys = root !== null && typeof root === 'object' ? Object.keys(root) : [];
    const startsAtRoot =
      TOP_LEVEL.test(d.path.split(/[.[]/)[0]!) ||
      rootKeys.some(
        (k) =>
          d.path === k ||
          d.path.startsWith(`${k}.`) ||
          d.path.startsWith(`${k}[`) ||
          d.path.startsWith(`[${JSON.stringify(k)}]`),
      );
    assert.ok(startsAtRoot, `path ${d.path} must start at a top-level field`);
    // Outside bracketed keys (["a.b/c"]), a dotted path has no empty segments.
    const plain = d.path.replace(/\["(?:[^"\\]|\\.)*"\]/g, '[]');
    assert.doesNotMatch(plain, /\.\.|^\.|\.$|\.\[/, `path ${d.path} has an empty segment`);
    if (d.location !== undefined) {
      const m = /^prop\.yaml:(\d+)$/.exec(d.location);
      assert.ok(m, `location ${d.location}`);
      assert.ok(Number(m[1]) >= 1 && Number(m[1]) <= lines, `line ${m[1]} is inside the ${lines}-line document`);
    }
  }
}

test('random JSON-ish documents never make validation throw', () => {
  fc.assert(
    fc.property(fc.anything({ maxDepth: 3 }), (value) => {
      const r = validateDocument({ value, source: FILE, lineOf: () => 1 });
      checkResult(r, value, 1);
    }),
    { numRuns: RUNS },
  );
});

test('a manifest shell around a random spec never makes validation throw', () => {
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 4 }), (spec) => {
      const value = {
        apiVersion: 'kubernetes.project-planton.org/v1',
        kind: 'RedisKubernetes',
        metadata: { name: 'x' },
        spec,
      };
      const parsed = asDocument(value);
      if (!parsed) return;
      checkResult(validateDocument(parsed.doc), value, parsed.lines);
    }),
    { numRuns: RUNS },
  );
});

test('random damage to valid specs: deletions, type swaps, random values, extra keys', () => {
  fc.assert(
    fc.property(fc.constantFrom(...BASE_SPECS), fc.array(MUTATION, { minLength: 1, maxLength: 4 }), (base, muts) => {
      const parsed = asDocument(mutate(base, muts));
      if (!parsed) return;
      const r = validateDocument(parsed.doc);
      checkResult(r, parsed.doc.value, parsed.lines);
      // Validation is a function of its input: asking twice gives the same answer.
      assert.deepEqual(validateDocument(parsed.doc).diagnostics, r.diagnostics);
    }),
    { numRuns: RUNS },
  );
});
