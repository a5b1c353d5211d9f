// A userspace kube-proxy: the apiserver allocates ClusterIPs from a loopback
// range (see test/control-plane), and this proxy listens on each
// <ClusterIP>:<port> and forwards every TCP connection to a ready endpoint of
// the Service, taken from the EndpointSlices the controller-manager maintains.
// So Service names (resolved through /etc/hosts) and ClusterIPs work from pods
// and from the test process alike. TCP only; no session affinity; NodePort
// and LoadBalancer Services get their ClusterIP behaviour only.
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { V1EndpointSlice, V1Service } from '@kubernetes/client-node';

interface Listener {
  server: Server;
  namespace: string;
  service: string;
  portName: string;
  rr: number;
}

export class ServiceProxy {
  private readonly listeners = new Map<string, Listener>();
  private readonly sockets = new Set<Socket>();
  private slices: V1EndpointSlice[] = [];

  constructor(private readonly log: (m: string) => void) {}

  /** Reconciles listeners with the current Services and EndpointSlices. */
  sync(services: V1Service[], slices: V1EndpointSlice[]): void {
    this.slices = slices;
    const wanted = new Map<string, { ns: string; name: string; portName: string; ip: string; port: number }>();
    for (const s of services) {
      const ip = s.spec?.clusterIP;
      if (!ip || ip === 'None' || !ip.startsWith('127.')) continue;
      for (const p of s.spec?.ports ?? []) {
        if ((p.protocol ?? 'TCP') !== 'TCP') continue;
        wanted.set(`${ip}:${p.port}`, {
          ns: s.metadata!.namespace!,
          name: s.metadata!.name!,
          portName: p.name ?? '',
          ip,
          port: p.port,
        });
      }
    }
    for (const [key, l] of this.listeners) {
      if (!wanted.has(key)) {
        l.server.close();
        this.listeners.delete(key);
      }
    }
    for (const [key, w] of wanted) {
      const existing = this.listeners.get(key);
      if (existing) {
        Object.assign(existing, { namespace: w.ns, service: w.name, portName: w.portName });
        continue;
      }
      const l: Listener = {
        server: createServer((c) => this.forward(l, c)),
        namespace: w.ns,
        service: w.name,
        portName: w.portName,
        rr: 0,
      };
      l.server.on('error', (e) => this.log(`service proxy ${w.ns}/${w.name} ${key}: ${e.message}`));
      l.server.listen(w.port, w.ip);
      this.listeners.set(key, l);
    }
  }

  /** Ready backends for a Service port, from its EndpointSlices. */
  backends(namespace: string, service: string, portName: string): { ip: string; port: number }[] {
    const out: { ip: string; port: number }[] = [];
    for (const sl of this.slices) {
      if (sl.metadata?.namespace !== namespace || sl.metadata?.labels?.['kubernetes.io/service-name'] !== service)
        continue;
      const port = sl.ports?.find((p) => (p.name ?? '') === portName)?.port;
      if (port === undefined) continue;
      for (const ep of sl.endpoints ?? []) {
        if (ep.conditions?.ready === false) continue;
        for (const ip of ep.addresses) out.push({ ip, port });
      }
    }
    return out;
  }

  private forward(l: Listener, client: Socket): void {
    const backends = this.backends(l.namespace, l.service, l.portName);
    if (backends.length === 0) {
      client.destroy(); // like kube-proxy's REJECT for a Service without endpoints
      return;
    }
    const b = backends[l.rr++ % backends.length]!;
    const upstream = connect({ host: b.ip, port: b.port });
    this.sockets.add(client);
    this.sockets.add(upstream);
    const close = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
    client.pipe(upstream);
    upstream.pipe(client);
  }

  stop(): void {
    for (const l of this.listeners.values()) l.server.close();
    this.listeners.clear();
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }
}
