// rk install / rk uninstall on a real control plane (RBAC on). The Deployment's pods run an image
// the node agent does not map, so the operator is run out of cluster with the installed
// ServiceAccount's own token instead: what the ClusterRole grants is then exactly what the
// operator gets, and a resource reaching Ready proves the RBAC is enough.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
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
import { startOperator, type OperatorProcess } from './operatorProcess.js';
import { REPO_ROOT, rk } from './rkCli.js';

const KUBECTL = join(REPO_ROOT, 'test', 'control-plane', 'bin', 'kubectl');
const NS = 'ops';
const SA = `system:serviceaccount:${NS}:redis-kubernetes-operator`;

function kubectl(kubeconfig: string, ...args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      KUBECTL,
      args,
      { env: { ...process.env, KUBECONFIG: kubeconfig }, timeout: 120_000 },
      (err, stdout, stderr) => {
        const code = err ? (err as { code?: unknown }).code : 0;
        if (typeof code !== 'number') return reject(new Error(err!.message, { cause: err }));
        resolve({ code, out: `${stdout}${stderr}` });
      },
    );
  });
}

describe('rk install and rk uninstall on a real cluster', { timeout: 600_000 }, () => {
  let cluster: TestCluster;
  let s: Session;
  let env: Record<string, string>;
  let operator: OperatorProcess | undefined;
  const can = async (verb: string, resource: string, ns = 'demo') =>
    (await kubectl(cluster.kubeconfigPath, 'auth', 'can-i', verb, resource, '-n', ns, `--as=${SA}`)).out.trim();

  before(async () => {
    cluster = await startTestCluster();
    s = connect({ kubeconfig: cluster.kubeconfigPath });
    env = { KUBECONFIG: cluster.kubeconfigPath };
  });
  after(async () => {
    await operator?.stop();
    await cluster?.stop();
  });

  test('--render prints the objects without a cluster', async () => {
    const r = await rk(['install', '--render', '--namespace', NS], { KUBECONFIG: '/nonexistent' });
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
      'Deployment',
    ]);
  });

  test('rk install applies them; the service account may do what the operator does, and no pods/exec', async () => {
    const r = await rk(['install', '--namespace', NS, '--image', 'example.org/rk:test'], env);
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
    assert.equal(dep.out, '2 example.org/rk:test');
    // Idempotent: a second install (a new image) applies over the first.
    assert.equal((await rk(['install', '--namespace', NS, '--image', 'example.org/rk:test2'], env)).code, 0);

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

  test("with only the service account's token, rk operator takes a resource to Ready", async () => {
    const token = (await kubectl(cluster.kubeconfigPath, 'create', 'token', 'redis-kubernetes-operator', '-n', NS)).out;
    const c = cluster.kubeconfig.getCurrentCluster()!;
    const kubeconfig = join(cluster.dir, 'operator-sa.kubeconfig');
    writeFileSync(
      kubeconfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'c', cluster: { server: c.server, 'certificate-authority-data': c.caData } }],
        users: [{ name: 'sa', user: { token: token.trim() } }],
        contexts: [{ name: 'sa', context: { cluster: 'c', user: 'sa' } }],
        'current-context': 'sa',
      }),
    );
    operator = await startOperator(kubeconfig, ['--lease-namespace', NS]);
    await kubectl(cluster.kubeconfigPath, 'create', 'namespace', 'demo');
    const applied = await kubectl(
      cluster.kubeconfigPath,
      'apply',
      '-n',
      'demo',
      '-f',
      join(REPO_ROOT, 'examples', 'standalone.yaml'),
    );
    assert.equal(applied.code, 0, applied.out);
    const waited = await kubectl(
      cluster.kubeconfigPath,
      'wait',
      '--for=condition=Ready',
      'rediskubernetes/cache',
      '-n',
      'demo',
      '--timeout=180s',
    );
    assert.equal(waited.code, 0, `${waited.out}\n${operator.log().slice(-5000)}`);
    assert.doesNotMatch(operator.log(), /forbidden/i);
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
    assert.equal(deleted.code, 0, `${deleted.out}\n${operator!.log().slice(-5000)}`);
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
    assert.match(operator!.log(), /kept 1 PersistentVolumeClaim/);
  });

  test('rk uninstall removes all but the namespace and the CRD; --crd removes the CRD too', async () => {
    await operator?.stop();
    operator = undefined;
    const r = await rk(['uninstall', '--namespace', NS], env);
    assert.equal(r.code, 0, r.err.join('\n'));
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
    const all = await rk(['uninstall', '--namespace', NS, '--crd', '--timeout', '60'], env);
    assert.equal(all.code, 0, all.err.join('\n'));
    assert.match(all.err.join('\n'), /every RedisKubernetes resource in the cluster is deleted/);
    await waitFor('the CRD gone', 30_000, async () => !(await readObject(s, crdInfo, undefined, crdName)));
  });
});
