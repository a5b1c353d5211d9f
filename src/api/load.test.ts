// Reading manifests: multi-document files, empty documents, syntax errors with their line,
// and the line lookup every diagnostic location comes from.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LoadError, parseDocuments } from './load.js';
import { quantityToBytes, quantityToMillicores } from './quantity.js';

const A = 'apiVersion: v1\nkind: A\n';

test('several documents get numbered sources; a single one keeps the plain file name', () => {
  assert.deepEqual(
    parseDocuments(A, 'f.yaml').map((d) => d.source),
    ['f.yaml'],
  );
  assert.deepEqual(
    parseDocuments(`${A}---\n${A}`, 'f.yaml').map((d) => d.source),
    ['f.yaml#1', 'f.yaml#2'],
  );
  assert.deepEqual(
    parseDocuments(A, '-').map((d) => d.source),
    ['<stdin>'],
  );
});

test('empty documents (leading, doubled or trailing ---) are skipped, not reported', () => {
  for (const text of [`---\n${A}`, `${A}---\n`, `---\n# only a comment\n---\n${A}---\n---\n`]) {
    const docs = parseDocuments(text, 'f.yaml');
    assert.equal(docs.length, 1, JSON.stringify(text));
    assert.deepEqual(docs[0]!.value, { apiVersion: 'v1', kind: 'A' });
  }
});

test('an explicit null document is kept (and then reported by validation)', () => {
  assert.deepEqual(
    parseDocuments('null\n', 'f.yaml').map((d) => d.value),
    [null],
  );
});

test('an empty file, or one with only comments, is one clear error', () => {
  for (const text of ['', '\n\n', '# nothing here\n', '---\n']) {
    assert.throws(
      () => parseDocuments(text, 'f.yaml'),
      (e: unknown) => e instanceof LoadError && /^f\.yaml: empty: no YAML document found$/.test(e.message),
    );
  }
});

test('a syntax error names the file and the line', () => {
  const text = 'apiVersion: v1\nkind: A\nspec:\n  mode: [SENTINEL\n  other: 1\n';
  assert.throws(
    () => parseDocuments(text, 'f.yaml'),
    (e: unknown) => {
      assert.ok(e instanceof LoadError);
      assert.match(e.message, /^f\.yaml:[45]: YAML syntax error: /);
      assert.doesNotMatch(e.message, /\n/, 'one line');
      return true;
    },
  );
  assert.throws(
    () => parseDocuments('a: 1\na: 2\n', 'f.yaml'),
    /^LoadError: f\.yaml:2: YAML syntax error: Map keys must be unique/,
  );
  assert.throws(() => parseDocuments('a: 1\n\tb: 2\n', 'f.yaml'), /f\.yaml:2: YAML syntax error/);
});

test('lineOf points at the key of a field, also when its value is a block below it', () => {
  const text = 'spec:\n  sentinel:\n    quorum: 2\n  list:\n    - a: 1\n      b: 2\n';
  const [doc] = parseDocuments(text, 'f.yaml');
  assert.equal(doc!.lineOf(['spec']), 1);
  assert.equal(doc!.lineOf(['spec', 'sentinel']), 2);
  assert.equal(doc!.lineOf(['spec', 'sentinel', 'quorum']), 3);
  assert.equal(doc!.lineOf(['spec', 'list', 0]), 5);
  assert.equal(doc!.lineOf(['spec', 'list', 0, 'b']), 6);
  // A missing field is located at its nearest existing parent.
  assert.equal(doc!.lineOf(['spec', 'sentinel', 'missing', 'deeper']), 2);
  assert.equal(doc!.lineOf(['nothing']), 1);
});

test('lineOf counts from the start of the file in later documents', () => {
  const [, second] = parseDocuments(`${A}---\nspec:\n  mode: X\n`, 'f.yaml');
  assert.equal(second!.lineOf(['spec', 'mode']), 5);
});

test('quantities: exact binary and decimal units, and absurd exponents answered at once', () => {
  assert.equal(quantityToBytes('1Gi'), 1024 ** 3);
  assert.equal(quantityToBytes('1G'), 1e9);
  assert.equal(quantityToBytes('1.5Gi'), 1.5 * 1024 ** 3);
  assert.equal(quantityToBytes('1e3'), 1000);
  assert.equal(quantityToMillicores('250m'), 250);
  assert.equal(quantityToMillicores('0.5'), 500);
  assert.equal(quantityToMillicores('1n'), 1, 'sub-milli values round up');
  const started = Date.now();
  for (const q of ['1e999999999', '9e99999', '1e-999999999', '99999999999999999999999Ei']) {
    const n = quantityToBytes(q);
    assert.ok(Number.isFinite(n) && n >= 0, q);
  }
  assert.equal(quantityToBytes('1e999999999'), quantityToBytes('1e40'), 'capped like Kubernetes caps at 2^63-1');
  assert.ok(Date.now() - started < 200);
  assert.throws(() => quantityToBytes('2GB'));
});
