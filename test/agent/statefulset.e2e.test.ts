// End-to-end: a Valkey StatefulSet on the real control plane + node agent.
// ConfigMap-mounted config, password from a Secret, data on a PVC, pods on
// distinct loopback IPs; then the field failures the agent emulates.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AppsV1Api, CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { startTestCluster, type TestCluster } from '../e2e/cluster.js';
import { isPodReady, waitFor, waitForReadyPods } from './wait.js';
import { valkeyCli } from '../e2e/valkeyCli.js';

const NS = 'agent-e2e';
const PW = 's3cret-pw';
const SELECTOR = 'app=valkey';

/** valkey-cli from the test process (host side) against a pod IP. */
const cli = (ip: string, ...args: string[]) => valkeyCli({ ip, port: 6379, password: PW }, ...args);

describe('node agent: valkey StatefulSet', { timeout: 300_000 }, () => {
  let cluster: TestCluster;
  let core: CoreV1Api;
  let apps: AppsV1Api;
  const seenIPs = new Set<string>();
  const record = (pods: V1Pod[]) => pods.forEach((p) => seenIPs.add(p.status!.podIP!));

  before(async () => {
    cluster = await startTestCluster();
    core = cluster.kubeconfig.makeApiClient(CoreV1Api);
    apps = cluster.kubeconfig.makeApiClient(AppsV1Api);
    await core.createNamespace({ body: { metadata: { name: NS } } });
    await waitFor(
      'default serviceaccount in test namespace',
      30_000,
      async () =>
        (await core.readNamespacedServiceAccount({ name: 'default', namespace: NS }).catch(() => undefined)) !==
        undefined,
    );
    await core.createNamespacedSecret({
      namespace: NS,
      body: { metadata: { name: 'valkey-auth' }, stringData: { password: PW } },
    });
    await core.createNamespacedConfigMap({
      namespace: NS,
      body: {
        metadata: { name: 'valkey-config' },
        data: { 'valkey.conf': 'port 6379\nbind * -::*\ndir /data\nappendonly yes\nappendfsync always\n' },
      },
    });
    await core.createNamespacedService({
      namespace: NS,
      body: {
        metadata: { name: 'valkey-headless' },
        spec: {
          clusterIP: 'None',
          publishNotReadyAddresses: true,
          selector: { app: 'valkey' },
          ports: [{ name: 'valkey', port: 6379 }],
        },
      },
    });
    await core.createNamespacedService({
      namespace: NS,
      body: {
        metadata: { name: 'valkey' },
        spec: { selector: { app: 'valkey' }, ports: [{ name: 'valkey', port: 6379, targetPort: 6379 }] },
      },
    });
    await apps.createNamespacedStatefulSet({
      namespace: NS,
      body: {
        metadata: { name: 'valkey' },
        spec: {
          serviceName: 'valkey-headless',
          replicas: 2,
          podManagementPolicy: 'Parallel',
          selector: { matchLabels: { app: 'valkey' } },
          template: {
            metadata: { labels: { app: 'valkey' } },
            spec: {
              terminationGracePeriodSeconds: 10,
              containers: [
                {
                  name: 'valkey',
                  image: 'valkey/valkey:8.0',
                  command: ['sh', '-c', 'exec valkey-server /etc/valkey/valkey.conf --requirepass "$PW"'],
                  env: [
                    { name: 'PW', valueFrom: { secretKeyRef: { name: 'valkey-auth', key: 'password' } } },
                    { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
                  ],
                  ports: [{ name: 'valkey', containerPort: 6379 }],
                  readinessProbe: {
                    exec: { command: ['sh', '-c', 'valkey-cli -a "$PW" --no-auth-warning ping | grep -q PONG'] },
                    periodSeconds: 1,
                    timeoutSeconds: 3,
                  },
                  livenessProbe: { tcpSocket: { port: 'valkey' }, periodSeconds: 2, failureThreshold: 3 },
                  volumeMounts: [
                    { name: 'config', mountPath: '/etc/valkey', readOnly: true },
                    { name: 'data', mountPath: '/data' },
                  ],
                },
                // No local stand-in: reported Waiting/ImageNotMapped, counted ready.
                { name: 'exporter', image: 'oliver006/redis_exporter:v1.62.0' },
              ],
              volumes: [{ name: 'config', configMap: { name: 'valkey-config' } }],
            },
          },
          volumeClaimTemplates: [
            {
              metadata: { name: 'data' },
              spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
            },
          ],
        },
      },
    });
  });

  after(async () => {
    await cluster?.stop();
  });

  test('pods become Running and Ready on distinct IPs, each serving with auth', { timeout: 90_000 }, async () => {
    const pods = await waitForReadyPods(core, NS, SELECTOR, 2, 80_000);
    record(pods);
    const ips = pods.map((p) => p.status!.podIP!);
    assert.equal(new Set(ips).size, 2, `distinct pod IPs: ${ips.join(', ')}`);
    for (const ip of ips) {
      assert.match(ip, /^127\./);
      assert.equal(await cli(ip, 'ping'), 'PONG');
      assert.equal(await cli(ip, 'config', 'get', 'dir'), 'dir\n/data');
    }
    const exporter = pods[0]!.status!.containerStatuses!.find((c) => c.name === 'exporter')!;
    assert.equal(exporter.state?.waiting?.reason, 'ImageNotMapped');
    const claims = (await core.listNamespacedPersistentVolumeClaim({ namespace: NS })).items;
    assert.deepEqual(claims.map((c) => [c.metadata!.name, c.status!.phase]).sort(), [
      ['data-valkey-0', 'Bound'],
      ['data-valkey-1', 'Bound'],
    ]);
  });

  test('pod names and Services resolve inside pods', { timeout: 60_000 }, async () => {
    const peer = await cluster.agent.exec(NS, 'valkey-0', [
      'sh',
      '-c',
      'valkey-cli -h valkey-1.valkey-headless -a "$PW" --no-auth-warning ping',
    ]);
    assert.equal(peer.stdout.trim(), 'PONG', peer.stderr);
    const fqdn = await cluster.agent.exec(NS, 'valkey-1', [
      'sh',
      '-c',
      `valkey-cli -h valkey-0.valkey-headless.${NS}.svc.cluster.local -a "$PW" --no-auth-warning ping`,
    ]);
    assert.equal(fqdn.stdout.trim(), 'PONG', fqdn.stderr);
    // ClusterIP Service, through the agent's proxy.
    const svc = await cluster.agent.exec(NS, 'valkey-0', [
      'sh',
      '-c',
      'valkey-cli -h valkey -a "$PW" --no-auth-warning ping',
    ]);
    assert.equal(svc.stdout.trim(), 'PONG', svc.stderr);
    const host = await cluster.agent.exec(NS, 'valkey-1', ['hostname']);
    assert.equal(host.stdout.trim(), 'valkey-1');
    // The mounted config is the pod's ConfigMap, not the host's /etc/valkey.
    const conf = await cluster.agent.exec(NS, 'valkey-0', ['cat', '/etc/valkey/valkey.conf']);
    assert.match(conf.stdout, /appendonly yes/);
  });

  test('deleted pod-0 comes back with a new IP and its data', { timeout: 90_000 }, async () => {
    const ip0 = (await core.readNamespacedPod({ name: 'valkey-0', namespace: NS })).status!.podIP!;
    assert.equal(await cli(ip0, 'set', 'survivor', 'yes'), 'OK');
    const oldUid = (await core.readNamespacedPod({ name: 'valkey-0', namespace: NS })).metadata!.uid!;
    await core.deleteNamespacedPod({ name: 'valkey-0', namespace: NS });
    const pods = await waitFor('valkey-0 recreated and ready', 60_000, async () => {
      const p = await core.readNamespacedPod({ name: 'valkey-0', namespace: NS }).catch(() => undefined);
      return p && p.metadata!.uid !== oldUid && p.status?.phase === 'Running' && isPodReady(p) ? p : undefined;
    });
    const ip = pods.status!.podIP!;
    assert.ok(!seenIPs.has(ip), `new IP ${ip} must not reuse an earlier pod IP`);
    seenIPs.add(ip);
    assert.equal(await cli(ip, 'get', 'survivor'), 'yes');
    // Graceful deletion: the old container got SIGTERM and shut down cleanly.
    const oldLog = cluster.agent.logs(NS, 'valkey-0', 'valkey', oldUid);
    assert.match(oldLog, /Received SIGTERM/);
    assert.match(oldLog, /ready to exit, bye bye/);
  });

  test('crashPod kills the server; it restarts with restartCount+1', { timeout: 60_000 }, async () => {
    const previous = (
      await core.readNamespacedPod({ name: 'valkey-1', namespace: NS })
    ).status!.containerStatuses!.find((c) => c.name === 'valkey')!;
    cluster.agent.crashPod(NS, 'valkey-1');
    const restarted = await waitFor('valkey-1 restarted and ready', 45_000, async () => {
      const p = await core.readNamespacedPod({ name: 'valkey-1', namespace: NS });
      const s = p.status?.containerStatuses?.find((c) => c.name === 'valkey');
      return s && s.restartCount === previous.restartCount + 1 && s.ready && isPodReady(p) ? s : undefined;
    });
    assert.equal(restarted.lastState?.terminated?.exitCode, 137);
    const ip = (await core.readNamespacedPod({ name: 'valkey-1', namespace: NS })).status!.podIP!;
    assert.equal(await cli(ip, 'ping'), 'PONG');
  });

  test('pausePod freezes the server and resumePod thaws it', { timeout: 30_000 }, async () => {
    const ip = (await core.readNamespacedPod({ name: 'valkey-1', namespace: NS })).status!.podIP!;
    cluster.agent.pausePod(NS, 'valkey-1');
    try {
      assert.equal(await cli(ip, 'ping'), '', 'a paused server does not answer');
    } finally {
      cluster.agent.resumePod(NS, 'valkey-1');
    }
    // A thawed server first works off what queued up while it was stopped (probe connections,
    // its cron): a ping sent in that instant has been seen to come back empty, so ask until it answers.
    await waitFor('the thawed server to answer', 5000, async () => (await cli(ip, 'ping')) === 'PONG' || undefined);
  });

  test('deleteAllPods: every pod is recreated with a never-used IP', { timeout: 90_000 }, async () => {
    const deleted = await cluster.agent.deleteAllPods(NS, SELECTOR);
    assert.deepEqual(deleted.sort(), ['valkey-0', 'valkey-1']);
    await waitFor('old pods gone', 30_000, async () => {
      const pods = (await core.listNamespacedPod({ namespace: NS, labelSelector: SELECTOR })).items;
      return pods.every((p) => !seenIPs.has(p.status?.podIP ?? '')) || undefined;
    });
    const pods = await waitForReadyPods(core, NS, SELECTOR, 2, 60_000);
    for (const p of pods) assert.ok(!seenIPs.has(p.status!.podIP!), `${p.metadata!.name} reused ${p.status!.podIP}`);
    record(pods);
    assert.equal(await cli(pods[0]!.status!.podIP!, 'get', 'survivor'), 'yes');
  });
});
