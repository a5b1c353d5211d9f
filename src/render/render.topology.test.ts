// What each mode must look like on the cluster: placement, network exposure, disruption
// budgets, services, and the config details that tie pods together.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Instance } from '../api/instance.js';
import { exampleInstance, exampleText, instanceOf, withSpec } from '../../test/support/specs.js';
import { LABEL } from './names.js';
import type { KubeObject } from './objects.js';
import { render } from './render.js';
import { byKind, configFile, fixtureInstance, one, podSpecs, script } from '../../test/support/rendered.js';

const sortedPorts = (rule: any) => (rule.ports as any[]).map((p) => p.port).sort((a, b) => a - b);

const MODES: Array<[string, () => Instance]> = [
  ['STANDALONE', () => exampleInstance('standalone')],
  ['SENTINEL', () => exampleInstance('sentinel')],
  ['CLUSTER', () => exampleInstance('cluster')],
];

for (const [mode, make] of MODES) {
  const inst = make();
  const objs = render(inst);
  const ha = mode !== 'STANDALONE';

  test(`${mode}: ${ha ? 'REQUIRED anti-affinity per node and zone spread' : 'no placement constraints by default'}`, () => {
    for (const p of podSpecs(objs)) {
      const component = p.meta.labels[LABEL.component];
      if (!ha) {
        assert.equal(p.spec.affinity, undefined);
        assert.equal(p.spec.topologySpreadConstraints, undefined);
        continue;
      }
      const [term, ...rest] = p.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution;
      assert.equal(rest.length, 0);
      assert.equal(term.topologyKey, 'kubernetes.io/hostname');
      // The term must select this StatefulSet's own pods, or it constrains nothing.
      for (const [k, v] of Object.entries(term.labelSelector.matchLabels))
        assert.equal(p.meta.labels[k], v, `${p.sts}: ${k}`);
      assert.equal(term.labelSelector.matchLabels[LABEL.component], component);
      const [spread] = p.spec.topologySpreadConstraints;
      assert.equal(spread.topologyKey, 'topology.kubernetes.io/zone');
      assert.equal(spread.maxSkew, 1);
      assert.deepEqual(spread.labelSelector, term.labelSelector);
    }
  });

  test(`${mode}: the NetworkPolicy admits only own pods and labelled clients, on the instance's ports`, () => {
    const np = one(objs, 'NetworkPolicy');
    assert.deepEqual(np.spec.policyTypes, ['Ingress']);
    const podLabels = podSpecs(objs).map((p) => p.meta.labels);
    for (const l of podLabels)
      for (const [k, v] of Object.entries(np.spec.podSelector.matchLabels))
        assert.equal(l[k], v, 'the policy must select every pod');
    const [own, clients, ...others] = np.spec.ingress;
    assert.equal(others.length, 0, 'no metrics, no ingress: nothing else may be open');
    const expectOwn = { STANDALONE: [6379], SENTINEL: [6379, 26379], CLUSTER: [6379, 16379] }[mode];
    const expectClient = { STANDALONE: [6379], SENTINEL: [6379, 26379], CLUSTER: [6379] }[mode];
    assert.deepEqual(sortedPorts(own), expectOwn);
    assert.deepEqual(own.from, [{ podSelector: { matchLabels: np.spec.podSelector.matchLabels } }]);
    assert.deepEqual(sortedPorts(clients), expectClient);
    assert.deepEqual(clients.from, [{ podSelector: { matchLabels: { [LABEL.client]: inst.name } } }]);
    for (const rule of np.spec.ingress) {
      assert.ok(rule.from?.length, 'a rule without `from` would admit every source');
      for (const p of rule.ports) assert.equal(p.protocol, 'TCP');
    }
  });

  test(`${mode}: the config checksum on the pods follows the config`, () => {
    const sums = podSpecs(objs).map((p) => p.meta.annotations['redis-kubernetes.io/config-checksum']);
    assert.ok(sums.every((s) => /^[0-9a-f]{16}$/.test(s)));
    const changed = render({ ...inst, config: { ...inst.config, extra: { ...inst.config.extra, maxclients: '500' } } });
    const changedSums = podSpecs(changed).map((p) => p.meta.annotations['redis-kubernetes.io/config-checksum']);
    for (let i = 0; i < sums.length; i++) assert.notEqual(changedSums[i], sums[i]);
    assert.deepEqual(
      podSpecs(render(make())).map((p) => p.meta.annotations['redis-kubernetes.io/config-checksum']),
      sums,
      'same config, same checksum',
    );
  });

  test(`${mode}: Services`, () => {
    const svc = (name: string) => one(objs, 'Service', name);
    const headless = svc(`${inst.name}-headless`);
    assert.equal(headless.spec.clusterIP, 'None');
    // Peers must resolve each other before they are Ready, or a new group can never form.
    assert.equal(headless.spec.publishNotReadyAddresses, true);
    assert.equal(one(objs, 'StatefulSet', inst.name).spec.serviceName, headless.metadata.name);
    if (mode !== 'SENTINEL') {
      const client = svc(inst.name);
      assert.equal(client.spec.type, 'ClusterIP');
      assert.equal(client.spec.clusterIP, undefined, 'a real virtual IP, not headless');
      assert.deepEqual(
        client.spec.ports.map((p: any) => p.port),
        [6379],
      );
    }
    for (const s of byKind(objs, 'Service') as any[])
      assert.notEqual(s.spec.type, 'LoadBalancer', 'nothing is exposed outside without ingress');
  });

  test(`${mode}: ${ha ? 'data PDB allows one disruption at a time' : 'no PDB (it would block every node drain)'}`, () => {
    const pdbs = byKind(objs, 'PodDisruptionBudget') as any[];
    if (!ha) {
      assert.equal(pdbs.length, 0);
      return;
    }
    const data = pdbs.find((p) => p.metadata.name === inst.name);
    assert.equal(data.spec.maxUnavailable, 1);
    assert.deepEqual(data.spec.selector.matchLabels, one(objs, 'StatefulSet', inst.name).spec.selector.matchLabels);
  });
}

