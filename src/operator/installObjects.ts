// What `rk install` applies and `rk install --render` prints: the CRD, the operator's identity and
// least-privilege RBAC, its metrics Service and its Deployment (the Helm chart in
// charts/redis-kubernetes-operator renders the same, a test holds it to that). Pure: the same objects whether applied or rendered.
// The ClusterRole lists only what the operator calls (reconcile.ts, applyOwned.ts, the finalizer's
// deleteInstance, events, informers); the Lease lives in a Role of the install namespace only.
// No pods/exec: the operator speaks to Valkey over the network.
import { customResourceDefinition, CRD_GROUP, CRD_PLURAL } from '../api/crd.js';
import { OWNED_KINDS } from '../apply/prune.js';
import type { KubeObject } from '../render/objects.js';

export const DEFAULT_INSTALL_NAMESPACE = 'redis-kubernetes-system';
export const DEFAULT_OPERATOR_IMAGE = 'ghcr.io/redis-kubernetes/rk:0.1.0';
/** Name of the ServiceAccount, ClusterRole(Binding), Role(Binding) and Deployment. */
export const OPERATOR_NAME = 'redis-kubernetes-operator';
const HEALTH_PORT = 8081;
// A distinct manager label: the operator's own informers select managed-by=redis-kubernetes.
const LABELS = {
  'app.kubernetes.io/name': OPERATOR_NAME,
  'app.kubernetes.io/part-of': 'redis-kubernetes',
  'app.kubernetes.io/managed-by': 'rk-install',
};
const SELECTOR = { 'app.kubernetes.io/name': OPERATOR_NAME };

interface InstallOptions {
  namespace: string;
  image: string;
}

interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

/** Plural resource names of the kinds the operator applies, prunes and deletes (apply/prune.ts). */
const OWNED_RESOURCES: Record<string, { group: string; resource: string }> = {
  ServiceAccount: { group: '', resource: 'serviceaccounts' },
  ConfigMap: { group: '', resource: 'configmaps' },
  Certificate: { group: 'cert-manager.io', resource: 'certificates' },
  Service: { group: '', resource: 'services' },
  StatefulSet: { group: 'apps', resource: 'statefulsets' },
  PodDisruptionBudget: { group: 'policy', resource: 'poddisruptionbudgets' },
  NetworkPolicy: { group: 'networking.k8s.io', resource: 'networkpolicies' },
  ServiceMonitor: { group: 'monitoring.coreos.com', resource: 'servicemonitors' },
  PrometheusRule: { group: 'monitoring.coreos.com', resource: 'prometheusrules' },
};

/** The cluster-wide rules: every resource with exactly the verbs the operator's code uses on it. */
export function operatorRules(): PolicyRule[] {
  const owned = new Map<string, string[]>();
  for (const k of OWNED_KINDS) {
    const r = OWNED_RESOURCES[k.kind];
    if (!r) throw new Error(`installObjects: no RBAC resource for owned kind ${k.kind}`);
    owned.set(r.group, [...(owned.get(r.group) ?? []), r.resource]);
  }
  // Server-side apply is a PATCH that creates what does not exist yet: create and patch;
  // prune and the finalizer list by label and delete.
  const applied = ['list', 'create', 'patch', 'delete'];
  const ownedRules = [...owned].map(([group, resources]) => ({
    apiGroups: [group],
    resources,
    verbs: group === 'apps' ? [...applied, 'watch'] : applied,
  }));
  return [
    // Informer (list, watch), reconcile (get), finalizer (patch metadata.finalizers).
    { apiGroups: [CRD_GROUP], resources: [CRD_PLURAL], verbs: ['get', 'list', 'watch', 'patch'] },
    { apiGroups: [CRD_GROUP], resources: [`${CRD_PLURAL}/status`], verbs: ['patch'] },
    ...ownedRules,
    // Informer (list, watch), the sentinel role labels (patch), the rolling restart (delete). Never pods/exec.
    { apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch', 'patch', 'delete'] },
    // The auth and TLS Secrets are read; the generated auth Secret is applied (and deleted on purge).
    { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'create', 'patch', 'delete'] },
    // The finalizer lists the claims it keeps, to say so, and deletes them when the spec asks
    // (persistence.deleteClaim).
    { apiGroups: [''], resources: ['persistentvolumeclaims'], verbs: ['list', 'delete'] },
    // planInstance: does the namespace exist; warnings about missing classes.
    { apiGroups: [''], resources: ['namespaces'], verbs: ['get'] },
    { apiGroups: ['scheduling.k8s.io'], resources: ['priorityclasses'], verbs: ['get'] },
    { apiGroups: ['storage.k8s.io'], resources: ['storageclasses'], verbs: ['get'] },
    { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['create'] },
  ];
}

