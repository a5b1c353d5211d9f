// rk install / rk uninstall on a real control plane (RBAC on). The node agent runs the operator
// image as this checkout's bin/rk.js (test/agent/images.ts), so the Deployment's pods are real
// in-cluster operators with the installed ServiceAccount's token: a resource reaching Ready, and
// its deletion finalized, with no "forbidden" in their logs, proves the ClusterRole is enough.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { CRD_GROUP, CRD_KIND, CRD_PLURAL } from '../../src/api/crd.js';
import { API_VERSION } from '../../src/api/schema.js';
import { readObject } from '../../src/apply/serverSideApply.js';
import { connect, type Session } from '../../src/apply/session.js';
import { FINALIZER } from '../../src/operator/finalizer.js';
import { LABEL } from '../../src/render/names.js';
import { waitFor } from '../agent/wait.js';
import { startTestCluster, type TestCluster } from './cluster.js';
import { applyExampleUntilReady, kubectl } from './kubectl.js';
import { REPO_ROOT, rk } from './rkCli.js';

const NS = 'ops';
const SA = `system:serviceaccount:${NS}:redis-kubernetes-operator`;

describe('rk install and rk uninstall on a real cluster', { timeout: 600_000 }, () => {
  let cluster: TestCluster;
  let s: Session;
  let env: Record<string, string>;
  const can = async (verb: string, resource: string, ns = 'demo') =>
    (await kubectl(cluster.kubeconfigPath, 'auth', 'can-i', verb, resource, '-n', ns, `--as=${SA}`)).out.trim();

  before(async () => {
    cluster = await startTestCluster();
    s = connect({ kubeconfig: cluster.kubeconfigPath });
    env = { KUBECONFIG: cluster.kubeconfigPath };
  });
  after(async () => {
    await cluster?.stop();
  });

  /** The operator pods' statuses and logs, for failure messages. */
  async function operatorPods(): Promise<string> {
    const pods = await kubectl(cluster.kubeconfigPath, 'get', 'pods', '-n', NS, '-o', 'wide');
    const names = [...pods.out.matchAll(/^(redis-kubernetes-operator-\S+)/gm)].map((m) => m[1]!);
    return [pods.out, ...names.map((p) => `${p}:\n${cluster.agent.logs(NS, p, 'operator').slice(-3000)}`)].join('\n');
  }

  test('--render prints the objects without a cluster, and kubectl apply --server-side takes them', async () => {
    const r = await rk(['install', '--render', '--namespace', NS, '--image', 'ghcr.io/redis-kubernetes/rk:gitops'], {
      KUBECONFIG: '/nonexistent',
    });
    assert.equal(r.code, 0, r.err.join('\n'));
    const kinds = parseAllDocuments(r.out.join('\n')).map((d) => (d.toJSON() as { kind: string }).kind);
    assert.deepEqual(kinds, [
      'CustomResourceDefinition',
      'Namespace',
      'ServiceAccount',
      'ClusterRole',
      'ClusterRoleBinding',
      'Role',
      'RoleBinding',
      'Service',
      'Deployment',
    ]);
    const file = join(cluster.dir, 'install.yaml');
    writeFileSync(file, `${r.out.join('\n')}\n`);
    const applied = await kubectl(cluster.kubeconfigPath, 'apply', '--server-side', '-f', file);
    assert.equal(applied.code, 0, applied.out);
    assert.match(applied.out, /deployment\.apps\/redis-kubernetes-operator serverside-applied/);
  });

  test('rk install applies them (over the GitOps copy); the service account may do what the operator does, no pods/exec', async () => {
    // The default image: the node agent runs it as this checkout's bin/rk.js (test/agent/images.ts).
    const r = await rk(['install', '--namespace', NS], env);
    assert.equal(r.code, 0, r.err.join('\n'));
    assert.match(r.out.join('\n'), /deployment\.apps\/redis-kubernetes-operator serverside-applied/);
    const dep = await kubectl(
      cluster.kubeconfigPath,
      'get',
      'deployment',
      'redis-kubernetes-operator',
      '-n',
      NS,
      '-o',
      'jsonpath={.spec.replicas} {.spec.template.spec.containers[0].image}',
    );
    assert.equal(dep.out, '2 ghcr.io/redis-kubernetes/rk:0.1.0');

    assert.equal(await can('watch', 'rediskubernetes'), 'yes');
    assert.equal(await can('patch', 'rediskubernetes/status'), 'yes');
    assert.equal(await can('create', 'statefulsets.apps'), 'yes');
    assert.equal(await can('patch', 'pods'), 'yes');
    assert.equal(await can('create', 'events.events.k8s.io'), 'yes');
    assert.equal(await can('update', 'leases.coordination.k8s.io', NS), 'yes');
    assert.equal(await can('update', 'leases.coordination.k8s.io'), 'no', 'leases only in the operator namespace');
    assert.equal(await can('create', 'pods/exec'), 'no');
    assert.equal(await can('list', 'secrets'), 'no');
  });

  test('in the cluster: 2 operator pods Ready, one holds the Lease, and a resource reaches Ready through them', async () => {
    const rollout = await kubectl(
      cluster.kubeconfigPath,
      'rollout',
      'status',
      'deployment/redis-kubernetes-operator',
      '-n',
      NS,
      '--timeout=90s',
    );
    assert.equal(rollout.code, 0, `${rollout.out}\n${await operatorPods()}`);
    const holder = await waitFor('an operator pod holding the Lease', 30_000, async () => {
      const l = await kubectl(
        cluster.kubeconfigPath,
        'get',
        'lease',
        'redis-kubernetes-operator',
        '-n',
        NS,
        '-o',
        'jsonpath={.spec.holderIdentity}',
      );
      return /^redis-kubernetes-operator-/.test(l.out) ? l.out : undefined;
    });
    assert.match(holder, /^redis-kubernetes-operator-[a-z0-9]+-[a-z0-9]+_\d+$/, 'the identity is <pod>_<pid>');
    await kubectl(cluster.kubeconfigPath, 'create', 'namespace', 'demo');
    await applyExampleUntilReady(cluster.kubeconfigPath, 'standalone.yaml', 'demo', 'cache', operatorPods);
    assert.doesNotMatch(await operatorPods(), /forbidden/i, 'the ClusterRole covered every call');
  });

  test('deleting the resource: the finalizer takes every object and pod away, the PVCs and the Secret stay', async () => {
    const crInfo = await s.discovery.resolve(API_VERSION, CRD_KIND);
    const res = (await readObject(s, crInfo, 'demo', 'cache')) as { metadata: { finalizers?: string[] } } | null;
    assert.deepEqual(res?.metadata.finalizers, [FINALIZER]);
    const selector = `${LABEL.instance}=cache`;
    const claimsBefore = await kubectl(
      cluster.kubeconfigPath,
      'get',
      'pvc',
      '-n',
      'demo',
      '-l',
      selector,
      '-o',
      'name',
    );
    assert.match(claimsBefore.out, /persistentvolumeclaim\//);
    // kubectl delete waits for the finalizer: it returns once the operator has let the resource go.
    const deleted = await kubectl(
      cluster.kubeconfigPath,
      'delete',
      'rediskubernetes',
      'cache',
      '-n',
      'demo',
      '--timeout=120s',
    );
    assert.equal(deleted.code, 0, `${deleted.out}\n${await operatorPods()}`);
    const left = await kubectl(
      cluster.kubeconfigPath,
      'get',
      'pods,statefulsets,services,configmaps,poddisruptionbudgets,networkpolicies,serviceaccounts',
      '-n',
      'demo',
      '-l',
      selector,
      '-o',
      'name',
    );
    assert.equal(left.code, 0, left.out);
    assert.equal(left.out.trim(), '', 'nothing of the instance is left but its data');
    const claimsAfter = await kubectl(cluster.kubeconfigPath, 'get', 'pvc', '-n', 'demo', '-l', selector, '-o', 'name');
    assert.equal(claimsAfter.out, claimsBefore.out, 'the PVCs are kept');
    const secret = await kubectl(cluster.kubeconfigPath, 'get', 'secret', '-n', 'demo', '-l', selector, '-o', 'name');
    assert.match(secret.out, /secret\//, 'the generated password Secret is kept with the data');
    assert.match(await operatorPods(), /kept 1 PersistentVolumeClaim/);
  });

  test('with spec.persistence.deleteClaim: true, deleting the resource takes the PVCs and the generated Secret too', async () => {
    const selector = `${LABEL.instance}=cache`;
    const applied = await kubectl(
      cluster.kubeconfigPath,
      'apply',
      '-n',
      'demo',
      '-f',
      join(REPO_ROOT, 'examples', 'standalone.yaml'),
    );
    assert.equal(applied.code, 0, applied.out);
    const patched = await kubectl(
      cluster.kubeconfigPath,
      'patch',
      'rediskubernetes',
      'cache',
      '-n',
      'demo',
      '--type=merge',
      '-p',
      JSON.stringify({ spec: { persistence: { deleteClaim: true } } }),
    );
    assert.equal(patched.code, 0, patched.out);
    const waited = await kubectl(
      cluster.kubeconfigPath,
      'wait',
      '--for=condition=Ready',
      'rediskubernetes/cache',
      '-n',
      'demo',
      '--timeout=180s',
    );
    assert.equal(waited.code, 0, `${waited.out}\n${await operatorPods()}`);
    const deleted = await kubectl(
      cluster.kubeconfigPath,
      'delete',
      'rediskubernetes',
      'cache',
      '-n',
      'demo',
      '--timeout=120s',
    );
    assert.equal(deleted.code, 0, `${deleted.out}\n${await operatorPods()}`);
    const left = await kubectl(
      cluster.kubeconfigPath,
      'get',
      'pvc,secrets',
      '-n',
      'demo',
      '-l',
      selector,
      '-o',
      'name',
    );
    assert.equal(left.code, 0, left.out);
    assert.equal(left.out.trim(), '', 'the data and its password went with the resource, as the spec asked');
  });

  test('rk uninstall removes all but the namespace and the CRD; --crd removes the CRD too', async () => {
    // A resource left behind, finalizer set: uninstall says what deleting it will need.
    const again = await kubectl(
      cluster.kubeconfigPath,
      'apply',
      '-n',
      'demo',
      '-f',
      join(REPO_ROOT, 'examples', 'standalone.yaml'),
    );
    assert.equal(again.code, 0, again.out);
    const crInfo = await s.discovery.resolve(API_VERSION, CRD_KIND);
    await waitFor('the finalizer on the new resource', 30_000, async () => {
      const res = (await readObject(s, crInfo, 'demo', 'cache')) as { metadata: { finalizers?: string[] } } | null;
      return res?.metadata.finalizers?.includes(FINALIZER);
    });
    const r = await rk(['uninstall', '--namespace', NS], env);
    assert.equal(r.code, 0, r.err.join('\n'));
    assert.match(r.err.join('\n'), /1 RedisKubernetes resource\(s\) remain; deleting one now waits for an operator/);
    for (const what of [
      ['deployment', 'redis-kubernetes-operator', '-n', NS],
      ['serviceaccount', 'redis-kubernetes-operator', '-n', NS],
      ['role', 'redis-kubernetes-operator', '-n', NS],
      ['clusterrole', 'redis-kubernetes-operator'],
      ['clusterrolebinding', 'redis-kubernetes-operator'],
      ['lease', 'redis-kubernetes-operator', '-n', NS],
    ]) {
      const got = await kubectl(cluster.kubeconfigPath, 'get', ...what);
      assert.notEqual(got.code, 0, `${what.join(' ')} still exists`);
    }
    const crdInfo = await s.discovery.resolve('apiextensions.k8s.io/v1', 'CustomResourceDefinition');
    const crdName = `${CRD_PLURAL}.${CRD_GROUP}`;
    assert.ok(await readObject(s, crdInfo, undefined, crdName), 'the CRD is kept');
    // No operator runs now: release the resource by hand, or the CRD's deletion would wait for it.
    const released = await kubectl(
      cluster.kubeconfigPath,
      'patch',
      'rediskubernetes',
      'cache',
      '-n',
      'demo',
      '--type=merge',
      '-p',
      '{"metadata":{"finalizers":null}}',
    );
    assert.equal(released.code, 0, released.out);
    const all = await rk(['uninstall', '--namespace', NS, '--crd', '--timeout', '60'], env);
    assert.equal(all.code, 0, all.err.join('\n'));
    assert.match(all.err.join('\n'), /every RedisKubernetes resource in the cluster is deleted/);
    await waitFor('the CRD gone', 30_000, async () => !(await readObject(s, crdInfo, undefined, crdName)));
  });
});
