// End-to-end: the pod features the agent implements, one bounded test each,
// all through the real apiserver and controller-manager.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { BatchV1Api, CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { startTestCluster, type TestCluster } from '../e2e/cluster.js';
import { isPodReady, waitFor } from './wait.js';

const NS = 'pod-features';

describe('node agent: pod features', { timeout: 300_000 }, () => {
  let cluster: TestCluster;
  let core: CoreV1Api;

  const readyPod = (name: string, timeoutMs = 30_000) =>
    waitFor(`pod ${name} ready`, timeoutMs, async () => {
      const p = await core.readNamespacedPod({ name, namespace: NS });
      return p.status?.phase === 'Running' && isPodReady(p) ? p : undefined;
    });
  const sh = async (pod: string, script: string, container?: string) => {
    const r = await cluster.agent.exec(NS, pod, ['sh', '-c', script], { container });
    return { ...r, out: r.stdout.trim() };
  };

  before(async () => {
    cluster = await startTestCluster();
    core = cluster.kubeconfig.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: NS } } });
    await waitFor(
      'default serviceaccount',
      30_000,
      async () =>
        (await core.readNamespacedServiceAccount({ name: 'default', namespace: NS }).catch(() => undefined)) !==
        undefined,
    );
  });

  after(async () => {
    await cluster?.stop();
  });

  test(
    'init containers, env sources, volumes, subPath, read-only mounts, service account token',
    { timeout: 60_000 },
    async () => {
      await core.createNamespacedConfigMap({
        namespace: NS,
        body: { metadata: { name: 'cm' }, data: { k1: 'value-one', k2: 'value-two' } },
      });
      await core.createNamespacedSecret({
        namespace: NS,
        body: { metadata: { name: 'sec' }, stringData: { user: 'alice' } },
      });
      const pod: V1Pod = {
        metadata: { name: 'features', labels: { tier: 'x' } },
        spec: {
          initContainers: [
            {
              name: 'first',
              image: 'busybox',
              command: ['sh', '-c', 'echo first > /work/order'],
              volumeMounts: [{ name: 'work', mountPath: '/work' }],
            },
            {
              name: 'second',
              image: 'busybox',
              command: ['sh', '-c', 'echo second >> /work/order'],
              volumeMounts: [{ name: 'work', mountPath: '/work' }],
            },
          ],
          containers: [
            {
              name: 'main',
              image: 'busybox:1.36',
              command: ['sh', '-c', 'exec sleep 3600'],
              resources: { limits: { memory: '64Mi' } },
              env: [
                { name: 'A', value: 'a' },
                { name: 'B', value: '$(A)-b' },
                { name: 'CM_KEY', valueFrom: { configMapKeyRef: { name: 'cm', key: 'k1' } } },
                { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
                { name: 'MY_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
                { name: 'MEM_MI', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
              ],
              envFrom: [{ prefix: 'S_', secretRef: { name: 'sec' } }],
              volumeMounts: [
                { name: 'work', mountPath: '/work' },
                { name: 'cm', mountPath: '/etc/rk-cfg' },
                { name: 'cm', mountPath: '/etc/rk-one.txt', subPath: 'k1' },
                { name: 'info', mountPath: '/etc/rk-podinfo' },
              ],
            },
          ],
          volumes: [
            { name: 'work', emptyDir: {} },
            { name: 'cm', configMap: { name: 'cm', defaultMode: 0o600 } },
            {
              name: 'info',
              downwardAPI: {
                items: [
                  { path: 'name', fieldRef: { fieldPath: 'metadata.name' } },
                  { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
                ],
              },
            },
          ],
        },
      };
      await core.createNamespacedPod({ namespace: NS, body: pod });
      const p = await readyPod('features');
      assert.equal(
        p.status?.initContainerStatuses?.map((s) => s.state?.terminated?.reason).join(),
        'Completed,Completed',
      );

      assert.equal((await sh('features', 'cat /work/order')).out, 'first\nsecond');
      assert.equal(
        (await sh('features', 'echo "$A $B $CM_KEY $NODE $S_user $MEM_MI"')).out,
        `a a-b value-one ${cluster.agent.nodeName} alice 64`,
      );
      assert.equal((await sh('features', 'echo $MY_IP')).out, p.status.podIP);
      assert.equal((await sh('features', 'cat /etc/rk-cfg/k2; echo; cat /etc/rk-one.txt')).out, 'value-two\nvalue-one');
      assert.equal((await sh('features', 'stat -L -c %a /etc/rk-cfg/k1')).out, '600');
      assert.notEqual((await sh('features', 'touch /etc/rk-cfg/new')).exitCode, 0, 'configMap volumes are read-only');
      assert.equal(
        (await sh('features', 'cat /etc/rk-podinfo/name; echo; cat /etc/rk-podinfo/labels')).out,
        'features\ntier="x"',
      );
      const token = await sh('features', 'cat /var/run/secrets/kubernetes.io/serviceaccount/token | cut -d. -f1');
      assert.match(token.out, /^eyJ/, 'the auto-mounted service account token is a JWT');
      // Mount points exist only inside the container's mount namespace.
      assert.ok(!existsSync('/etc/rk-podinfo/name'));
    },
  );

  test(
    'liveness exec failure restarts the container; tcp and http probes drive readiness',
    { timeout: 60_000 },
    async () => {
      await core.createNamespacedPod({
        namespace: NS,
        body: {
          metadata: { name: 'probed' },
          spec: {
            containers: [
              {
                name: 'app',
                image: 'busybox',
                command: ['sh', '-c', 'touch /state/alive; exec sleep 3600'],
                volumeMounts: [{ name: 'state', mountPath: '/state' }],
                livenessProbe: {
                  exec: { command: ['test', '-f', '/state/alive'] },
                  periodSeconds: 1,
                  failureThreshold: 2,
                },
              },
              {
                // Not a mapped image, but its command is on this host: it runs.
                name: 'web',
                image: 'example.com/some/web:1',
                command: ['python3', '-m', 'http.server', '8080'],
                ports: [{ name: 'http', containerPort: 8080 }],
                readinessProbe: { httpGet: { path: '/', port: 'http' }, periodSeconds: 1 },
                startupProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1, failureThreshold: 30 },
              },
            ],
            volumes: [{ name: 'state', emptyDir: {} }],
          },
        },
      });
      const p = await readyPod('probed');
      const web = p.status!.containerStatuses!.find((c) => c.name === 'web')!;
      assert.equal(web.started, true);
      const res = await fetch(`http://${p.status!.podIP}:8080/`);
      assert.equal(res.status, 200);

      await sh('probed', 'rm /state/alive', 'app');
      const restarted = await waitFor('liveness restart', 30_000, async () => {
        const s = (await core.readNamespacedPod({ name: 'probed', namespace: NS })).status?.containerStatuses?.find(
          (c) => c.name === 'app',
        );
        return s && s.restartCount >= 1 && s.state?.running ? s : undefined;
      });
      assert.ok(restarted.lastState?.terminated, 'last state records the killed run');
    },
  );

  test('a Job runs to completion (restartPolicy Never, phase Succeeded)', { timeout: 60_000 }, async () => {
    const batch = cluster.kubeconfig.makeApiClient(BatchV1Api);
    await batch.createNamespacedJob({
      namespace: NS,
      body: {
        metadata: { name: 'once' },
        spec: {
          backoffLimit: 0,
          template: {
            spec: {
              restartPolicy: 'Never',
              containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'echo done'] }],
            },
          },
        },
      },
    });
    await waitFor('job complete', 45_000, async () => {
      const j = await batch.readNamespacedJob({ name: 'once', namespace: NS });
      return j.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True') || undefined;
    });
    const pods = (await core.listNamespacedPod({ namespace: NS, labelSelector: 'job-name=once' })).items;
    assert.equal(pods[0]?.status?.phase, 'Succeeded');
    assert.equal(pods[0]?.status?.containerStatuses?.[0]?.state?.terminated?.exitCode, 0);
  });

  test('a deleted claim releases its volume and its directory', { timeout: 60_000 }, async () => {
    await core.createNamespacedPersistentVolumeClaim({
      namespace: NS,
      body: {
        metadata: { name: 'scratch' },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
      },
    });
    const pvc = await waitFor('claim bound', 30_000, async () => {
      const c = await core.readNamespacedPersistentVolumeClaim({ name: 'scratch', namespace: NS });
      return c.status?.phase === 'Bound' ? c : undefined;
    });
    const pv = await core.readPersistentVolume({ name: pvc.spec!.volumeName! });
    const dir = pv.spec!.hostPath!.path;
    assert.ok(existsSync(dir));
    await core.deleteNamespacedPersistentVolumeClaim({ name: 'scratch', namespace: NS });
    await waitFor('volume reclaimed', 30_000, async () => {
      const gone = await core.readPersistentVolume({ name: pv.metadata!.name! }).then(
        () => false,
        () => true,
      );
      return (gone && !existsSync(dir)) || undefined;
    });
  });

  test('graceful deletion: SIGTERM, then SIGKILL after the grace period', { timeout: 60_000 }, async () => {
    await core.createNamespacedPod({
      namespace: NS,
      body: {
        metadata: { name: 'stubborn' },
        spec: {
          terminationGracePeriodSeconds: 2,
          containers: [
            {
              name: 'c',
              image: 'busybox',
              command: ['sh', '-c', 'trap "echo got-term" TERM; while true; do sleep 0.2; done'],
            },
          ],
        },
      },
    });
    const p = await readyPod('stubborn');
    const started = Date.now();
    await core.deleteNamespacedPod({ name: 'stubborn', namespace: NS });
    await waitFor('pod gone', 30_000, async () =>
      core.readNamespacedPod({ name: 'stubborn', namespace: NS }).then(
        () => undefined,
        () => true,
      ),
    );
    const took = Date.now() - started;
    assert.ok(took >= 1900 && took < 10_000, `killed after the 2s grace period (took ${took}ms)`);
    assert.match(cluster.agent.logs(NS, 'stubborn', 'c', p.metadata!.uid), /got-term/);
  });
});
