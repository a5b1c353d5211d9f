// What "working" means for each mode once an example is Ready, checked against the real servers
// in the pods. There is no operator: whatever is checked here is the work of the rendered
// objects and start scripts alone.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import type { CoreV1Api } from '@kubernetes/client-node';
import type { Instance } from '../../src/api/instance.js';
import { waitFor } from '../agent/wait.js';
import { recreatePod, type Access, type PodTarget } from './instancePods.js';
import { info, valkeyCli } from './valkeyCli.js';

const log = (m: string) => process.stderr.write(`[examples e2e] ${m}\n`);

/** STANDALONE with persistence: a key written before the pod is deleted is there after the StatefulSet recreates it. */
export async function standaloneDataSurvivesPodDeletion(
  core: CoreV1Api,
  inst: Instance,
  pod: PodTarget,
  access: Access,
): Promise<void> {
  const value = `v-${Date.now()}`;
  assert.equal(await valkeyCli(pod, 'set', 'e2e:survives', value), 'OK');
  const t0 = Date.now();
  const again = await recreatePod(core, inst, pod, access);
  log(`${inst.name}: ${pod.name} deleted and back Ready in ${Date.now() - t0}ms (new IP ${again.ip})`);
  assert.notEqual(again.ip, pod.ip, 'a recreated pod gets a new IP');
  assert.equal(await valkeyCli(again, 'get', 'e2e:survives'), value, 'the key survived the pod');
}

interface GroupView {
  master: PodTarget;
  replicas: PodTarget[];
}

const podOfHost = (host: string, pods: PodTarget[]) => pods.find((p) => host === p.ip || host.startsWith(`${p.name}.`));

/** One master, every other data pod its connected replica, every sentinel naming it and seeing all peers and replicas. */
export async function sentinelGroupHealthy(
  inst: Instance,
  data: PodTarget[],
  sentinels: PodTarget[],
  timeoutMs = 60_000,
): Promise<GroupView> {
  const masterName = inst.sentinel!.masterName;
  return waitFor(
    `a healthy sentinel group for ${inst.name}`,
    timeoutMs,
    async () => {
      const roles = await Promise.all(data.map(async (p) => ({ p, r: await info(p, 'replication') })));
      const masters = roles.filter((x) => x.r.role === 'master');
      assert.equal(masters.length, 1, `exactly one master: ${roles.map((x) => `${x.p.name}=${x.r.role}`).join(' ')}`);
      const master = masters[0]!.p;
      const replicas = roles.filter((x) => x.p !== master);
      for (const { p, r } of replicas) {
        assert.equal(r.master_link_status, 'up', `${p.name} linked to its master`);
        assert.equal(
          podOfHost(r.master_host ?? '', data),
          master,
          `${p.name} replicates ${master.name}, not ${r.master_host}`,
        );
      }
      assert.equal(
        Number(masters[0]!.r.connected_slaves),
        data.length - 1,
        `${master.name} has every replica connected`,
      );
      for (const s of sentinels) {
        const addr =
          (await valkeyCli(s, '--raw', 'sentinel', 'get-master-addr-by-name', masterName)).split('\n')[0] ?? '';
        assert.equal(podOfHost(addr, data), master, `${s.name} names ${master.name} as master, not ${addr}`);
        const m = (await valkeyCli(s, '--raw', 'sentinel', 'master', masterName)).split('\n');
        const field = (k: string) => m[m.indexOf(k) + 1];
        assert.equal(Number(field('num-other-sentinels')), sentinels.length - 1, `${s.name} knows the other sentinels`);
        assert.equal(Number(field('num-slaves')), data.length - 1, `${s.name} knows every replica`);
      }
      return { master, replicas: replicas.map((x) => x.p) };
    },
    500,
  );
}

/**
 * A failover moves the master away from `view.master`; then that pod is deleted. Its start
 * script must ask the sentinels and come back as a replica of the new master, not as a second
 * master because of its ordinal.
 */
export async function sentinelPodRejoinsAfterFailover(
  core: CoreV1Api,
  inst: Instance,
  view: GroupView,
  data: PodTarget[],
  sentinels: PodTarget[],
  access: Access,
): Promise<void> {
  const masterName = inst.sentinel!.masterName;
  const old = view.master;
  const t0 = Date.now();
  const named = async (s: PodTarget) =>
    podOfHost(
      (await valkeyCli(s, '--raw', 'sentinel', 'get-master-addr-by-name', masterName)).split('\n')[0] ?? '',
      data,
    );
  // A sentinel refuses (NOGOODSLAVE) until it has seen the replicas in the master's INFO, and on a
  // loaded machine the reply may not come within valkey-cli's time: ask again until accepted, but
  // never twice for one failover (the sentinel naming another master means it was accepted).
  await waitFor(
    'SENTINEL FAILOVER accepted',
    30_000,
    async () => {
      const now = await named(sentinels[0]!);
      if (now && now !== old) return true;
      const reply = await valkeyCli(sentinels[0]!, 'sentinel', 'failover', masterName);
      if (reply === 'OK' || /INPROG/.test(reply)) return true;
      throw new Error(`the sentinel replied ${JSON.stringify(reply)}`); // kept for the timeout message
    },
    500,
  );
  const promoted = await waitFor(
    'every sentinel to name a new master',
    60_000,
    async () => {
      const all = await Promise.all(sentinels.map(named));
      const first = all[0];
      if (!first || first === old || !all.every((n) => n === first)) return undefined;
      return (await info(first, 'replication')).role === 'master' ? first : undefined;
    },
    500,
  );
  log(`${inst.name}: failover ${old.name} -> ${promoted.name} in ${Date.now() - t0}ms`);

  const back = await recreatePod(core, inst, old, access);
  const r = await info(back, 'replication');
  assert.equal(r.role, 'slave', `${old.name} came back as a replica`);
  assert.equal(
    podOfHost(r.master_host ?? '', data),
    promoted,
    `${old.name} replicates the current master ${promoted.name}, not ${r.master_host}`,
  );
  const now = data.map((p) => (p.name === back.name ? back : p));
  const healthy = await sentinelGroupHealthy(inst, now, sentinels);
  assert.equal(healthy.master.name, promoted.name);
}

function tcpReachable(ip: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host: ip, port, timeout: 2000 });
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
    sock.once('timeout', () => {
      sock.destroy();
      resolve(false);
    });
  });
}

/** CLUSTER: every pod serves its data port and its bus port, and the nodes can meet each other over the bus. */
export async function clusterPodsReachable(data: PodTarget[], busPort: number): Promise<void> {
  for (const p of data) {
    assert.equal(await valkeyCli(p, 'ping'), 'PONG', `${p.name} data port`);
    assert.ok(await tcpReachable(p.ip, busPort), `${p.name} bus port ${busPort}`);
    assert.equal((await info(p, 'cluster')).cluster_enabled, '1');
  }
  // No operator forms the cluster here; MEET proves pod-to-pod bus traffic works both ways.
  const [first, ...rest] = data;
  for (const p of rest)
    assert.equal(await valkeyCli(first!, 'cluster', 'meet', p.ip, String(p.port), String(busPort)), 'OK');
  await waitFor(
    'every node to know every other over the bus',
    30_000,
    async () => {
      for (const p of data) {
        const known = (await valkeyCli(p, 'cluster', 'info')).match(/cluster_known_nodes:(\d+)/)?.[1];
        if (Number(known) !== data.length) return undefined;
      }
      return true;
    },
    500,
  );
}
