// The resolved instance: every default applied, every legacy field folded in. Render and the
// engine read only this, never the raw manifest, so defaults are decided in exactly one place.
import type { Flavor } from './flavor.js';
import type { AntiAffinity, MaxmemoryPolicy, Mode, PersistenceMode } from './schema.js';

export interface ResolvedResources {
  requests: { cpu: string; memory: string };
  limits: { cpu: string; memory: string };
}

export interface Instance {
  name: string;
  namespace: string;
  createNamespace: boolean;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  mode: Mode;
  image: { repository: string; tag: string; pullPolicy: string; ref: string; flavor: Flavor };
  /** Data pods: STANDALONE 1, SENTINEL redisReplicas, CLUSTER masters * (1 + replicasPerMaster). */
  dataReplicas: number;
  resources: ResolvedResources;
  /** Exact maxmemory in bytes, derived from the memory limit. */
  maxmemoryBytes: number;
  sentinel: null | {
    replicas: number;
    quorum: number;
    downAfterMs: number;
    failoverTimeoutMs: number;
    parallelSyncs: number;
    /** Unique per namespace + name, so sentinels of two instances can never join each other. */
    masterName: string;
    resources: ResolvedResources;
  };
  cluster: null | { masters: number; replicasPerMaster: number; nodeTimeoutMs: number };
  persistence: {
    mode: PersistenceMode;
    storageClass: string | null;
    diskSize: string;
    diskBytes: number;
    /** The operator deletes the PVCs (and the generated password) with the resource. */
    deleteClaim: boolean;
  };
  auth: { enabled: boolean; secretName: string; secretKey: string; generated: boolean };
  tls: {
    enabled: boolean;
    secretName: string;
    issuer: null | { name: string; kind: string; group: string };
    clientAuth: boolean;
  };
  metrics: {
    enabled: boolean;
    image: string;
    serviceMonitor: boolean;
    prometheusRule: boolean;
    labels: Record<string, string>;
  };
  scheduling: {
    antiAffinity: AntiAffinity;
    zoneSpread: boolean;
    nodeSelector: Record<string, string>;
    tolerations: Array<Record<string, unknown>>;
    priorityClassName: string | null;
  };
  networkPolicy: { enabled: boolean; allowNamespaces: string[]; metricsNamespaces: string[] };
  ingress: { enabled: boolean; hostname: string | null };
  config: { maxmemoryPolicy: MaxmemoryPolicy; maxmemoryPercent: number; extra: Record<string, string> };
}

export const DEFAULT_IMAGE = { repository: 'valkey/valkey', tag: '8.1.11' } as const;
export const DEFAULT_EXPORTER_IMAGE = 'oliver006/redis_exporter:v1.80.0';
