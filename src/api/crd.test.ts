// The CRD's openAPIV3Schema must be *structural* or the apiserver refuses the CRD; and it must
// carry the same cross-field rules rk validate applies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { customResourceDefinition } from './crd.js';
import { CROSS_FIELD_RULES } from './rules.js';
import { SpecSchema } from './schema.js';

const crd = customResourceDefinition() as any;
const version = crd.spec.versions[0];
const root = version.schema.openAPIV3Schema;

type Node = Record<string, any>;

/** Every schema node with its JSON path, descending through properties, items, additionalProperties and anyOf. */
function nodes(n: Node, path = '$'): Array<[string, Node]> {
  const out: Array<[string, Node]> = [[path, n]];
  for (const [k, v] of Object.entries(n.properties ?? {})) out.push(...nodes(v as Node, `${path}.${k}`));
  if (n.items) out.push(...nodes(n.items, `${path}[]`));
  if (n.additionalProperties && typeof n.additionalProperties === 'object')
    out.push(...nodes(n.additionalProperties, `${path}{}`));
  for (const [i, v] of ((n.anyOf ?? []) as Node[]).entries()) out.push(...nodes(v, `${path}|${i}`));
  return out;
}

const all = nodes(root);

test('every node has a type, or is int-or-string, or preserves unknown fields', () => {
  const untyped = all.filter(
    ([p, n]) =>
      !p.includes('|') && !n.type && !n['x-kubernetes-int-or-string'] && !n['x-kubernetes-preserve-unknown-fields'],
  );
  assert.deepEqual(
    untyped.map(([p]) => p),
    [],
  );
});

test('no additionalProperties: false, and never properties together with additionalProperties', () => {
  assert.deepEqual(
    all.filter(([, n]) => n.additionalProperties === false).map(([p]) => p),
    [],
  );
  assert.deepEqual(
    all.filter(([, n]) => n.properties && n.additionalProperties !== undefined).map(([p]) => p),
    [],
  );
});

test('anyOf is used only for int-or-string quantities, whose members carry nothing but type and value checks', () => {
  for (const [p, n] of all.filter(([, x]) => x.anyOf)) {
    assert.equal(n['x-kubernetes-int-or-string'], true, p);
    for (const m of n.anyOf as Node[])
      assert.deepEqual(
        Object.keys(m).filter((k) => !['type', 'pattern'].includes(k)),
        [],
        p,
      );
  }
});

test('the spec schema has a node for every field rk validate knows', () => {
  const specProps = Object.keys(root.properties.spec.properties).sort();
  assert.deepEqual(specProps, Object.keys(SpecSchema.properties).sort());
  const s = root.properties.spec.properties;
  assert.deepEqual(s.mode.enum, ['STANDALONE', 'SENTINEL', 'CLUSTER']);
  assert.equal(s.cluster.properties.masters.type, 'integer');
  assert.equal(
    s.container.properties.resources.properties.limits.properties.memory['x-kubernetes-int-or-string'],
    true,
  );
  assert.equal(s.config.properties.extra.additionalProperties.type, 'string');
});

test('every cross-field rule is carried as CEL on the spec, with its message', () => {
  const validations = root.properties.spec['x-kubernetes-validations'];
  assert.deepEqual(
    validations,
    CROSS_FIELD_RULES.map((r) => ({ rule: r.cel, message: r.celMessage })),
  );
  assert.ok(validations.length >= 8);
  assert.equal(new Set(CROSS_FIELD_RULES.map((r) => r.id)).size, CROSS_FIELD_RULES.length, 'rule ids are unique');
  for (const v of validations) {
    assert.ok(v.message.length > 0);
    // CEL string literals use single quotes; a stray double quote usually means a JS slip.
    assert.doesNotMatch(v.rule, /"/);
    assert.equal(
      (v.rule.match(/\(/g) ?? []).length,
      (v.rule.match(/\)/g) ?? []).length,
      `unbalanced parentheses: ${v.rule}`,
    );
  }
  const nameRule = root['x-kubernetes-validations'][0].rule as string;
  assert.match(
    nameRule,
    /self\.metadata\.name\.matches\('\^\[a-z\]/,
    'names must start with a letter (they name Services)',
  );
  assert.match(nameRule, /size\(self\.metadata\.name\) <= 40/);
});

test('names, scope, short name, printer columns and the status subresource', () => {
  assert.equal(crd.apiVersion, 'apiextensions.k8s.io/v1');
  assert.equal(crd.metadata.name, 'rediskubernetes.kubernetes.project-planton.org');
  assert.equal(crd.spec.group, 'kubernetes.project-planton.org');
  assert.equal(crd.spec.scope, 'Namespaced');
  assert.equal(crd.spec.names.kind, 'RedisKubernetes');
  assert.deepEqual(crd.spec.names.shortNames, ['rk']);
  assert.equal(version.name, 'v1');
  assert.equal(version.served, true);
  assert.equal(version.storage, true);
  assert.deepEqual(version.subresources, { status: {} });
  const columns = version.additionalPrinterColumns as Array<{ name: string; jsonPath: string; type: string }>;
  assert.deepEqual(
    columns.map((c) => c.name),
    ['Mode', 'Ready', 'Master', 'Phase', 'Age'],
  );
  for (const c of columns) assert.match(c.jsonPath, /^\.(spec|status|metadata)\./);
  assert.equal(columns.find((c) => c.name === 'Age')!.type, 'date');
  assert.deepEqual(root.required, ['spec']);
});
