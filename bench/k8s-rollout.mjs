#!/usr/bin/env node
// A rolling image change on Kubernetes under writes, two ways in the same run, on the e2e test
// cluster (real kube-apiserver and controller-manager, the node agent running pods as processes):
//   operator: `rk operator` rolls the OnDelete data pods itself (replicas first, the master after
//             the paused handover);
//   rolling_update: the same rendered objects with the data StatefulSet switched to a plain
//             RollingUpdate and no operator: Kubernetes restarts pods from the highest ordinal,
//             the master with the rest, and the sentinels fail over when they find it down.
// Each: a SENTINEL group (3 data pods, 3 sentinels) from redis:7.0.15 to valkey/valkey:8.0.2 while
// the consistency checker's writer (WAIT 1, 1000 writes/s, a sentinel-aware client resolving the
// pods' DNS names) runs; then every acknowledged write is read back. RUNS (default 1) per way.
// Needs `npm run build` and the cached control plane (scripts/setup.sh --tests). One JSON line.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const dist = (p) => join(root, 'dist', p);
const { startTestCluster } = await import(dist('test/e2e/cluster.js'));
const { startOperator } = await import(dist('test/e2e/operatorProcess.js'));
const { resolvePodNames } = await import(dist('test/e2e/podNames.js'));
const { kubectl } = await import(dist('test/e2e/kubectl.js'));
const { waitFor } = await import(dist('test/agent/wait.js'));
const { installCrds } = await import(dist('test/support/controlPlane.js'));
const { customResourceDefinition } = await import(dist('src/api/crd.js'));
const { connect } = await import(dist('src/apply/session.js'));
const { startWriter } = await import(dist('src/check/writer.js'));
const { CoreV1Api } = await import('@kubernetes/client-node');
const { execFile } = await import('node:child_process');

const runs = Number(process.env.RUNS ?? 1);
const NS = 'bench';
const log = (m) => process.stderr.write(`[k8s-rollout] ${m}\n`);

function manifest(name, image) {
  return `apiVersion: kubernetes.project-planton.org/v1
kind: RedisKubernetes
metadata:
  name: ${name}
  namespace: ${NS}
spec:
  namespace: ${NS}
  mode: SENTINEL
  sentinel:
    redisReplicas: 3
    sentinelReplicas: 3
  image:
    repository: ${image.split(':')[0]}
    tag: "${image.split(':')[1]}"
  container:
    resources:
      limits:
        cpu: "1"
        memory: 256Mi
`;
}

const cluster = await startTestCluster({ printTimings: false });
const core = cluster.kubeconfig.makeApiClient(CoreV1Api);
const s = connect({ kubeconfig: cluster.kubeconfigPath });
await installCrds(s, [customResourceDefinition()]);
await core.createNamespace({ body: { metadata: { name: NS } } });
const dir = mkdtempSync(join(tmpdir(), 'rk-bench-'));
// Never a synchronous child process: the node agent runs the pods in this process's event loop.
const rk = (...args) =>
  new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      [join(root, 'bin/rk.js'), ...args],
      { env: { ...process.env, KUBECONFIG: cluster.kubeconfigPath } },
      (err, stdout, stderr) => (err ? reject(new Error(`rk ${args.join(' ')}: ${stderr}`)) : resolve(stdout)),
    ),
  );
const podNames = await resolvePodNames(core, NS);

const pods = async (name) =>
  (
    await core.listNamespacedPod({
      namespace: NS,
      labelSelector: `app.kubernetes.io/instance=${name},app.kubernetes.io/component=data`,
    })
  ).items;
const password = async (name) =>
  Buffer.from(
    (await core.readNamespacedSecret({ name: `${name}-auth`, namespace: NS })).data.password,
    'base64',
  ).toString();
