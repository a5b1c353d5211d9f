// Project Planton's RedisKubernetes stack outputs (namespace, service, port-forward command,
// in-cluster endpoint, external hostname, username, password Secret), derived from the instance
// alone: the operator writes them to status.outputs and `rk apply -o json` prints them, so the
// next layer of someone's infrastructure reads the same values either way. Per mode they add
// what a client of that mode needs: the sentinels and master name, or the cluster's seeds.
// Never the password itself: only where it is kept.
import type { Instance } from '../api/instance.js';
import type { StackOutputs } from '../api/stackOutputs.js';
import { dataPodHosts, names, PORTS, sentinelPodHosts, serviceFqdn } from './names.js';

const at = (host: string, port: number) => `${host}:${port}`;

export function stackOutputs(inst: Instance): StackOutputs {
  const n = names(inst);
  // SENTINEL has no plain client Service: the master Service follows the role label instead.
  const service = inst.sentinel ? n.master : n.client;
  const out: StackOutputs = {
    namespace: inst.namespace,
    service,
    // Planton's module prints 8080:8080, a port nothing here serves.
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