test('SENTINEL: sentinel PDB keeps a majority of sentinels (and at least the quorum)', () => {
  const budget = (body: string) => {
    const objs = render(instanceOf(withSpec(`  mode: SENTINEL\n  sentinel:\n${body}`)));
    return one(objs, 'PodDisruptionBudget', 'cache-sentinel').spec.minAvailable;
  };
  assert.equal(budget('    sentinelReplicas: 3\n'), 2);
  assert.equal(budget('    sentinelReplicas: 5\n'), 3);
  assert.equal(budget('    sentinelReplicas: 5\n    quorum: 4\n'), 4);
  assert.equal(budget('    sentinelReplicas: 4\n'), 3);
  assert.equal(budget('    sentinelReplicas: 1\n'), 1);
});

test('SENTINEL: the master Service selects the role label on data pods only', () => {
  const objs = render(exampleInstance('sentinel'));
  const master = one(objs, 'Service', 'sessions-master');
  assert.equal(master.spec.selector[LABEL.role], 'master');
  assert.equal(master.spec.selector[LABEL.component], 'data');
  const data = one(objs, 'StatefulSet', 'sessions');
  for (const [k, v] of Object.entries(data.spec.selector.matchLabels)) assert.equal(master.spec.selector[k], v);
  // Clients that speak Sentinel use the sentinel Service.
  assert.deepEqual(
    one(objs, 'Service', 'sessions-sentinel').spec.ports.map((p: any) => p.port),
    [26379],
  );
});

test('SENTINEL: data pods are restarted by the engine (OnDelete), sentinels roll', () => {
  const objs = render(exampleInstance('sentinel'));
  assert.deepEqual(one(objs, 'StatefulSet', 'sessions').spec.updateStrategy, { type: 'OnDelete' });
  assert.equal(one(objs, 'StatefulSet', 'sessions-sentinel').spec.updateStrategy.type, 'RollingUpdate');
  assert.equal(one(objs, 'StatefulSet', 'sessions').spec.replicas, 3);
  assert.equal(one(objs, 'StatefulSet', 'sessions-sentinel').spec.replicas, 3);
});

test('SENTINEL: the master name is <namespace>.<name>, so two instances never share it', () => {
  const monitor = (inst: Instance) => {
    const objs = render(inst);
    const line = (one(objs, 'ConfigMap', `${inst.name}-config`).data['sentinel.conf'] as string)
      .split('\n')
      .find((l) => l.startsWith('sentinel monitor '));
    return line!.split(' ')[2];
  };
  const at = (ns: string, name: string) =>
    instanceOf(
      withSpec('  mode: SENTINEL\n')
        .replace('namespace: demo', `namespace: ${ns}`)
        .replace('name: cache', `name: ${name}`),
    );
  const a = exampleInstance('sentinel');
  assert.equal(monitor(a), 'demo.sessions');
  assert.equal(monitor(at('prod', 'sessions')), 'prod.sessions');
  // Joined with "-" both would be "team-a-cache": sentinels of the two would join each other.
  assert.notEqual(monitor(at('team-a', 'cache')), monitor(at('team', 'a-cache')));
  // The scripts ask the sentinels for this same name.
  assert.match(script(render(a), 'start-server.sh'), /get-master-addr-by-name demo\.sessions/);
  assert.match(script(render(a), 'sentinel-ready.sh'), /get-master-addr-by-name demo\.sessions/);
});