/** Leader election, in the install namespace only. */
export function leaseRules(): PolicyRule[] {
  return [{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] }];
}

const meta = (name: string, namespace?: string) => ({
  name,
  ...(namespace ? { namespace } : {}),
  labels: { ...LABELS },
});

function deployment(o: InstallOptions): KubeObject {
  const probe = (path: string, periodSeconds: number) => ({
    httpGet: { path, port: 'health' },
    periodSeconds,
    timeoutSeconds: 3,
    failureThreshold: 3,
  });
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(OPERATOR_NAME, o.namespace),
    spec: {
      // Two replicas, one leading (Lease): the other takes over within the 15 s lease.
      replicas: 2,
      selector: { matchLabels: SELECTOR },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 1 } },
      template: {
        metadata: { labels: { ...LABELS } },
        spec: {
          serviceAccountName: OPERATOR_NAME,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 65532,
            runAsGroup: 65532,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          terminationGracePeriodSeconds: 30,
          affinity: {
            // The two replicas on different nodes where there are several.
            podAntiAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                {
                  weight: 100,
                  podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: SELECTOR } },
                },
              ],
            },
          },
          containers: [
            {
              name: 'operator',
              image: o.image,
              imagePullPolicy: 'IfNotPresent',
              args: ['operator', '--lease-namespace', o.namespace, '--health-port', String(HEALTH_PORT)],
              ports: [{ name: 'health', containerPort: HEALTH_PORT, protocol: 'TCP' }],
              // Node's own scratch space: the root filesystem is read-only.
              env: [{ name: 'TMPDIR', value: '/tmp' }],
              livenessProbe: { ...probe('/healthz', 10), initialDelaySeconds: 5 },
              readinessProbe: probe('/readyz', 5),
              resources: {
                requests: { cpu: '50m', memory: '128Mi' },
                limits: { cpu: '1', memory: '256Mi' },
              },
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                runAsNonRoot: true,
                capabilities: { drop: ['ALL'] },
              },
              volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
            },
          ],
          volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }],
        },
      },
    },
  };
}

/** Every replica serves /metrics (the leader's has the reconcile figures): one Service for a scrape. */
function metricsService(o: InstallOptions): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(`${OPERATOR_NAME}-metrics`, o.namespace),
    spec: {
      selector: { ...SELECTOR },
      ports: [{ name: 'metrics', port: HEALTH_PORT, targetPort: 'health', protocol: 'TCP' }],
    },
  };
}

/** Every object `rk install` applies, in apply order (the CRD first, the Deployment last). */
export function installObjects(o: InstallOptions): KubeObject[] {
  const subject = { kind: 'ServiceAccount', name: OPERATOR_NAME, namespace: o.namespace };
  return [
    customResourceDefinition() as unknown as KubeObject,
    { apiVersion: 'v1', kind: 'Namespace', metadata: meta(o.namespace) },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(OPERATOR_NAME, o.namespace) },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: meta(OPERATOR_NAME),
      rules: operatorRules(),
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: meta(OPERATOR_NAME),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: OPERATOR_NAME },
      subjects: [subject],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: meta(OPERATOR_NAME, o.namespace),
      rules: leaseRules(),
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: meta(OPERATOR_NAME, o.namespace),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: OPERATOR_NAME },
      subjects: [subject],
    },
    metricsService(o),
    deployment(o),
  ];
}
