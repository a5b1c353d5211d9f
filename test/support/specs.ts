// Spec helpers for the api, render and cli tests: the examples, a fixed header, validation shortcuts.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Diagnostic } from '../../src/api/diagnostics.js';
import type { Instance } from '../../src/api/instance.js';
import { parseDocuments, type SourceDocument } from '../../src/api/load.js';
import { validateDocument, type ValidationResult } from '../../src/api/validate.js';

/** Repository root, from dist/test/support/ at run time. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const EXAMPLES_DIR = `${ROOT}examples/`;
export const FILE = 'spec.yaml';

export const HEADER = `apiVersion: kubernetes.project-planton.org/v1
kind: RedisKubernetes
metadata:
  name: cache
spec:
  namespace: demo
`;

/** A manifest whose spec body (indented two spaces) follows `namespace: demo`. */
export const withSpec = (body: string) => HEADER + body;

export function parseOne(text: string, file = FILE): SourceDocument {
  const docs = parseDocuments(text, file);
  assert.equal(docs.length, 1, 'expected exactly one document');
  return docs[0]!;
}

export const validateText = (text: string, file = FILE): ValidationResult => validateDocument(parseOne(text, file));

export const errorsOf = (r: ValidationResult): Diagnostic[] => r.diagnostics.filter((d) => d.severity === 'error');
export const warningsOf = (r: ValidationResult): Diagnostic[] => r.diagnostics.filter((d) => d.severity === 'warning');

/** The instance of a spec that must be valid. */
export function instanceOf(text: string): Instance {
  const r = validateText(text);
  assert.ok(r.instance, `expected a valid spec, got ${JSON.stringify(r.diagnostics)}`);
  return r.instance;
}

/** 1-based line of the only line containing `needle`; fails if it is absent or ambiguous. */
export function lineOf(text: string, needle: string): number {
  const hits = text.split('\n').flatMap((l, i) => (l.includes(needle) ? [i + 1] : []));
  assert.equal(hits.length, 1, `"${needle}" should occur on exactly one line, found ${hits.length}`);
  return hits[0]!;
}

export const EXAMPLES = readdirSync(EXAMPLES_DIR)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => f.replace(/\.yaml$/, ''))
  .sort();

export const exampleText = (name: string) => readFileSync(`${EXAMPLES_DIR}${name}.yaml`, 'utf8');
export const exampleInstance = (name: string): Instance => {
  const r = validateDocument(parseOne(exampleText(name), `examples/${name}.yaml`));
  assert.ok(r.instance, `examples/${name}.yaml must be valid: ${JSON.stringify(r.diagnostics)}`);
  return r.instance;
};
