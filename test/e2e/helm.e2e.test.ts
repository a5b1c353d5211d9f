// The Helm chart (charts/redis-kubernetes-operator) checked by Helm itself (test/helm/build.sh
// builds it from the Helm Go module): lint, the same objects as `rk install --render` with default
// values, the values honoured, and install / upgrade / uninstall on the test cluster giving a
// running operator (the node agent runs its image as this checkout's bin/rk.js) that takes an
// example to Ready.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { DEFAULT_INSTALL_NAMESPACE } from '../../src/operator/installObjects.js';
import { waitFor } from '../agent/wait.js';
import { startTestCluster, type TestCluster } from './cluster.js';
import { applyExampleUntilReady, kubectl } from './kubectl.js';
import { REPO_ROOT, rk } from './rkCli.js';

const HELM = join(REPO_ROOT, 'test', 'helm', 'bin', 'helm');
const CHART = join(REPO_ROOT, 'charts', 'redis-kubernetes-operator');
const NS = 'rk-helm';

interface Obj {
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [k: string]: unknown;
}

/** Helm's own labels are the chart's; rk install says rk-install. Everything else must match. */
function withoutManagerLabels(o: Obj): Obj {
  const strip = (labels?: Record<string, string>) => {
    if (!labels) return labels;
    const { 'app.kubernetes.io/managed-by': _m, 'helm.sh/chart': _c, ...rest } = labels;
    return rest;
  };
  const copy = structuredClone(o);
  copy.metadata.labels = strip(copy.metadata.labels);
  const tpl = (copy.spec as { template?: { metadata?: { labels?: Record<string, string> } } } | undefined)?.template;
  if (tpl?.metadata) tpl.metadata.labels = strip(tpl.metadata.labels);
  return copy;
}

const parseObjects = (text: string): Obj[] =>
  parseAllDocuments(text)
    .map((d) => d.toJSON() as Obj | null)
    .filter((o): o is Obj => !!o);

