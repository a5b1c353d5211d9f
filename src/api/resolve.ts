// Manifest -> Instance: applies every default, folds the Project Planton fields into the new
// ones. Only called on a manifest that passed structural validation and the cross-field rules.
import { imageFlavor } from './flavor.js';
import { DEFAULT_EXPORTER_IMAGE, DEFAULT_IMAGE, type Instance, type ResolvedResources } from './instance.js';
import { bytesToGiCeil, quantityToBytes } from './quantity.js';
import { propagatedAnnotations } from './requestAnnotations.js';
import type { Manifest, ResourcesSpec } from './schema.js';

const DEFAULT_DATA_RESOURCES = { cpu: '1', memory: '1Gi' };
const DEFAULT_SENTINEL_RESOURCES = { cpu: '100m', memory: '64Mi' };

/** Memory request follows the limit unless set: Guaranteed QoS is the safe default for a database. */
function resolveResources(r: ResourcesSpec | undefined, defaults: { cpu: string; memory: string }): ResolvedResources {
  const limits = {
    cpu: r?.limits?.cpu ?? r?.requests?.cpu ?? defaults.cpu,
    memory: r?.limits?.memory ?? r?.requests?.memory ?? defaults.memory,
  };
  return {
    requests: { cpu: r?.requests?.cpu ?? limits.cpu, memory: r?.requests?.memory ?? limits.memory },
    limits,
  };
}

export const namespaceOf = (m: Manifest): string => {
  const ns = m.spec?.namespace;
  return (typeof ns === 'string' ? ns : ns?.value) ?? m.metadata.namespace ?? m.metadata.name;
};

export function resolveInstance(m: Manifest): Instance {
  const spec = m.spec ?? {};
  const mode = spec.mode ?? 'STANDALONE';
  const name = m.metadata.name;
  const namespace = namespaceOf(m);
  const ha = mode !== 'STANDALONE';

  const resources = resolveResources(spec.container?.resources, DEFAULT_DATA_RESOURCES);
  const maxmemoryPercent = spec.config?.maxmemoryPercent ?? 75;
  const maxmemoryBytes = Math.floor((quantityToBytes(resources.limits.memory) * maxmemoryPercent) / 100);

  const sentinelReplicas = spec.sentinel?.sentinelReplicas ?? 3;
  const sentinel =
    mode === 'SENTINEL'
      ? {
          replicas: sentinelReplicas,
          quorum: spec.sentinel?.quorum ?? Math.floor(sentinelReplicas / 2) + 1,
          downAfterMs: spec.sentinel?.downAfterMilliseconds ?? 5000,
          failoverTimeoutMs: spec.sentinel?.failoverTimeout ?? 60000,
          parallelSyncs: spec.sentinel?.parallelSyncs ?? 1,
          // Both parts are DNS-1123 labels, which never hold a dot: "team-a"/"cache" and
          // "team"/"a-cache" stay apart, as "-" would not keep them.
          masterName: `${namespace}.${name}`,
          resources: resolveResources(spec.sentinel?.resources, DEFAULT_SENTINEL_RESOURCES),
        }
      : null;
  const cluster =
    mode === 'CLUSTER'
      ? {
          masters: spec.cluster?.masters ?? 3,
          replicasPerMaster: spec.cluster?.replicasPerMaster ?? 1,
          nodeTimeoutMs: spec.cluster?.nodeTimeoutMilliseconds ?? 5000,
        }
      : null;
  const dataReplicas = cluster
    ? cluster.masters * (1 + cluster.replicasPerMaster)
    : sentinel
      ? (spec.sentinel?.redisReplicas ?? spec.container?.replicas ?? 3)
      : 1;

  const legacyPersistence = spec.container?.persistenceEnabled;
  const persistenceMode = spec.persistence?.mode ?? (legacyPersistence === false ? 'NONE' : 'HYBRID');
  const diskSize = spec.persistence?.diskSize ?? spec.container?.diskSize ?? bytesToGiCeil(maxmemoryBytes * 3);

  const repository = spec.image?.repository ?? DEFAULT_IMAGE.repository;
  const tag = spec.image?.tag ?? DEFAULT_IMAGE.tag;
  const tlsEnabled = spec.tls?.enabled ?? false;
  const metricsEnabled = spec.metrics?.enabled ?? false;

  return {
    name,
    namespace,
    createNamespace: spec.createNamespace ?? false,
    labels: m.metadata.labels ?? {},
    annotations: propagatedAnnotations(m.metadata.annotations),
    mode,
    image: {
      repository,
      tag,
      pullPolicy: spec.image?.pullPolicy ?? 'IfNotPresent',
      ref: tag.startsWith('sha256:') ? `${repository}@${tag}` : `${repository}:${tag}`,
      flavor: imageFlavor(repository),
    },
    dataReplicas,
    resources,
    maxmemoryBytes,
    sentinel,
    cluster,
    persistence: {
      mode: persistenceMode,
      storageClass: spec.persistence?.storageClass ?? null,
      diskSize,
      diskBytes: quantityToBytes(diskSize),
      deleteClaim: spec.persistence?.deleteClaim ?? false,
    },
    auth: {
      enabled: spec.auth?.enabled ?? true,
      secretName: spec.auth?.existingSecret?.name ?? `${name}-auth`,
      secretKey: spec.auth?.existingSecret?.key ?? 'password',
      generated: !spec.auth?.existingSecret,
    },
    tls: {
      enabled: tlsEnabled,
      secretName: spec.tls?.existingSecret ?? `${name}-tls`,
      issuer: spec.tls?.issuerRef
        ? {
            name: spec.tls.issuerRef.name,
            kind: spec.tls.issuerRef.kind ?? 'Issuer',
            group: spec.tls.issuerRef.group ?? 'cert-manager.io',
          }
        : null,
      clientAuth: spec.tls?.clientAuth ?? false,
    },
    metrics: {
      enabled: metricsEnabled,
      image: spec.metrics?.image ?? DEFAULT_EXPORTER_IMAGE,
      serviceMonitor: metricsEnabled && (spec.metrics?.serviceMonitor ?? true),
      prometheusRule: metricsEnabled && (spec.metrics?.prometheusRule ?? true),
      labels: spec.metrics?.labels ?? {},
    },
    scheduling: {
      antiAffinity: spec.scheduling?.antiAffinity ?? (ha ? 'REQUIRED' : 'NONE'),
      zoneSpread: spec.scheduling?.zoneSpread ?? ha,
      nodeSelector: spec.scheduling?.nodeSelector ?? {},
      tolerations: spec.scheduling?.tolerations ?? [],
      priorityClassName: spec.scheduling?.priorityClassName ?? null,
    },
    networkPolicy: {
      enabled: spec.networkPolicy?.enabled ?? true,
      allowNamespaces: spec.networkPolicy?.allowNamespaces ?? [],
      metricsNamespaces: spec.networkPolicy?.metricsNamespaces ?? [],
    },
    ingress: { enabled: spec.ingress?.enabled ?? false, hostname: spec.ingress?.hostname ?? null },
    config: {
      maxmemoryPolicy: spec.config?.maxmemoryPolicy ?? 'noeviction',
      maxmemoryPercent,
      extra: spec.config?.extra ?? {},
    },
  };
}
