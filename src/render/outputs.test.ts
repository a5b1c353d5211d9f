// The Planton stack outputs per mode, from the examples users start from.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exampleInstance, instanceOf, withSpec } from '../../test/support/specs.js';
import { Value } from '@sinclair/typebox/value';
import { customResourceDefinition } from '../api/crd.js';
import { StackOutputsSchema } from '../api/stackOutputs.js';
import { render } from './render.js';
import { stackOutputs } from './outputs.js';

test('standalone: the client Service, a port-forward to 6379 (not Planton 8080), the generated Secret', () => {
  assert.deepEqual(stackOutputs(exampleInstance('standalone')), {
    namespace: 'demo',
    service: 'cache',
    portForwardCommand: 'kubectl port-forward -n demo service/cache 6379:6379',
    kubeEndpoint: 'cache.demo.svc.cluster.local:6379',
    username: 'default',
    passwordSecret: { name: 'cache-auth', key: 'password' },
    tls: false,
  });
});

test('planton-persistent-ingress: the external hostname appears only with ingress on', () => {
  const o = stackOutputs(exampleInstance('planton-persistent-ingress'));
  assert.equal(o.externalHostname, 'redis.example.com');
  assert.equal(o.namespace, 'my-namespace');
  assert.equal(o.portForwardCommand, 'kubectl port-forward -n my-namespace service/persistent-redis 6379:6379');
  assert.equal(stackOutputs(exampleInstance('planton-basic')).externalHostname, undefined);
});

test('sentinel: the master Service, the sentinels (Service and each pod) and the unique master name', () => {
  const o = stackOutputs(exampleInstance('sentinel'));
  assert.equal(o.service, 'sessions-master');
  assert.equal(o.kubeEndpoint, 'sessions-master.demo.svc.cluster.local:6379');
  assert.deepEqual(o.sentinel, {
    masterName: 'demo.sessions',
    endpoint: 'sessions-sentinel.demo.svc.cluster.local:26379',
    endpoints: [0, 1, 2].map((i) => `sessions-sentinel-${i}.sessions-sentinel-headless.demo.svc.cluster.local:26379`),
  });
  assert.equal(o.clusterSeedEndpoints, undefined);
});

test('cluster: every node as a seed, no sentinel block', () => {
  const o = stackOutputs(exampleInstance('cluster'));
  assert.equal(o.service, 'shards');
  assert.equal(o.sentinel, undefined);
  assert.deepEqual(
    o.clusterSeedEndpoints,
    [0, 1, 2, 3, 4, 5].map((i) => `shards-${i}.shards-headless.demo.svc.cluster.local:6379`),
  );
});

test('production: the existing Secret and key, TLS on', () => {
  const o = stackOutputs(exampleInstance('production'));
  assert.deepEqual(o.passwordSecret, { name: 'orders-cache-password', key: 'password' });
  assert.equal(o.tls, true);
});

test('auth disabled: no password Secret is named', () => {
  assert.equal(stackOutputs(instanceOf(withSpec('  auth:\n    enabled: false\n'))).passwordSecret, undefined);
});

test('every Service the outputs name is one the spec renders', () => {
  for (const name of ['standalone', 'sentinel', 'cluster', 'production', 'planton-persistent-ingress']) {
    const inst = exampleInstance(name);
    const services = render(inst).filter((o) => o.kind === 'Service');
    const o = stackOutputs(inst);
    const named = [o.kubeEndpoint, o.sentinel?.endpoint].filter((e) => e !== undefined);
    for (const e of named) {
      const [svc, ns] = e.split('.');
      assert.ok(
        services.some((x) => x.metadata.name === svc && x.metadata.namespace === ns),
        `${name}: ${e}`,
      );
    }
  }
});

test('every key the outputs carry is in the CRD status schema (the API server would prune the rest)', () => {
  const crd = customResourceDefinition() as {
    spec: {
      versions: Array<{
        schema: { openAPIV3Schema: { properties: { status: { properties: Record<string, Node> } } } };
      }>;
    };
  };
  const schema = crd.spec.versions[0]!.schema.openAPIV3Schema.properties.status.properties.outputs as Node;
  for (const name of ['standalone', 'sentinel', 'cluster', 'production', 'planton-persistent-ingress']) {
    const o = stackOutputs(exampleInstance(name));
    assert.ok(Value.Check(StackOutputsSchema, o), name);
    assert.deepEqual(undeclared(o, schema), [], name);
  }
});

interface Node {
  type?: string;
  properties?: Record<string, Node>;
  items?: Node;
}

/** Paths in `v` the structural schema does not declare. */
function undeclared(v: unknown, n: Node, path = ''): string[] {
  if (Array.isArray(v)) return v.flatMap((x, i) => undeclared(x, n.items ?? {}, `${path}[${i}]`));
  if (v && typeof v === 'object')
    return Object.entries(v).flatMap(([k, x]) =>
      n.properties?.[k] ? undeclared(x, n.properties[k], `${path}.${k}`) : [`${path}.${k}`],
    );
  return typeof v === (n.type === 'integer' ? 'number' : n.type) ? [] : [`${path}: ${typeof v} is not ${n.type}`];
}
