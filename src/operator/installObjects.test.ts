import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CRD_GROUP, CRD_PLURAL } from '../api/crd.js';
import { installObjects, leaseRules, operatorRules } from './installObjects.js';

const objects = installObjects({ namespace: 'ops', image: 'example.org/rk:1' });
const byKind = (kind: string) => objects.find((o) => o.kind === kind)!;

/** Whether the rules grant `verb` on `group/resource`. */
function allows(rules: ReturnType<typeof operatorRules>, group: string, resource: string, verb: string): boolean {
  return rules.some((r) => r.apiGroups.includes(group) && r.resources.includes(resource) && r.verbs.includes(verb));
}

describe('rk install objects', () => {
  test('the CRD first, the Deployment last, everything namespaced in the install namespace', () => {
    assert.deepEqual(
      objects.map((o) => o.kind),
      [
        'CustomResourceDefinition',
        'Namespace',
        'ServiceAccount',
        'ClusterRole',
        'ClusterRoleBinding',
        'Role',
        'RoleBinding',
        'Service',
        'Deployment',
      ],
    );
    for (const kind of ['ServiceAccount', 'Role', 'RoleBinding', 'Deployment'])
      assert.equal(byKind(kind).metadata.namespace, 'ops', kind);
    for (const kind of ['ClusterRoleBinding', 'RoleBinding'])
      assert.deepEqual((byKind(kind).subjects as unknown[])[0], {
        kind: 'ServiceAccount',
        name: 'redis-kubernetes-operator',
        namespace: 'ops',
      });
  });

  test('the ClusterRole is least privilege: no pods/exec, no wildcards, no escalation verbs', () => {
    const rules = operatorRules();
    for (const r of [...rules, ...leaseRules()]) {
      assert.ok(!r.resources.some((x) => x.includes('/exec') || x === '*'), JSON.stringify(r));
      assert.ok(!r.apiGroups.includes('*'), JSON.stringify(r));
      assert.ok(!r.verbs.some((v) => ['*', 'escalate', 'bind', 'impersonate', 'deletecollection'].includes(v)));
    }
    assert.ok(!rules.some((r) => r.apiGroups.includes('rbac.authorization.k8s.io')), 'no RBAC objects');
    assert.ok(!rules.some((r) => r.apiGroups.includes('coordination.k8s.io')), 'leases only in the Role');
    assert.ok(!allows(rules, '', 'secrets', 'list') && !allows(rules, '', 'secrets', 'watch'), 'no listing Secrets');
    assert.ok(!allows(rules, '', 'pods', 'create'), 'pods are created by their StatefulSets only');
  });

  test('the ClusterRole covers every call the operator makes', () => {
    const rules = operatorRules();
    const need: Array<[string, string, string[]]> = [
      [CRD_GROUP, CRD_PLURAL, ['get', 'list', 'watch', 'patch']],
      [CRD_GROUP, `${CRD_PLURAL}/status`, ['patch']],
      ['apps', 'statefulsets', ['list', 'watch', 'create', 'patch', 'delete']],
      ['', 'pods', ['list', 'watch', 'patch', 'delete']],
      ['', 'secrets', ['get', 'create', 'patch']],
      ['', 'persistentvolumeclaims', ['list', 'delete']],
      ['', 'namespaces', ['get']],
      ['events.k8s.io', 'events', ['create']],
    ];
    for (const [group, resource] of [
      ['', 'serviceaccounts'],
      ['', 'configmaps'],
      ['', 'services'],
      ['policy', 'poddisruptionbudgets'],
      ['networking.k8s.io', 'networkpolicies'],
      ['cert-manager.io', 'certificates'],
      ['monitoring.coreos.com', 'servicemonitors'],
      ['monitoring.coreos.com', 'prometheusrules'],
    ] as const)
      need.push([group, resource, ['list', 'create', 'patch', 'delete']]);
    for (const [group, resource, verbs] of need)
      for (const verb of verbs) assert.ok(allows(rules, group, resource, verb), `${verb} ${resource}.${group}`);
    for (const verb of ['get', 'create', 'update'])
      assert.ok(allows(leaseRules(), 'coordination.k8s.io', 'leases', verb), `${verb} leases`);
  });

  test('the Deployment: 2 leader-elected replicas, hardened, probed, bounded', () => {
    const d = byKind('Deployment') as unknown as {
      spec: { replicas: number; template: { spec: Record<string, unknown> } };
    };
    assert.equal(d.spec.replicas, 2);
    const pod = d.spec.template.spec as {
      serviceAccountName: string;
      securityContext: Record<string, unknown>;
      containers: Array<Record<string, unknown>>;
    };
    assert.equal(pod.serviceAccountName, 'redis-kubernetes-operator');
    assert.equal(pod.securityContext.runAsNonRoot, true);
    const c = pod.containers[0] as {
      image: string;
      args: string[];
      securityContext: Record<string, unknown>;
      livenessProbe: { httpGet: { path: string } };
      readinessProbe: { httpGet: { path: string } };
      resources: { requests: Record<string, string>; limits: Record<string, string> };
    };
    assert.equal(c.image, 'example.org/rk:1');
    assert.deepEqual(c.args.slice(0, 3), ['operator', '--lease-namespace', 'ops']);
    assert.deepEqual(c.securityContext, {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    });
    assert.equal(c.livenessProbe.httpGet.path, '/healthz');
    assert.equal(c.readinessProbe.httpGet.path, '/readyz');
    assert.ok(c.resources.requests.cpu && c.resources.requests.memory && c.resources.limits.memory);
  });
});
