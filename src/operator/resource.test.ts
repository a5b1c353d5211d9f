import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { resolveResource, type Resource } from './resource.js';

const resource = (spec: Record<string, unknown>, extra: Partial<Resource['metadata']> = {}): Resource => ({
  apiVersion: 'kubernetes.project-planton.org/v1',
  kind: 'RedisKubernetes',
  metadata: { name: 'shards', namespace: 'demo', uid: 'u', generation: 2, resourceVersion: '9', ...extra },
  spec,
});

describe('resolveResource', () => {
  test('a valid resource resolves to the instance rk validate would resolve, in its own namespace', () => {
    const r = resolveResource(resource({ mode: 'CLUSTER', cluster: { masters: 3, replicasPerMaster: 1 } }));
    assert.ok(r.ok);
    assert.deepEqual(
      [r.inst.name, r.inst.namespace, r.inst.mode, r.inst.dataReplicas],
      ['shards', 'demo', 'CLUSTER', 6],
    );
  });

  test('spec.namespace naming another namespace is refused with NamespaceMismatch', () => {
    const r = resolveResource(resource({ namespace: 'elsewhere' }));
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.reason, 'NamespaceMismatch');
  });

  test('an invalid spec is InvalidSpec with the path of the problem', () => {
    const r = resolveResource(resource({ mode: 'SHARDED' }));
    assert.equal(!r.ok && r.reason, 'InvalidSpec');
    assert.match(!r.ok ? r.message : '', /spec\.mode/);
  });

  test("kubectl's own annotations are not copied onto the owned objects; the user's are", () => {
    const r = resolveResource(
      resource(
        {},
        { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}', 'team.example.com/owner': 'x' } },
      ),
    );
    assert.ok(r.ok);
    assert.deepEqual(r.inst.annotations, { 'team.example.com/owner': 'x' });
  });
});