test('SENTINEL: sentinels monitor with the resolved quorum and timings', () => {
  const inst = instanceOf(
    withSpec(
      '  mode: SENTINEL\n  sentinel:\n    sentinelReplicas: 5\n    downAfterMilliseconds: 7000\n    failoverTimeout: 90000\n',
    ),
  );
  const text = one(render(inst), 'ConfigMap', 'cache-config').data['sentinel.conf'] as string;
  assert.match(text, /^sentinel monitor demo\.cache cache-0\.cache-headless\.demo\.svc\.cluster\.local 6379 3$/m);
  assert.match(text, /^sentinel down-after-milliseconds demo\.cache 7000$/m);
  assert.match(text, /^sentinel failover-timeout demo\.cache 90000$/m);
  assert.match(text, /^sentinel resolve-hostnames yes$/m);
});

test('CLUSTER: masters x (1 + replicas) pods, bus port, nodes.conf on the data volume', () => {
  const check = (inst: Instance, pods: number) => {
    const objs = render(inst);
    const sts = one(objs, 'StatefulSet', inst.name);
    assert.equal(sts.spec.replicas, pods);
    assert.equal(sts.spec.podManagementPolicy, 'Parallel');
    const server = sts.spec.template.spec.containers.find((c: any) => c.name === 'server');
    assert.deepEqual(server.ports.map((p: any) => p.containerPort).sort(), [16379, 6379]);
    const headless = one(objs, 'Service', `${inst.name}-headless`);
    assert.deepEqual(headless.spec.ports.map((p: any) => p.port).sort(), [16379, 6379]);
    assert.equal(headless.spec.publishNotReadyAddresses, true);
    const conf = configFile(objs, 'valkey.conf');
    assert.deepEqual(conf.get('cluster-enabled'), ['yes']);
    assert.deepEqual(conf.get('cluster-config-file'), ['/data/nodes.conf']);
    assert.deepEqual(conf.get('cluster-port'), ['16379']);
    assert.ok(server.volumeMounts.some((m: any) => m.mountPath === '/data' && m.name === 'data'));
    assert.equal(byKind(objs, 'StatefulSet').length, 1, 'no sentinels in CLUSTER mode');
  };
  check(exampleInstance('cluster'), 6);
  check(fixtureInstance('edge-cluster-metrics'), 12);
  check(instanceOf(withSpec('  mode: CLUSTER\n  cluster:\n    masters: 5\n    replicasPerMaster: 0\n')), 5);
});

test('STANDALONE: one pod, rolling updates', () => {
  const objs = render(exampleInstance('standalone'));
  const sts = one(objs, 'StatefulSet');
  assert.equal(sts.spec.replicas, 1);
  assert.equal(sts.spec.updateStrategy.type, 'RollingUpdate');
  assert.equal(configFile(objs, 'valkey.conf').get('cluster-enabled'), undefined);
});

test('a Namespace object is rendered exactly when createNamespace is set, and first', () => {
  const withNs = render(exampleInstance('production'));
  assert.equal(withNs[0]!.kind, 'Namespace');
  assert.equal(withNs[0]!.metadata.name, 'payments');
  assert.ok(withNs.slice(1).every((o) => o.metadata.namespace === 'payments'));
  const noCreate = instanceOf(exampleText('standalone').replace(/^ {2}createNamespace: true.*\n/m, ''));
  assert.equal(byKind(render(noCreate), 'Namespace').length, 0);
  assert.equal(byKind(render(exampleInstance('planton-basic')), 'Namespace').length, 1);
});

test('ingress: a LoadBalancer Service with the external-dns hostname, opened in the NetworkPolicy', () => {
  const objs = render(exampleInstance('planton-persistent-ingress'));
  const lb = one(objs, 'Service', 'persistent-redis-external');
  assert.equal(lb.spec.type, 'LoadBalancer');
  assert.equal(lb.metadata.annotations['external-dns.alpha.kubernetes.io/hostname'], 'redis.example.com');
  assert.deepEqual(
    lb.spec.ports.map((p: any) => p.port),
    [6379],
  );
  const rules = one(objs, 'NetworkPolicy').spec.ingress as any[];
  const external = rules.find((r) => r.from.some((f: any) => f.ipBlock));
  assert.deepEqual(sortedPorts(external), [6379], 'only the data port is reachable from outside');
});

