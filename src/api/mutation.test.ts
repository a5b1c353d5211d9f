// Random damage to valid specs, shared by the validation and render property tests: field
// deletions, type swaps, random and edge values, extra keys (typos, snake_case, prototype names).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { LoadError, parseDocuments, type SourceDocument } from './load.js';
import { validateDocument } from './validate.js';
import { EXAMPLES, exampleText, ROOT } from '../../test/support/specs.js';

export const RUNS = Number(process.env.RK_PROPERTY_RUNS ?? 300);
export const FILE = 'prop.yaml';

const FIXTURES = `${ROOT}test/fixtures/specs/`;
/** Valid specs to damage: the examples and the edge fixtures. */
export const BASE_SPECS: unknown[] = [
  ...EXAMPLES.map(exampleText),
  ...readdirSync(FIXTURES)
    .filter((f) => f.startsWith('edge-'))
    .map((f) => readFileSync(FIXTURES + f, 'utf8')),
].map((t) => parseDocuments(t, 'base.yaml')[0]!.value);

type Path = Array<string | number>;

function allPaths(v: unknown, p: Path = []): Path[] {
  const out: Path[] = [p];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...allPaths(x, [...p, i])));
  else if (v !== null && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) out.push(...allPaths(x, [...p, k]));
  return out;
}

/** Values that sit on or near the edges of the rules. */
const INTERESTING: unknown[] = [
  'latest',
  '2GB',
  '1e999999999',
  '1e-999',
  '0',
  '',
  ' ',
  '64Mi',
  '63Mi',
  '1Gi',
  '500m',
  '-1',
  'SENTINEL',
  'CLUSTER',
  'STANDALONE',
  'NONE',
  'AOF',
  'REQUIRED',
  'PREFERRED',
  'valkey/valkey',
  'redis',
  'redis:7',
  '8.1.11',
  'a'.repeat(64),
  'Bad_Name',
  'x\ny',
  '__proto__',
  0,
  1,
  2,
  3,
  4,
  5,
  -1,
  2.5,
  1e308,
  -0,
  true,
  false,
  null,
  [],
  {},
  [1, 'a'],
  { value: 'demo' },
];
/** Keys users plausibly write: real fields, snake_case spellings, typos, prototype names. */
const KEYS = fc.oneof(
  fc.constantFrom(
    'mode',
    'sentinel',
    'cluster',
    'quorum',
    'masters',
    'replicas',
    'tls',
    'enabled',
    'existingSecret',
    'issuerRef',
    'ingress',
    'hostname',
    'disk_size',
    'create_namespace',
    'target_cluster',
    'sentinal',
    'persistance',
    'extra',
    'timeout',
    'requirepass',
    'value',
    '__proto__',
    'constructor',
    'toString',
    'hasOwnProperty',
    'valueOf',
  ),
  fc.string({ maxLength: 12 }).filter((k) => !/[.[\]]/.test(k)),
);

type Mutation =
  | { kind: 'delete'; at: number }
  | { kind: 'set'; at: number; value: unknown }
  | { kind: 'swap'; at: number }
  | { kind: 'add'; at: number; key: string; value: unknown };

const VALUE = fc.oneof(
  fc.constantFrom(...INTERESTING),
  fc.string({ maxLength: 20 }),
  fc.integer({ min: -5, max: 100 }),
  fc.double({ noNaN: false }),
  fc.jsonValue({ maxDepth: 2 }),
);

export const MUTATION: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: VALUE }),
  fc.record({ kind: fc.constant('swap' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('add' as const), at: fc.nat(), key: KEYS, value: VALUE }),
);

/** Same content, a different JSON type: the mistakes YAML makes easy. */
function swapType(v: unknown): unknown {
  if (typeof v === 'string') return /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : [v];
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return Object.fromEntries(v.map((x, i) => [String(i), x]));
  if (v !== null && typeof v === 'object') return Object.values(v);
  return 'null';
}

function setOwn(parent: Record<string, unknown> | unknown[], key: string | number, value: unknown) {
  Object.defineProperty(parent, key, { value, enumerable: true, writable: true, configurable: true });
}

export function mutate(base: unknown, mutations: Mutation[]): unknown {
  let doc: unknown = structuredClone(base);
  for (const m of mutations) {
    const paths = allPaths(doc);
    const path = paths[m.at % paths.length]!;
    const parentPath = path.slice(0, -1);
    const key = path[path.length - 1];
    const parent = parentPath.reduce<any>((o, k) => o[k], doc);
    const current = path.reduce<any>((o, k) => o[k], doc);
    if (m.kind === 'add') {
      if (current !== null && typeof current === 'object' && !Array.isArray(current)) setOwn(current, m.key, m.value);
      continue;
    }
    if (key === undefined) {
      if (m.kind !== 'delete') doc = m.kind === 'set' ? m.value : swapType(doc);
      continue;
    }
    if (m.kind === 'delete') {
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key];
    } else setOwn(parent, key, m.kind === 'set' ? m.value : swapType(current));
  }
  return doc;
}

/** Through YAML text, so line lookup is exercised too. */
export function asDocument(value: unknown): { doc: SourceDocument; lines: number } | null {
  const text = stringify(value, { aliasDuplicateObjects: false });
  try {
    const docs = parseDocuments(text, FILE);
    return docs.length === 1 ? { doc: docs[0]!, lines: text.split('\n').length } : null;
  } catch (e) {
    if (e instanceof LoadError) return null; // a value that serializes to an empty document
    throw e;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  test('the mutation engine really produces both valid and invalid specs', () => {
    // Guards the property above against a generator that only ever produces one kind of input.
    const results = fc
      .sample(fc.tuple(fc.constantFrom(...BASE_SPECS), fc.array(MUTATION, { minLength: 1, maxLength: 2 })), {
        numRuns: 200,
        seed: 42,
      })
      .flatMap(([b, m]) => {
        const p = asDocument(mutate(b, m));
        return p ? [validateDocument(p.doc)] : [];
      });
    assert.ok(results.filter((r) => r.instance).length > 20, 'some mutated specs stay valid');
    assert.ok(results.filter((r) => !r.instance).length > 20, 'some mutated specs become invalid');
  });
}
