// Object names and labels: one function per name so every layer (render, apply, engine,
// operator) derives the same names from the same instance.
import type { Instance } from '../api/instance.js';

export type Component = 'data' | 'sentinel';

export const names = (inst: Instance) => ({
  data: inst.name,
  dataHeadless: `${inst.name}-headless`,
  client: inst.name,
  master: `${inst.name}-master`,
  sentinel: `${inst.name}-sentinel`,
  sentinelHeadless: `${inst.name}-sentinel-headless`,
  config: `${inst.name}-config`,
  scripts: `${inst.name}-scripts`,
  serviceAccount: inst.name,
  external: `${inst.name}-external`,
  metrics: `${inst.name}-metrics`,
  tls: inst.tls.secretName,
  auth: inst.auth.secretName,
});

export const LABEL = {
  name: 'app.kubernetes.io/name',
  instance: 'app.kubernetes.io/instance',
  component: 'app.kubernetes.io/component',
  managedBy: 'app.kubernetes.io/managed-by',
  partOf: 'app.kubernetes.io/part-of',
  version: 'app.kubernetes.io/version',
  /** Kept current by the operator; the master Service selects on it. */
  role: 'redis-kubernetes.io/role',
  /** Client pods carrying this label (value: instance name) may connect through the NetworkPolicy. */
  client: 'redis-kubernetes.io/client',
} as const;

export const MANAGER = 'redis-kubernetes';

export const ANNOTATION = {
  configChecksum: 'redis-kubernetes.io/config-checksum',
  /**
   * Set on the resource by `kubectl rk restart`: like every resource annotation it reaches the pod
   * template, so a new value is a new revision, which the operator rolls out failover-aware.
   */
  restartedAt: 'redis-kubernetes.io/restartedAt',
} as const;

/** Labels that identify the instance's objects; the apply layer prunes by these. */
export function instanceLabels(inst: Instance): Record<string, string> {
  return { [LABEL.instance]: inst.name, [LABEL.managedBy]: MANAGER };
}

/**
 * What selects an instance's pods, and what its PVCs carry: only what never changes for the
 * instance's life. A StatefulSet's selector and claim templates are immutable, so a label that
 * follows the image (app.kubernetes.io/name, /version) here would make an image change from redis
 * to valkey, or a new tag, impossible to apply.
 */
export function selectorLabels(inst: Instance, component: Component): Record<string, string> {
  return { ...instanceLabels(inst), [LABEL.partOf]: 'redis-kubernetes', [LABEL.component]: component };
}

export function commonLabels(inst: Instance, component?: Component): Record<string, string> {
  return {
    ...inst.labels,
    [LABEL.name]: inst.image.flavor,
    [LABEL.instance]: inst.name,
    ...(component ? { [LABEL.component]: component } : {}),
    [LABEL.managedBy]: MANAGER,
    [LABEL.partOf]: 'redis-kubernetes',
    // A label value starts and ends with a letter or digit (a tag may start with "_").
    [LABEL.version]: inst.image.tag
      .replace(/[^A-Za-z0-9._-]/g, '-')
      .slice(0, 63)
      .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, ''),
  };
}

/** The data volume, and the claim template whose PVCs are named `data-<pod>`. */
export const DATA_VOLUME = 'data';

export const PORTS = { data: 6379, sentinel: 26379, bus: 16379, metrics: 9121 } as const;

/** DNS name of a pod behind a headless Service. */
export const podFqdn = (inst: Instance, pod: string, headless: string) =>
  `${pod}.${headless}.${inst.namespace}.svc.cluster.local`;

/** Every data pod's DNS name, ordinal order (the StatefulSet's pods). */
export const dataPodHosts = (inst: Instance): string[] => {
  const n = names(inst);
  return Array.from({ length: inst.dataReplicas }, (_, i) => podFqdn(inst, `${n.data}-${i}`, n.dataHeadless));
};

/** Every sentinel pod's DNS name, ordinal order; none outside SENTINEL mode. */
export const sentinelPodHosts = (inst: Instance): string[] => {
  const n = names(inst);
  return Array.from({ length: inst.sentinel?.replicas ?? 0 }, (_, i) =>
    podFqdn(inst, `${n.sentinel}-${i}`, n.sentinelHeadless),
  );
};

/** A Service's cluster DNS name. */
export const serviceFqdn = (inst: Instance, service: string) => `${service}.${inst.namespace}.svc.cluster.local`;
