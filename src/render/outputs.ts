// Project Planton's RedisKubernetes stack outputs (namespace, service, port-forward command,
// in-cluster endpoint, external hostname, username, password Secret), derived from the instance
// alone: the operator writes them to status.outputs and `rk apply -o json` prints them, so the
// next layer of someone's infrastructure reads the same values either way. Per mode they add
// what a client of that mode needs: the sentinels and master name, or the cluster's seeds.
// Never the password itself: only where it is kept.
import type { Instance } from '../api/instance.js';
import { dataPodHosts, names, PORTS, sentinelPodHosts, serviceFqdn } from './names.js';

export interface StackOutputs {
  namespace: string;
  /** The Service a plain (non-Sentinel, non-cluster-aware) client connects to. */
  service: string;
  /** Local port 6379 to the Service's 6379 (Planton's own output says 8080:8080, which nothing serves). */
  portForwardCommand: string;
  /** host:port of `service` inside the cluster. */
  kubeEndpoint: string;
  /** The LoadBalancer's external-dns name, when ingress is enabled. */
  externalHostname?: string;
  /** The ACL user clients authenticate as. */
  username: string;
  /** Where the password is; absent when auth is disabled. */
  passwordSecret?: { name: string; key: string };
  tls: boolean;
  sentinel?: {
    /** The name Sentinel clients ask for (SENTINEL get-master-addr-by-name). */
    masterName: string;
    /** The sentinels' Service, host:port. */
    endpoint: string;
    /** Each sentinel, host:port: clients that take a list survive any one of them being down. */
    endpoints: string[];
  };
  /** CLUSTER: every node, host:port; a cluster-aware client needs any one to discover the rest. */
  clusterSeedEndpoints?: string[];
}

const at = (host: string, port: number) => `${host}:${port}`;

export function stackOutputs(inst: Instance): StackOutputs {
  const n = names(inst);
  // SENTINEL has no plain client Service: the master Service follows the role label instead.
  const service = inst.sentinel ? n.master : n.client;
  const out: StackOutputs = {
    namespace: inst.namespace,
    service,
    portForwardCommand: `kubectl port-forward -n ${inst.namespace} service/${service} ${PORTS.data}:${PORTS.data}`,
    kubeEndpoint: at(serviceFqdn(inst, service), PORTS.data),
    ...(inst.ingress.enabled && inst.ingress.hostname ? { externalHostname: inst.ingress.hostname } : {}),
    username: 'default',
    ...(inst.auth.enabled ? { passwordSecret: { name: inst.auth.secretName, key: inst.auth.secretKey } } : {}),
    tls: inst.tls.enabled,
  };
  if (inst.sentinel) {
    out.sentinel = {
      masterName: inst.sentinel.masterName,
      endpoint: at(serviceFqdn(inst, n.sentinel), PORTS.sentinel),
      endpoints: sentinelPodHosts(inst).map((h) => at(h, PORTS.sentinel)),
    };
  }
  if (inst.cluster) out.clusterSeedEndpoints = dataPodHosts(inst).map((h) => at(h, PORTS.data));
  return out;
}
