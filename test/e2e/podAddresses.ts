// How a client outside the cluster reaches an instance's pods by the DNS names they announce,
// as a client inside would: the names follow pods recreated on new IPs. Data pods are reached at
// their current IP (the checker's address map, asked on every connect); each sentinel gets a
// stable loopback port forwarding to its pod's current IP, since a client keeps its sentinel list
// for its whole life (iovalkey copies it) and would otherwise hold only IPs of deleted pods.
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { CoreV1Api } from '@kubernetes/client-node';
import type { Instance } from '../../src/api/instance.js';
import { LABEL, names, podFqdn, PORTS } from '../../src/render/names.js';
import { sentinelMembers } from '../../src/engine/topology.js';

interface Endpoint {
  host: string;
  port: number;
}

export interface PodAddresses {
  /** For the checker's target: where an announced "host:port" is reached now. */
  addressMap: (hostPort: string) => Endpoint | undefined;
  /** One stable endpoint per sentinel pod (a forwarding port). */
  sentinels: Endpoint[];
  stop(): Promise<void>;
}

export async function followPods(core: CoreV1Api, inst: Instance): Promise<PodAddresses> {
  const n = names(inst);
  const ipOf = new Map<string, string>(); // pod name → current IP
  const refresh = async () => {
    const pods = await core.listNamespacedPod({
      namespace: inst.namespace,
      labelSelector: `${LABEL.instance}=${inst.name}`,
    });
    for (const p of pods.items) {
      if (p.status?.podIP && !p.metadata?.deletionTimestamp) ipOf.set(p.metadata!.name!, p.status.podIP);
    }
  };
  await refresh();
  let following = true;
  const loop = (async () => {
    while (following) {
      await refresh().catch(() => undefined);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();

  const sockets = new Set<Socket>();
  const forwarders: Server[] = [];
  const sentinels: Endpoint[] = [];
  const forwarderOf = new Map<string, Endpoint>(); // "fqdn:port" → loopback forwarder
  for (const m of sentinelMembers(inst)) {
    const server = createServer((client) => {
      const ip = ipOf.get(m.name);
      if (!ip) return client.destroy();
      const upstream = connect(PORTS.sentinel, ip);
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    forwarders.push(server);
    const at = { host: '127.0.0.1', port: (server.address() as { port: number }).port };
    sentinels.push(at);
    forwarderOf.set(`${podFqdn(inst, m.name, n.sentinelHeadless)}:${PORTS.sentinel}`, at);
  }

  return {
    addressMap: (key) => {
      const f = forwarderOf.get(key);
      if (f) return f;
      // <pod>.<data headless>.<namespace>.svc.cluster.local:6379, for any pod the instance has now.
      const [host, port] = key.split(':');
      const pod = host?.endsWith(`.${n.dataHeadless}.${inst.namespace}.svc.cluster.local`) ? host.split('.')[0]! : '';
      const ip = ipOf.get(pod);
      return ip && Number(port) === PORTS.data ? { host: ip, port: PORTS.data } : undefined;
    },
    sentinels,
    async stop() {
      following = false;
      await loop;
      for (const s of sockets) s.destroy();
      await Promise.all(forwarders.map((f) => new Promise((r) => f.close(r))));
    },
  };
}
