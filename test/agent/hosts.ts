// Name resolution for pods without a DNS server: each pod gets its own
// /etc/hosts (bind-mounted into its containers) listing what cluster DNS
// would answer:
//   - the pod's own hostname and FQDN;
//   - `<hostname>.<subdomain>.<ns>.svc.cluster.local` of every pod whose
//     subdomain names a headless Service in its namespace (ready pods only,
//     unless the Service publishes not-ready addresses), like CoreDNS;
//   - Services: ClusterIP Services resolve to their ClusterIP (routed by the
//     agent's service proxy), headless ones to their ready pods' IPs.
// glibc does not apply resolv.conf search domains to /etc/hosts, so the
// short forms a search path would make work (`svc`, `svc.ns`, `svc.ns.svc`,
// `pod.subdomain`...) are listed literally.
//
// Files are rewritten in place (same inode) because a bind-mounted file pins
// the inode it was mounted from: a rename would go unnoticed by containers.
import { readFileSync, writeFileSync } from 'node:fs';
import type { V1Pod, V1Service } from '@kubernetes/client-node';
import { matchesSelector } from './kube.js';

export const CLUSTER_DOMAIN = 'cluster.local';

export function podHostname(pod: V1Pod): string {
  return (pod.spec?.hostname || pod.metadata!.name!).slice(0, 63);
}

export function podFqdn(pod: V1Pod): string | undefined {
  const sub = pod.spec?.subdomain;
  return sub ? `${podHostname(pod)}.${sub}.${pod.metadata!.namespace}.svc.${CLUSTER_DOMAIN}` : undefined;
}

const isReady = (p: V1Pod) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

/** Names a client in namespace `fromNs` can use for `<name>.<ns>.svc.cluster.local`. */
function aliases(name: string, ns: string, fromNs: string): string[] {
  const out = [`${name}.${ns}.svc.${CLUSTER_DOMAIN}`, `${name}.${ns}.svc`, `${name}.${ns}`];
  if (ns === fromNs) out.push(name);
  return out;
}

export function renderHosts(self: V1Pod, selfIP: string, pods: V1Pod[], services: V1Service[]): string {
  const ns = self.metadata!.namespace!;
  const lines = [
    '# Kubernetes-managed hosts file (redis-kubernetes test agent).',
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
  ];
  const fqdn = podFqdn(self);
  lines.push(`${selfIP}\t${[fqdn, podHostname(self)].filter(Boolean).join('\t')}`);

  const headless = new Map<string, V1Service>();
  for (const s of services)
    if (s.spec?.clusterIP === 'None') headless.set(`${s.metadata!.namespace}/${s.metadata!.name}`, s);

  for (const p of pods) {
    const ip = p.status?.podIP;
    const sub = p.spec?.subdomain;
    if (!ip || !sub || p.metadata?.uid === self.metadata?.uid || p.metadata?.deletionTimestamp) continue;
    const pns = p.metadata!.namespace!;
    const svc = headless.get(`${pns}/${sub}`);
    if (!svc || !(isReady(p) || svc.spec?.publishNotReadyAddresses)) continue;
    lines.push(`${ip}\t${aliases(`${podHostname(p)}.${sub}`, pns, ns).join(' ')}`);
  }

  for (const s of services) {
    const sns = s.metadata!.namespace!;
    const names = aliases(s.metadata!.name!, sns, ns).join(' ');
    if (s.spec?.clusterIP && s.spec.clusterIP !== 'None') {
      lines.push(`${s.spec.clusterIP}\t${names}`);
    } else if (s.spec?.clusterIP === 'None' && s.spec.selector) {
      for (const p of pods) {
        if (p.metadata!.namespace !== sns || !p.status?.podIP || p.metadata?.deletionTimestamp) continue;
        if (!matchesSelector(p.metadata?.labels, { matchLabels: s.spec.selector })) continue;
        if (isReady(p) || s.spec.publishNotReadyAddresses) lines.push(`${p.status.podIP}\t${names}`);
      }
    }
  }
  return lines.join('\n') + '\n';
}

export function renderResolvConf(pod: V1Pod): string {
  const ns = pod.metadata!.namespace!;
  // No DNS server runs: every name a pod may use is in its /etc/hosts. The
  // nameserver is a loopback address nothing listens on, so a lookup of an
  // unknown name fails at once and never leaves the machine.
  return `search ${ns}.svc.${CLUSTER_DOMAIN} svc.${CLUSTER_DOMAIN} ${CLUSTER_DOMAIN}\nnameserver 127.254.254.254\noptions ndots:5 timeout:1 attempts:1\n`;
}

/** Writes `content` into `path` in place (keeping the inode) if it differs. */
export function writeInPlace(path: string, content: string): boolean {
  let old: string | undefined;
  try {
    old = readFileSync(path, 'utf8');
  } catch {
    old = undefined;
  }
  if (old === content) return false;
  writeFileSync(path, content); // O_TRUNC on the existing file: same inode
  return true;
}
