// Project Planton compatibility: its classic manifests (protojson, so snake_case keys, a
// {value: ...} namespace reference, numeric CPU) must keep working unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorsOf, exampleInstance, exampleText, FILE, lineOf, validateText } from '../../test/support/specs.js';

test('planton-basic: snake_case keys, namespace reference and numeric cpu resolve', () => {
  const text = exampleText('planton-basic');
  // The example must really use the legacy spellings, or this test proves nothing.
  for (const legacy of ['create_namespace:', 'target_cluster:', 'namespace:\n    value: my-namespace', 'cpu: 1\n'])
    assert.ok(text.includes(legacy), legacy);
  const inst = exampleInstance('planton-basic');
  assert.equal(inst.name, 'basic-redis');
  assert.equal(inst.namespace, 'my-namespace');
  assert.equal(inst.createNamespace, true);
  assert.equal(inst.mode, 'STANDALONE');
  assert.equal(inst.dataReplicas, 1);
  assert.deepEqual(inst.resources, { requests: { cpu: '50m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } });
  assert.equal(inst.persistence.mode, 'NONE', 'persistenceEnabled: false means no persistence');
});

test('planton-persistent-ingress: persistence, diskSize and ingress map onto the new fields', () => {
  const inst = exampleInstance('planton-persistent-ingress');
  assert.equal(inst.namespace, 'my-namespace');
  assert.equal(inst.resources.limits.cpu, '2');
  assert.equal(inst.persistence.mode, 'HYBRID');
  assert.equal(inst.persistence.diskSize, '20Gi');
  assert.deepEqual(inst.ingress, { enabled: true, hostname: 'redis.example.com' });
});

test('the classic examples validate with only the QoS warning their requests deserve', () => {
  for (const name of ['planton-basic', 'planton-persistent-ingress']) {
    const r = validateText(exampleText(name));
    assert.deepEqual(errorsOf(r), []);
    assert.deepEqual(
      r.diagnostics.map((d) => d.path),
      ['spec.container.resources.requests.memory'],
      name,
    );
  }
});

test('KubernetesRedis is accepted as an alias of RedisKubernetes and resolves identically', () => {
  const text = exampleText('planton-basic');
  const alias = validateText(text.replace('kind: RedisKubernetes', 'kind: KubernetesRedis'));
  assert.deepEqual(errorsOf(alias), []);
  assert.deepEqual(alias.instance, validateText(text).instance);
});

test('snake_case and camelCase spellings resolve to the same instance', () => {
  const snake = validateText(exampleText('planton-basic'));
  const camel = validateText(
    exampleText('planton-basic')
      .replace('create_namespace', 'createNamespace')
      .replace('target_cluster', 'targetCluster')
      .replace('persistenceEnabled', 'persistence_enabled'),
  );
  assert.deepEqual(camel.instance, snake.instance);
});

test('errors under a snake_case key keep the spelling and line the user wrote', () => {
  const text = exampleText('planton-basic').replace('create_namespace: true', 'create_namespace: "true"');
  const [e] = errorsOf(validateText(text));
  assert.equal(e?.path, 'spec.create_namespace');
  assert.equal(e?.location, `${FILE}:${lineOf(text, 'create_namespace:')}`);
});

test('both spellings of one field at once is an error, not a silent pick', () => {
  const text = exampleText('planton-basic').replace(
    'create_namespace: true',
    'create_namespace: true\n  createNamespace: false',
  );
  const errs = errorsOf(validateText(text));
  assert.deepEqual(
    errs.map((e) => e.path),
    ['spec.create_namespace'],
  );
});

test('the namespace may also be a plain string or come from metadata.namespace', () => {
  const base = exampleText('planton-basic');
  assert.equal(
    validateText(base.replace('namespace:\n    value: my-namespace', 'namespace: other')).instance?.namespace,
    'other',
  );
  const fromMeta = base
    .replace('  namespace:\n    value: my-namespace\n', '')
    .replace('name: basic-redis', 'name: basic-redis\n  namespace: meta-ns');
  assert.equal(validateText(fromMeta).instance?.namespace, 'meta-ns');
});