test('metrics: exporter port opened for Prometheus only, ServiceMonitor selects the metrics Service', () => {
  const objs = render(exampleInstance('production'));
  const rules = one(objs, 'NetworkPolicy').spec.ingress as any[];
  const prom = rules.filter((r) => sortedPorts(r).includes(9121));
  assert.equal(prom.length, 1);
  assert.deepEqual(sortedPorts(prom[0]), [9121]);
  assert.deepEqual(
    prom[0].from,
    [
      {
        namespaceSelector: {
          matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['monitoring'] }],
        },
      },
    ],
    'only from the namespace named in networkPolicy.metricsNamespaces',
  );
  const sm = one(objs, 'ServiceMonitor');
  const metricsSvc = one(objs, 'Service', 'orders-cache-metrics');
  for (const [k, v] of Object.entries(sm.spec.selector.matchLabels)) assert.equal(metricsSvc.metadata.labels[k], v);
  assert.equal(sm.spec.endpoints[0].port, metricsSvc.spec.ports[0].name);
  assert.equal(
    sm.metadata.labels.release,
    'kube-prometheus-stack',
    'metrics.labels reach the ServiceMonitor for Prometheus selection',
  );
});

test('metadata.annotations reach every object the instance owns, but not the Namespace', () => {
  const inst = { ...exampleInstance('production'), annotations: { 'team.example.com/owner': 'payments' } };
  const objs = render(inst, { generatedPassword: 'x'.repeat(32) });
  for (const o of objs.filter((x) => x.kind !== 'Namespace')) {
    assert.equal(o.metadata.annotations?.['team.example.com/owner'], 'payments', `${o.kind} ${o.metadata.name}`);
  }
  assert.equal(one(objs, 'Namespace').metadata.annotations, undefined);
  const external = render({ ...exampleInstance('planton-persistent-ingress'), annotations: { a: '1' } });
  assert.deepEqual(
    Object.keys(one(external, 'Service', 'persistent-redis-external').metadata.annotations).sort(),
    ['a', 'external-dns.alpha.kubernetes.io/hostname'],
    'object annotations kept beside',
  );
});

test("requests to the operator and tools' notes on the resource reach no object: they would roll every pod", () => {
  const text = exampleText('sentinel').replace(
    /^metadata:\n/m,
    `metadata:\n  annotations:\n    redis-kubernetes.io/promote: cache-1\n    kubectl.kubernetes.io/last-applied-configuration: '{}'\n    team.example.com/owner: payments\n`,
  );
  const inst = instanceOf(text);
  assert.deepEqual(inst.annotations, { 'team.example.com/owner': 'payments' });
  const before = podSpecs(render(exampleInstance('sentinel'))).map((p) => p.meta.annotations);
  const after = podSpecs(render({ ...inst, annotations: {} })).map((p) => p.meta.annotations);
  assert.deepEqual(after, before, 'the pod templates are those of the resource without the annotations');
});

test('allowNamespaces adds a namespaced client rule that still requires the client label', () => {
  const objs = render(fixtureInstance('edge-cluster-metrics'));
  const clients = one(objs, 'NetworkPolicy').spec.ingress[1];
  const ns = clients.from.find((f: any) => f.namespaceSelector);
  assert.deepEqual(ns.namespaceSelector.matchExpressions[0].values, ['api', 'web']);
  assert.deepEqual(ns.podSelector, { matchLabels: { [LABEL.client]: 'shards' } });
});

test('PREFERRED anti-affinity, node selector, tolerations and priority class reach every pod', () => {
  const objs = render(fixtureInstance('edge-scheduling'));
  for (const p of podSpecs(objs)) {
    assert.equal(p.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution, undefined);
    assert.equal(
      p.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey,
      'kubernetes.io/hostname',
    );
    assert.equal(p.spec.topologySpreadConstraints, undefined);
    assert.deepEqual(p.spec.nodeSelector, { 'node-pool': 'databases' });
    assert.equal(p.spec.tolerations.length, 2);
    assert.equal(p.spec.priorityClassName, 'databases-critical');
  }
});

test('objects come out in apply order and every namespaced object is in the instance namespace', () => {
  const order = [
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
  ];
  const objs: KubeObject[] = render(exampleInstance('production'), { generatedPassword: 'x' });
  const ranks = objs.map((o) => order.indexOf(o.kind));
  assert.ok(ranks.every((r) => r >= 0));
  assert.deepEqual(
    ranks,
    [...ranks].sort((a, b) => a - b),
  );
  for (const o of objs)
    if (o.kind !== 'Namespace') assert.equal(o.metadata.namespace, 'payments', `${o.kind}/${o.metadata.name}`);
});
