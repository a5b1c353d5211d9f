// Cluster DNS for pod names, inside the test process: `<pod>.<service>.<namespace>.svc.cluster.local`
// resolves to the pod's current IP, as it does for a client inside the cluster. The servers
// announce these names (replicas, sentinels, CLUSTER SLOTS, MOVED), so a client outside must
// resolve them too, and follow pods recreated on new IPs. Only names under svc.cluster.local are
// answered here; every other name goes to the system resolver. Pod IPs are the test cluster's
// own loopback-range addresses: no packet leaves the machine.
import dns from 'node:dns';
import type { CoreV1Api } from '@kubernetes/client-node';

const SUFFIX = '.svc.cluster.local';

type LookupCallback = (err: NodeJS.ErrnoException | null, address?: unknown, family?: number) => void;

export interface PodNames {
  stop(): Promise<void>;
}

/** Answers pod names of `namespace` from the API (refreshed every 100 ms) until stop(). */
export async function resolvePodNames(core: CoreV1Api, namespace: string): Promise<PodNames> {
  const ipOf = new Map<string, string>(); // pod name → current IP
  const refresh = async () => {
    const pods = await core.listNamespacedPod({ namespace });
    ipOf.clear();
    for (const p of pods.items)
      if (p.status?.podIP && !p.metadata?.deletionTimestamp) ipOf.set(p.metadata!.name!, p.status.podIP);
  };
  await refresh();
  let running = true;
  const loop = (async () => {
    while (running) {
      await refresh().catch(() => undefined);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();

  const system = dns.lookup;
  const lookup = (host: string, options: unknown, callback?: LookupCallback) => {
    const cb = (typeof options === 'function' ? options : callback) as LookupCallback;
    const opts = (typeof options === 'object' && options ? options : {}) as { all?: boolean };
    const [pod, , ns] = host.split('.');
    if (!host.endsWith(SUFFIX) || ns !== namespace)
      return (system as (...a: unknown[]) => void)(host, options, callback);
    const ip = ipOf.get(pod ?? '');
    if (!ip) {
      const err = Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND', hostname: host });
      return process.nextTick(() => cb(err));
    }
    process.nextTick(() => (opts.all ? cb(null, [{ address: ip, family: 4 }]) : cb(null, ip, 4)));
  };
  // net.connect looks dns.lookup up on every connection: replacing it reaches every client.
  (dns as { lookup: unknown }).lookup = lookup;
  return {
    async stop() {
      (dns as { lookup: unknown }).lookup = system;
      running = false;
      await loop;
    },
  };
}
