// The data and sentinel StatefulSets.
import type {
  V1Container,
  V1ContainerPort,
  V1EnvVar,
  V1PersistentVolumeClaim,
  V1Probe,
  V1StatefulSet,
  V1Volume,
  V1VolumeMount,
} from '@kubernetes/client-node';
import type { Instance, ResolvedResources } from '../api/instance.js';
import { ANNOTATION, commonLabels, DATA_VOLUME, names, PORTS, selectorLabels, type Component } from './names.js';
import { placement } from './scheduling.js';
import { PATHS } from './scripts.js';
import { containerSecurityContext, podSecurityContext } from './security.js';

export interface Checksums {
  config: string;
}

const podEnv: V1EnvVar[] = [
  { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
  { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
];

const execProbe = (script: string, p: Partial<V1Probe>): V1Probe => ({
  exec: { command: ['sh', `${PATHS.scripts}/${script}`] },
  timeoutSeconds: 5,
  ...p,
});

function sharedVolumes(inst: Instance): V1Volume[] {
  const n = names(inst);
  const v: V1Volume[] = [
    { name: 'config', configMap: { name: n.config } },
    { name: 'scripts', configMap: { name: n.scripts, defaultMode: 0o555 } },
    // Runtime config (role, secrets) and scratch space: the root filesystem is read-only.
    { name: 'run', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } },
    { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
  ];
  if (inst.auth.enabled)
    v.push({
      name: 'auth',
      secret: { secretName: n.auth, defaultMode: 0o400, items: [{ key: inst.auth.secretKey, path: 'password' }] },
    });
  if (inst.tls.enabled) v.push({ name: 'tls', secret: { secretName: n.tls, defaultMode: 0o400 } });
  return v;
}

function sharedMounts(inst: Instance): V1VolumeMount[] {
  const m: V1VolumeMount[] = [
    { name: 'config', mountPath: PATHS.config, readOnly: true },
    { name: 'scripts', mountPath: PATHS.scripts, readOnly: true },
    { name: 'run', mountPath: PATHS.run },
    { name: 'tmp', mountPath: PATHS.tmp },
  ];
  if (inst.auth.enabled) m.push({ name: 'auth', mountPath: PATHS.auth, readOnly: true });
  if (inst.tls.enabled) m.push({ name: 'tls', mountPath: PATHS.tls, readOnly: true });
  return m;
}

const resources = (r: ResolvedResources) => ({ requests: { ...r.requests }, limits: { ...r.limits } });

function exporterContainer(inst: Instance): V1Container {
  const scheme = inst.tls.enabled ? 'rediss' : 'redis';
  // 127.0.0.1, not localhost: the exporter verifies the server certificate against the host it
  // dialled, and the Certificate carries 127.0.0.1 as an IP SAN but no "localhost" name.
  const env: V1EnvVar[] = [{ name: 'REDIS_ADDR', value: `${scheme}://127.0.0.1:${PORTS.data}` }];
  if (inst.auth.enabled)
    env.push({
      name: 'REDIS_PASSWORD',
      valueFrom: { secretKeyRef: { name: inst.auth.secretName, key: inst.auth.secretKey } },
    });
  if (inst.tls.enabled) {
    env.push({ name: 'REDIS_EXPORTER_TLS_CA_CERT_FILE', value: `${PATHS.tls}/ca.crt` });
    if (inst.tls.clientAuth) {
      env.push(
        { name: 'REDIS_EXPORTER_TLS_CLIENT_CERT_FILE', value: `${PATHS.tls}/tls.crt` },
        { name: 'REDIS_EXPORTER_TLS_CLIENT_KEY_FILE', value: `${PATHS.tls}/tls.key` },
      );
    }
  }
  return {
    name: 'metrics',
    image: inst.metrics.image,
    imagePullPolicy: 'IfNotPresent',
    env,
    ports: [{ name: 'metrics', containerPort: PORTS.metrics, protocol: 'TCP' }],
    resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '50m', memory: '64Mi' } },
    readinessProbe: { httpGet: { path: '/health', port: 'metrics' }, periodSeconds: 10, timeoutSeconds: 3 },
    livenessProbe: {
      httpGet: { path: '/health', port: 'metrics' },
      periodSeconds: 20,
      timeoutSeconds: 3,
      failureThreshold: 6,
    },
    securityContext: containerSecurityContext(),
    volumeMounts: inst.tls.enabled ? [{ name: 'tls', mountPath: PATHS.tls, readOnly: true }] : [],
  };
}

// The password is not part of the pod template: a changed password Secret is rotated on the
// running members by the operator (engine/passwordRotation.ts) and read by pods when they
// start, so it needs no restart; a checksum here would roll every pod for nothing.
function podAnnotations(inst: Instance, sums: Checksums): Record<string, string> {
  return {
    ...inst.annotations,
    [ANNOTATION.configChecksum]: sums.config,
  };
}