describe('the Helm chart', { timeout: 600_000 }, () => {
  let cluster: TestCluster;
  let env: Record<string, string>;

  function helm(...args: string[]): Promise<{ code: number; out: string }> {
    return new Promise((resolve, reject) => {
      execFile(HELM, args, { env: { ...process.env, ...env }, timeout: 300_000 }, (err, stdout, stderr) => {
        const code = err ? (err as { code?: unknown }).code : 0;
        if (typeof code !== 'number') return reject(new Error(`helm ${args.join(' ')}: ${err!.message}`));
        resolve({ code, out: `${stdout}${stderr}` });
      });
    });
  }

  before(async () => {
    cluster = await startTestCluster();
    // Helm's caches and config inside the test's directory, never in the user's home.
    const home = join(cluster.dir, 'helm-home');
    for (const d of ['cache', 'config', 'data']) mkdirSync(join(home, d), { recursive: true });
    env = {
      KUBECONFIG: cluster.kubeconfigPath,
      HELM_CACHE_HOME: join(home, 'cache'),
      HELM_CONFIG_HOME: join(home, 'config'),
      HELM_DATA_HOME: join(home, 'data'),
    };
  });
  after(async () => {
    await cluster?.stop();
  });

  test('helm lint passes', async () => {
    const r = await helm('lint', CHART, '--strict');
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /1 chart\(s\) linted, 0 chart\(s\) failed/);
  });

  test('helm template with default values gives the objects rk install --render gives', async () => {
    const t = await helm('template', 'rk', CHART, '--namespace', DEFAULT_INSTALL_NAMESPACE, '--include-crds');
    assert.equal(t.code, 0, t.out);
    const r = await rk(['install', '--render'], { KUBECONFIG: '/nonexistent' });
    assert.equal(r.code, 0, r.err.join('\n'));
    const key = (o: Obj) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    const fromHelm = new Map(parseObjects(t.out).map((o) => [key(o), withoutManagerLabels(o)]));
    // The Namespace is Helm's to create (helm install --create-namespace), not the chart's.
    const fromRk = parseObjects(r.out.join('\n')).filter((o) => o.kind !== 'Namespace');
    assert.deepEqual([...fromHelm.keys()].sort(), fromRk.map(key).sort());
    for (const o of fromRk) assert.deepEqual(fromHelm.get(key(o)), withoutManagerLabels(o), key(o));
  });

  test('values: watched namespace, replicas, resources, scheduling, image, ServiceMonitor', async () => {
    const t = await helm(
      'template',
      'rk',
      CHART,
      '--namespace',
      'ops',
      '--set',
      'watchNamespace=team-a,replicas=3,image.tag=9.9.9,serviceMonitor.enabled=true',
      '--set-json',
      'nodeSelector={"pool":"system"}',
      '--set-json',
      'tolerations=[{"key":"dedicated","operator":"Exists","effect":"NoSchedule"}]',
      '--set',
      'resources.limits.memory=512Mi',
    );
    assert.equal(t.code, 0, t.out);
    const objs = parseObjects(t.out);
    const dep = objs.find((o) => o.kind === 'Deployment') as unknown as {
      spec: {
        replicas: number;
        template: {
          spec: {
            nodeSelector: unknown;
            tolerations: unknown[];
            containers: { image: string; args: string[]; resources: { limits: { memory: string } } }[];
          };
        };
      };
    };
    const c = dep.spec.template.spec.containers[0]!;
    assert.equal(dep.spec.replicas, 3);
    assert.equal(c.image, 'ghcr.io/redis-kubernetes/rk:9.9.9');
    assert.deepEqual(c.args, [
      'operator',
      '--lease-namespace',
      'ops',
      '--health-port',
      '8081',
      '--namespace',
      'team-a',
    ]);
    assert.equal(c.resources.limits.memory, '512Mi');
    assert.deepEqual(dep.spec.template.spec.nodeSelector, { pool: 'system' });
    assert.equal(dep.spec.template.spec.tolerations.length, 1);
    const sm = objs.find((o) => o.kind === 'ServiceMonitor') as unknown as {
      metadata: { namespace: string };
      spec: { endpoints: { port: string; path: string; honorLabels: boolean }[] };
    };
    assert.equal(sm.metadata.namespace, 'ops');
    assert.deepEqual(
      sm.spec.endpoints.map((e) => `${e.port}${e.path} honorLabels=${e.honorLabels}`),
      ['metrics/metrics honorLabels=true'],
    );
  });

  test('helm install: a running operator takes examples/standalone.yaml to Ready; upgrade and uninstall', async () => {
    const installed = await helm(
      'install',
      'rk',
      CHART,
      '--namespace',
      NS,
      '--create-namespace',
      '--wait',
      '--timeout',
      '3m',
    );
    assert.equal(installed.code, 0, installed.out);
    assert.match(installed.out, /STATUS: deployed/);
    const operatorLogs = async () => {
      const pods = await kubectl(cluster.kubeconfigPath, 'get', 'pods', '-n', NS, '-o', 'name');
      return pods.out
        .split('\n')
        .filter(Boolean)
        .map((p) => `${p}:\n${cluster.agent.logs(NS, p.replace('pod/', ''), 'operator').slice(-2000)}`)
        .join('\n');
    };
    await kubectl(cluster.kubeconfigPath, 'create', 'namespace', 'demo');
    await applyExampleUntilReady(cluster.kubeconfigPath, 'standalone.yaml', 'demo', 'cache', operatorLogs);
    assert.doesNotMatch(await operatorLogs(), /forbidden/i, "the chart's ClusterRole covered every call");

    const upgraded = await helm(
      'upgrade',
      'rk',
      CHART,
      '--namespace',
      NS,
      '--set',
      'replicas=1',
      '--wait',
      '--timeout',
      '3m',
    );
    assert.equal(upgraded.code, 0, upgraded.out);
    assert.match(upgraded.out, /REVISION: 2/);
    await waitFor('the operator Deployment at 1 ready replica', 90_000, async () => {
      const d = await kubectl(
        cluster.kubeconfigPath,
        'get',
        'deployment',
        'redis-kubernetes-operator',
        '-n',
        NS,
        '-o',
        'jsonpath={.spec.replicas}/{.status.readyReplicas}/{.status.replicas}',
      );
      return d.out === '1/1/1' || undefined;
    });
    // The upgraded operator still reconciles: a change to the resource reaches Ready again.
    const labelled = await kubectl(
      cluster.kubeconfigPath,
      'label',
      'rediskubernetes/cache',
      '-n',
      'demo',
      'tier=cache',
    );
    assert.equal(labelled.code, 0, labelled.out);
    await waitFor('the StatefulSet to carry the new label', 60_000, async () => {
      const sts = await kubectl(
        cluster.kubeconfigPath,
        'get',
        'statefulset',
        'cache',
        '-n',
        'demo',
        '-o',
        'jsonpath={.metadata.labels.tier}',
      );
      return sts.out === 'cache' || undefined;
    });

    const removed = await helm('uninstall', 'rk', '--namespace', NS, '--wait', '--timeout', '2m');
    assert.equal(removed.code, 0, removed.out);
    const left = await kubectl(
      cluster.kubeconfigPath,
      'get',
      'deployment,service,serviceaccount,role',
      '-n',
      NS,
      '-o',
      'name',
    );
    assert.doesNotMatch(left.out, /redis-kubernetes-operator/, left.out);
    // Helm keeps CRDs it installed from crds/, and with them every resource and its data.
    const crd = await kubectl(cluster.kubeconfigPath, 'get', 'rediskubernetes', '-n', 'demo', '-o', 'name');
    assert.equal(crd.code, 0, crd.out);
    assert.match(crd.out, /cache/);
  });
});