const kubectlOk = async (...args) => {
  const r = await kubectl(cluster.kubeconfigPath, ...args);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.out}`);
  return r.out;
};

/** Writes through the sentinels while `change` runs and the pods roll; returns the writer's report. */
async function underWrites(name, change, rolled) {
  const pw = await password(name);
  const sentinels = [0, 1, 2].map((i) => ({
    host: `${name}-sentinel-${i}.${name}-sentinel-headless.${NS}.svc.cluster.local`,
    port: 26379,
  }));
  const writer = startWriter({
    target: { kind: 'sentinel', sentinels, masterName: `${NS}.${name}` },
    auth: { password: pw, sentinelPassword: pw },
    keyPrefix: `${name}-${Date.now()}`,
    waitReplicas: 1,
    waitTimeoutMs: 500,
    concurrency: 4,
    rateLimit: 1000,
    durationMs: 600_000,
  });
  await waitFor('acknowledged writes', 30_000, () => writer.stats().acknowledged >= 200);
  const before = new Map((await pods(name)).map((p) => [p.metadata.name, p.metadata.uid]));
  const t0 = Date.now();
  await change();
  await waitFor('every data pod on valkey and Ready', 300_000, async () => {
    const now = await pods(name);
    return (
      now.length === 3 &&
      now.every(
        (p) =>
          p.metadata.uid !== before.get(p.metadata.name) &&
          p.spec.containers[0].image.includes('valkey/valkey') &&
          p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
      ) &&
      (await rolled())
    );
  });
  const rolloutMs = Date.now() - t0;
  // Writes on after the roll: an outage still open at the end counts in full.
  await new Promise((r) => setTimeout(r, 3000));
  await writer.stop();
  const report = await writer.verify({ timeoutMs: 60_000 });
  return {
    rolloutMs,
    acknowledged: report.acknowledged,
    lost: report.lostCount,
    longestOutageMs: report.longestOutageMs,
  };
}

async function readyResource(name) {
  await waitFor(`${name} Ready`, 300_000, async () => {
    const out = (
      await kubectl(
        cluster.kubeconfigPath,
        'get',
        'rediskubernetes',
        name,
        '-n',
        NS,
        '-o',
        'jsonpath={.status.conditions[?(@.type=="Ready")].status}',
      )
    ).out;
    return out.trim() === 'True';
  });
}

const results = { operator: [], rolling_update: [] };
let operator = await startOperator(cluster.kubeconfigPath);
try {
  for (let i = 0; i < runs; i++) {
    // Ours: the operator rolls the change.
    const a = `op${i}`;
    const fileA = join(dir, `${a}.yaml`);
    writeFileSync(fileA, manifest(a, 'redis:7.0.15'));
    await kubectlOk('apply', '-f', fileA);
    await readyResource(a);
    const ours = await underWrites(
      a,
      async () => {
        writeFileSync(fileA, manifest(a, 'valkey/valkey:8.0.2'));
        await kubectlOk('apply', '-f', fileA);
      },
      async () => {
        const out = (
          await kubectl(cluster.kubeconfigPath, 'get', 'rediskubernetes', a, '-n', NS, '-o', 'jsonpath={.status.phase}')
        ).out;
        return out.trim() === 'Ready';
      },
    );
    log(`operator: ${JSON.stringify(ours)}`);
    results.operator.push(ours);
    await kubectlOk('delete', 'rediskubernetes', a, '-n', NS, '--wait=true', '--timeout=180s');

    // Baseline: no operator; the rendered objects, the data StatefulSet on RollingUpdate.
    await operator.stop();
    const b = `ru${i}`;
    const fileB = join(dir, `${b}.yaml`);
    writeFileSync(fileB, manifest(b, 'redis:7.0.15'));
    await rk('apply', '-f', fileB);
    const rollingUpdate = JSON.stringify({ spec: { updateStrategy: { type: 'RollingUpdate', rollingUpdate: null } } });
    await kubectlOk('patch', 'statefulset', b, '-n', NS, '--type=merge', '-p', rollingUpdate);
    const base = await underWrites(
      b,
      async () => {
        writeFileSync(fileB, manifest(b, 'valkey/valkey:8.0.2'));
        await rk('apply', '-f', fileB, '--no-wait', '--force-conflicts');
        await kubectlOk('patch', 'statefulset', b, '-n', NS, '--type=merge', '-p', rollingUpdate);
      },
      async () => true,
    );
    log(`rolling_update: ${JSON.stringify(base)}`);
    results.rolling_update.push(base);
    await rk('delete', '-f', fileB, '--purge');
    operator = await startOperator(cluster.kubeconfigPath);
  }
} finally {
  await operator.stop();
  await podNames.stop();
  await cluster.stop();
}

const worst = (xs, k) => Math.max(...xs.map((x) => x[k]));
console.log(
  JSON.stringify({
    bench: 'k8s-rollout',
    change: 'redis:7.0.15 -> valkey/valkey:8.0.2, SENTINEL 3 data + 3 sentinels, WAIT 1, 1000 writes/s',
    runs,
    operator: {
      ...results.operator[0],
      worstOutageMs: worst(results.operator, 'longestOutageMs'),
      lostTotal: results.operator.reduce((n, r) => n + r.lost, 0),
      all: results.operator,
    },
    rolling_update: {
      ...results.rolling_update[0],
      worstOutageMs: worst(results.rolling_update, 'longestOutageMs'),
      lostTotal: results.rolling_update.reduce((n, r) => n + r.lost, 0),
      all: results.rolling_update,
    },
  }),
);
process.exit(0);