function statefulSet(
  inst: Instance,
  component: Component,
  name: string,
  service: string,
  replicas: number,
  sums: Checksums,
  containers: V1Container[],
  volumes: V1Volume[],
  claims: V1PersistentVolumeClaim[],
  onDelete: boolean,
): V1StatefulSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace: inst.namespace, labels: commonLabels(inst, component) },
    spec: {
      serviceName: service,
      replicas,
      // Parallel: after a full restart a former master may now be a replica of a higher
      // ordinal; ordered start would wait for readiness that depends on pods not yet started.
      podManagementPolicy: 'Parallel',
      // HA data pods are restarted by the engine (replicas first, master after a handover);
      // a plain rolling update could restart the master before a replica is in sync.
      updateStrategy: onDelete ? { type: 'OnDelete' } : { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      selector: { matchLabels: selectorLabels(inst, component) },
      template: {
        metadata: { labels: commonLabels(inst, component), annotations: podAnnotations(inst, sums) },
        spec: {
          serviceAccountName: names(inst).serviceAccount,
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          terminationGracePeriodSeconds: 30,
          securityContext: podSecurityContext(),
          ...placement(inst, component),
          containers,
          volumes,
        },
      },
      ...(claims.length ? { volumeClaimTemplates: claims } : {}),
    },
  };
}

export function dataStatefulSet(inst: Instance, sums: Checksums): V1StatefulSet {
  const n = names(inst);
  const persistent = inst.persistence.mode !== 'NONE';
  const ports: V1ContainerPort[] = [{ name: 'valkey', containerPort: PORTS.data, protocol: 'TCP' }];
  if (inst.cluster) ports.push({ name: 'bus', containerPort: PORTS.bus, protocol: 'TCP' });
  const server: V1Container = {
    name: 'server',
    image: inst.image.ref,
    imagePullPolicy: inst.image.pullPolicy,
    command: ['sh', `${PATHS.scripts}/start-server.sh`],
    env: podEnv,
    ports,
    resources: resources(inst.resources),
    // Loading a large dataset can take minutes; the startup probe keeps liveness from killing it.
    startupProbe: execProbe('alive.sh', { periodSeconds: 5, failureThreshold: 120 }),
    livenessProbe: execProbe('alive.sh', { periodSeconds: 10, failureThreshold: 6 }),
    readinessProbe: execProbe('ready.sh', { periodSeconds: 5, failureThreshold: 2 }),
    securityContext: containerSecurityContext(),
    volumeMounts: [...sharedMounts(inst), { name: DATA_VOLUME, mountPath: PATHS.data }],
  };
  const containers = inst.metrics.enabled ? [server, exporterContainer(inst)] : [server];
  const volumes = sharedVolumes(inst);
  if (!persistent) volumes.push({ name: DATA_VOLUME, emptyDir: { sizeLimit: inst.persistence.diskSize } });
  const claims: V1PersistentVolumeClaim[] = persistent
    ? [
        {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: { name: DATA_VOLUME, labels: selectorLabels(inst, 'data') },
          spec: {
            accessModes: ['ReadWriteOnce'],
            resources: { requests: { storage: inst.persistence.diskSize } },
            ...(inst.persistence.storageClass ? { storageClassName: inst.persistence.storageClass } : {}),
          },
        },
      ]
    : [];
  return statefulSet(
    inst,
    'data',
    n.data,
    n.dataHeadless,
    inst.dataReplicas,
    sums,
    containers,
    volumes,
    claims,
    inst.mode !== 'STANDALONE',
  );
}

export function sentinelStatefulSet(inst: Instance, sums: Checksums): V1StatefulSet | null {
  const s = inst.sentinel;
  if (!s) return null;
  const n = names(inst);
  const sentinel: V1Container = {
    name: 'sentinel',
    image: inst.image.ref,
    imagePullPolicy: inst.image.pullPolicy,
    command: ['sh', `${PATHS.scripts}/start-sentinel.sh`],
    env: podEnv,
    ports: [{ name: 'sentinel', containerPort: PORTS.sentinel, protocol: 'TCP' }],
    resources: resources(s.resources),
    livenessProbe: execProbe('sentinel-alive.sh', { periodSeconds: 10, failureThreshold: 6 }),
    readinessProbe: execProbe('sentinel-ready.sh', { periodSeconds: 5, failureThreshold: 2 }),
    securityContext: containerSecurityContext(),
    // Sentinel rewrites its config file; it lives under /run/valkey and is rebuilt at every
    // start from what the other sentinels know, so no stale address survives a restart.
    volumeMounts: sharedMounts(inst),
  };
  return statefulSet(
    inst,
    'sentinel',
    n.sentinel,
    n.sentinelHeadless,
    s.replicas,
    sums,
    [sentinel],
    sharedVolumes(inst),
    [],
    false,
  );
}
