// The plain objects the renderer produces, and the order they are emitted and applied in.

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [k: string]: unknown;
  };
  [k: string]: unknown;
}

/** Dependencies first: namespaces, then identities and config, then workloads that mount them. */
const KIND_ORDER = [
  'Namespace',
  'ServiceAccount',
  'Secret',
  'ConfigMap',
  'Certificate',
  'Service',
  'StatefulSet',
  'PodDisruptionBudget',
  'NetworkPolicy',
  'ServiceMonitor',
  'PrometheusRule',
];

export function sortObjects<T extends KubeObject>(objects: T[]): T[] {
  const rank = (o: KubeObject) => {
    const i = KIND_ORDER.indexOf(o.kind);
    return i < 0 ? KIND_ORDER.length : i;
  };
  return [...objects].sort((a, b) => rank(a) - rank(b) || a.metadata.name.localeCompare(b.metadata.name));
}
