#!/usr/bin/env node
// The operator's footprint with many idle instances, on the e2e test cluster (real kube-apiserver
// and controller-manager, the node agent running pods as processes): `rk operator` (out of
// cluster) with INSTANCES (default 50) STANDALONE resources, all Ready and left alone. Measured
// from the operator's own /metrics over WINDOW_S (default 120) seconds once every instance has
// been Ready for SETTLE_S (default 30): resident memory (process_resident_memory_bytes, the
// highest sample), API requests per minute (rest_client_requests_total, watches included) and
// reconciles per minute. The baseline, same run: the same operator watching no instance, over
// the same window. Also: how long the INSTANCES took from creation to all Ready.
// Needs `npm run build` and the cached control plane (scripts/setup.sh --tests). One JSON line.
import { execFile } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const dist = (p) => `${root}dist/${p}`;
const { startTestCluster } = await import(dist('test/e2e/cluster.js'));
const { startOperator } = await import(dist('test/e2e/operatorProcess.js'));
const { waitFor } = await import(dist('test/agent/wait.js'));
const { installCrds } = await import(dist('test/support/controlPlane.js'));
const { customResourceDefinition } = await import(dist('src/api/crd.js'));
const { connect } = await import(dist('src/apply/session.js'));
const { CoreV1Api } = await import('@kubernetes/client-node');

const INSTANCES = Number(process.env.INSTANCES ?? 50);
const WINDOW_S = Number(process.env.WINDOW_S ?? 120);
const SETTLE_S = Number(process.env.SETTLE_S ?? 30);
const NS = 'footprint';
const log = (m) => process.stderr.write(`[k8s-footprint] ${m}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const cluster = await startTestCluster({ printTimings: false });
const core = cluster.kubeconfig.makeApiClient(CoreV1Api);
const s = connect({ kubeconfig: cluster.kubeconfigPath });
await installCrds(s, [customResourceDefinition()]);
await core.createNamespace({ body: { metadata: { name: NS } } });
const operator = await startOperator(cluster.kubeconfigPath);

async function scrape() {
  const text = await (await fetch(`http://127.0.0.1:${operator.healthPort}/metrics`)).text();
  const sum = (name) =>
    text
      .split('\n')
      .filter((l) => l.startsWith(name))
      .reduce((acc, l) => acc + Number(l.split(' ').pop()), 0);
  return {
    rss: sum('process_resident_memory_bytes'),
    requests: sum('rest_client_requests_total{'),
    reconciles: sum('controller_runtime_reconcile_total{'),
  };
}

/** Samples the operator for WINDOW_S: the highest RSS, requests and reconciles per minute. */
async function window() {
  const first = await scrape();
  let rss = first.rss;
  const t0 = Date.now();
  while (Date.now() - t0 < WINDOW_S * 1000) {
    await sleep(5000);
    rss = Math.max(rss, (await scrape()).rss);
  }
  const last = await scrape();
  const minutes = (Date.now() - t0) / 60_000;
  return {
    rss_mb: Math.round((rss / 2 ** 20) * 10) / 10,
    api_requests_per_min: Math.round(((last.requests - first.requests) / minutes) * 10) / 10,
    reconciles_per_min: Math.round(((last.reconciles - first.reconciles) / minutes) * 10) / 10,
  };
}

// Never a synchronous child process: the node agent runs the pods in this process's event loop.
const kubectlApply = (text) =>
  new Promise((resolve, reject) => {
    const p = execFile(
      `${root}test/control-plane/bin/kubectl`,
      ['apply', '--server-side', '-f', '-'],
      { env: { ...process.env, KUBECONFIG: cluster.kubeconfigPath }, maxBuffer: 1 << 24 },
      (err, stdout, stderr) => (err ? reject(new Error(`kubectl apply: ${stderr}`)) : resolve(stdout)),
    );
    p.stdin.end(text);
  });

try {
  await waitFor('the operator leading', 60_000, async () =>
    /leader_election_master_status\{[^}]*\} 1/.test(
      await (await fetch(`http://127.0.0.1:${operator.healthPort}/metrics`)).text(),
    ),
  );
  log(`baseline: the operator with no instance, ${WINDOW_S} s`);
  const baseline = await window();
  log(`baseline ${JSON.stringify(baseline)}`);

  const manifests = Array.from(
    { length: INSTANCES },
    (_, i) => `apiVersion: kubernetes.project-planton.org/v1
kind: RedisKubernetes
metadata:
  name: idle-${i}
  namespace: ${NS}
spec:
  namespace: ${NS}
  container:
    resources:
      limits:
        cpu: 100m
        memory: 64Mi
`,
  );
  const t0 = Date.now();
  await kubectlApply(manifests.join('---\n'));
  const crPath = `/apis/kubernetes.project-planton.org/v1/namespaces/${NS}/rediskubernetes`;
  await waitFor(`${INSTANCES} instances Ready`, 900_000, async () => {
    const list = await s.http.request('GET', crPath);
    const ready = list.items.filter((r) => r.status?.phase === 'Ready').length;
    // This waitFor (the test agent's) takes any value but undefined and false as done.
    return ready === INSTANCES || undefined;
  });
  const allReadyS = Math.round((Date.now() - t0) / 100) / 10;
  log(`${INSTANCES} instances Ready in ${allReadyS} s; settling ${SETTLE_S} s, then ${WINDOW_S} s measured`);
  await sleep(SETTLE_S * 1000);
  const idle = await window();
  log(`idle ${JSON.stringify(idle)}`);
  console.log(
    JSON.stringify({
      bench: 'k8s-footprint',
      instances: INSTANCES,
      window_s: WINDOW_S,
      all_ready_s: allReadyS,
      ...idle,
      per_instance_requests_per_min:
        Math.round(((idle.api_requests_per_min - baseline.api_requests_per_min) / INSTANCES) * 100) / 100,
      baseline: { instances: 0, ...baseline },
      targets: { rss_mb: 150 },
    }),
  );
} finally {
  await operator.stop();
  await cluster.stop();
}
