// The stricter schema check the render tests rely on, pinned down.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { render } from '../../src/render/render.js';
import { ALL_SPECS, schemaProblems } from './rendered.js';

test('the schema check catches what kubernetes-models alone lets through', () => {
  const np = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'x' },
    spec: { podSelector: {}, ingress: [{ _from: [] }] },
  };
  assert.deepEqual(schemaProblems(np), ['NetworkPolicy/x.spec.ingress[0]._from: unknown field']);
  const svc = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: '1abc', labels: { 'bad key!': 'v' } },
    spec: { ports: [{ port: 'x' }] },
  };
  const problems = schemaProblems(svc).join('\n');
  assert.match(problems, /must be integer/);
  assert.match(problems, /invalid name/);
  assert.match(problems, /label key "bad key!"/);
});

test('every rendered object of every spec is free of schema problems (smoke)', () => {
  for (const [name, inst] of ALL_SPECS) assert.deepEqual(render(inst()).flatMap(schemaProblems), [], name);
});
