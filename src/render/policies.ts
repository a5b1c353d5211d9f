// Disruption budgets and the NetworkPolicy.
import type { V1NetworkPolicyPeer, V1NetworkPolicyPort, V1PodDisruptionBudget } from '@kubernetes/client-node';
import type { KubeObject } from './objects.js';
import type { Instance } from '../api/instance.js';
import { commonLabels, LABEL, names, PORTS, selectorLabels, type Component } from './names.js';

function pdb(
  inst: Instance,
  name: string,
  component: Component,
  budget: { maxUnavailable: number } | { minAvailable: number },
): V1PodDisruptionBudget {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name, namespace: inst.namespace, labels: commonLabels(inst, component) },
    spec: {
      ...budget,
      selector: { matchLabels: selectorLabels(inst, component) },
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    },
  };
}

/**
 * Standalone gets none: a budget on a single pod would block every node drain forever.
 * Sentinels keep enough voters to authorize a failover (a majority, and at least the quorum).
 */
export function disruptionBudgets(inst: Instance): V1PodDisruptionBudget[] {
  if (inst.mode === 'STANDALONE') return [];
  const n = names(inst);
  const out = [pdb(inst, n.data, 'data', { maxUnavailable: 1 })];
  if (inst.sentinel) {
    const s = inst.sentinel;
    out.push(
      pdb(inst, n.sentinel, 'sentinel', {
        minAvailable: Math.min(s.replicas, Math.max(s.quorum, Math.floor(s.replicas / 2) + 1)),
      }),
    );
  }
  return out;
}

const tcp = (port: number): V1NetworkPolicyPort => ({ protocol: 'TCP', port });

/** A selector of the named namespaces; of every namespace when there are none. */
const namespacesIn = (namespaces: readonly string[]): NonNullable<V1NetworkPolicyPeer['namespaceSelector']> =>
  namespaces.length
    ? { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: [...namespaces].sort() }] }
    : {};

/**
 * Deny all ingress except: the instance's own pods to each other (replication, sentinel,
 * cluster bus), and client pods labelled redis-kubernetes.io/client=<name> on the client ports.
 */
// Typed as a plain object: client-node's V1NetworkPolicyIngressRule names the field `_from`.
export function networkPolicy(inst: Instance): KubeObject | null {
  if (!inst.networkPolicy.enabled) return null;
  const own: V1NetworkPolicyPeer = {
    podSelector: { matchLabels: { [LABEL.instance]: inst.name, [LABEL.managedBy]: 'redis-kubernetes' } },
  };
  const clientLabel = { [LABEL.client]: inst.name };
  const clients: V1NetworkPolicyPeer[] = [{ podSelector: { matchLabels: clientLabel } }];
  if (inst.networkPolicy.allowNamespaces.length) {
    clients.push({
      namespaceSelector: namespacesIn(inst.networkPolicy.allowNamespaces),
      podSelector: { matchLabels: clientLabel },
    });
  }
  const internalPorts = [
    tcp(PORTS.data),
    ...(inst.sentinel ? [tcp(PORTS.sentinel)] : []),
    ...(inst.cluster ? [tcp(PORTS.bus)] : []),
  ];
  const clientPorts = [tcp(PORTS.data), ...(inst.sentinel ? [tcp(PORTS.sentinel)] : [])];
  const rules: Array<{ from: V1NetworkPolicyPeer[]; ports: V1NetworkPolicyPort[] }> = [
    { from: [own], ports: internalPorts },
    { from: clients, ports: clientPorts },
  ];
  // A LoadBalancer's traffic arrives from outside the cluster: the spec asked for it.
  if (inst.ingress.enabled) rules.push({ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [tcp(PORTS.data)] });
  // Prometheus runs in another namespace: only the exporter port is opened, to the namespaces
  // named for it (every namespace when none is, which validation warns about).
  if (inst.metrics.enabled)
    rules.push({
      from: [{ namespaceSelector: namespacesIn(inst.networkPolicy.metricsNamespaces) }],
      ports: [tcp(PORTS.metrics)],
    });
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: names(inst).data, namespace: inst.namespace, labels: commonLabels(inst) },
    spec: {
      podSelector: { matchLabels: { [LABEL.instance]: inst.name, [LABEL.managedBy]: 'redis-kubernetes' } },
      policyTypes: ['Ingress'],
      ingress: rules,
    },
  };
}
