// Every rendered object, of every example and edge spec, against the Kubernetes schemas
// (kubernetes-models for core kinds, the prometheus-operator and cert-manager model packages
// for their CRDs), plus unknown fields, names and label syntax the models do not check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { render } from './render.js';
import { ALL_SPECS, schemaProblems } from '../../test/support/rendered.js';

const seenKinds = new Set<string>();

for (const [name, inst] of ALL_SPECS) {
  test(`schema: ${name}`, () => {
    const objs = render(inst(), { generatedPassword: 'p' });
    for (const o of objs) seenKinds.add(o.kind);
    assert.deepEqual(objs.flatMap(schemaProblems), []);
  });
}

test('schema: the specs cover every kind the renderer can emit', () => {
  // Runs after the per-spec tests: a kind nobody renders would be a kind nobody validated.
  for (const kind of [
    'Namespace',
    'ServiceAccount',
    'Secret',
    'ConfigMap',
    'Certificate',
    'Service',
    'StatefulSet',
    'PodDisruptionBudget',
    'NetworkPolicy',
    'ServiceMonitor',
    'PrometheusRule',
  ]) {
    assert.ok(seenKinds.has(kind), `no spec renders a ${kind}`);
  }
});

test('schema: the specs include the edge cases the contract names', () => {
  const names = ALL_SPECS.map(([n]) => n);
  for (const n of [
    'edge-tls-existing-secret',
    'edge-cluster-metrics',
    'edge-persistence-none',
    'edge-redis-image',
    'edge-scheduling',
  ])
    assert.ok(names.includes(n), n);
  const redis = ALL_SPECS.find(([n]) => n === 'edge-redis-image')![1]();
  assert.equal(redis.image.flavor, 'redis');
  assert.match(JSON.stringify(render(redis)), /redis-server/, 'the redis image runs redis-server');
});
