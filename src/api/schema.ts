// The RedisKubernetes manifest: one TypeBox schema is the TypeScript type, the runtime
// validator and (through crd.ts) the CRD's openAPIV3Schema. Defaults that depend on other
// fields (quorum, anti-affinity, disk size) live in resolve.ts, not here.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { EXTRA_DIRECTIVES_ALLOWED, MAX_EXTRA_DIRECTIVES, REQUESTS_WITHIN_LIMITS } from './fieldRules.js';
import { QUANTITY_PATTERN } from './quantity.js';

const Obj = <T extends Record<string, TSchema>>(props: T, description?: string, crd: Record<string, unknown> = {}) =>
  Type.Object(props, { additionalProperties: false, ...(description ? { description } : {}), ...crd });

// Image references as a registry accepts them: a lowercase repository path (an optional
// registry host:port first), and a tag of the registry's grammar or a sha256 digest.
const IMAGE_REPOSITORY_PATTERN = '^[a-z0-9]([a-z0-9._/:-]*[a-z0-9])?$';
const IMAGE_TAG_PATTERN = '^([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|sha256:[a-f0-9]{64})$';

const Quantity = (description: string) => Type.String({ pattern: QUANTITY_PATTERN, description });
const StringMap = (description: string) => Type.Record(Type.String(), Type.String(), { description });

export const MODES = ['STANDALONE', 'SENTINEL', 'CLUSTER'] as const;
export const PERSISTENCE_MODES = ['HYBRID', 'RDB', 'AOF', 'NONE'] as const;
export const ANTI_AFFINITY = ['REQUIRED', 'PREFERRED', 'NONE'] as const;
export const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'] as const;
export const MAXMEMORY_POLICIES = [
  'noeviction',
  'allkeys-lru',
  'allkeys-lfu',
  'allkeys-random',
  'volatile-lru',
  'volatile-lfu',
  'volatile-random',
  'volatile-ttl',
] as const;

const Enum = <T extends readonly string[]>(values: T, description: string) =>
  Type.Union(
    values.map((v) => Type.Literal(v)),
    { description },
  ) as unknown as TSchema & { static: T[number] };

const ResourceList = Obj({
  cpu: Type.Optional(Quantity('CPU, e.g. 500m or 1')),
  memory: Type.Optional(Quantity('Memory, e.g. 1Gi')),
});

export const Resources = Obj(
  {
    requests: Type.Optional(ResourceList),
    limits: Type.Optional(ResourceList),
  },
  'CPU and memory per pod. Memory requests default to the limit (Guaranteed QoS).',
  { 'x-kubernetes-validations': [REQUESTS_WITHIN_LIMITS] },
);

// Project Planton wraps some strings as {value: "..."} (a foreign-key reference); accept both.
const StringOrValueRef = Type.Union([Type.String(), Obj({ value: Type.String() })]);

const SecretKeyRef = Obj({
  name: Type.String({ minLength: 1, description: 'Secret name (same namespace)' }),
  key: Type.Optional(Type.String({ minLength: 1, description: 'Key in the Secret; default "password"' })),
});

// Upper bounds: counts end up in StatefulSet replicas (int32) and in start scripts that list
// every pod, and sentinel parses its timeouts with atoi. Without them 1e15 masters "validates".
const MAX_DATA_PODS = 100;
const INT32_MAX = 2 ** 31 - 1;

export const SpecSchema = Obj({
  // --- Project Planton fields, kept working unchanged ---
  targetCluster: Type.Optional(
    Type.Record(Type.String(), Type.Unknown(), {
      description: 'Project Planton target cluster reference; informational here (rk uses your kubeconfig)',
    }),
  ),
  kubernetesClusterCredentialId: Type.Optional(
    Type.String({ description: 'Legacy Project Planton credential id; informational' }),
  ),
  namespace: Type.Optional(StringOrValueRef),
  createNamespace: Type.Optional(Type.Boolean({ description: 'Render a Namespace object' })),
  container: Type.Optional(
    Obj({
      replicas: Type.Optional(
        Type.Integer({
          minimum: 0,
          maximum: MAX_DATA_PODS,
          description: 'Legacy: pod count (STANDALONE uses 1; see mode)',
        }),
      ),
      resources: Type.Optional(Resources),
      persistenceEnabled: Type.Optional(Type.Boolean({ description: 'Legacy switch; use persistence.mode' })),
      diskSize: Type.Optional(Quantity('Persistent volume size per data pod, e.g. 10Gi')),
    }),
  ),
  ingress: Type.Optional(
    Obj(
      {
        enabled: Type.Optional(Type.Boolean()),
        hostname: Type.Optional(Type.String({ description: 'External DNS name (external-dns annotation)' })),
      },
      'A LoadBalancer Service with an external-dns hostname; STANDALONE only',
    ),
  ),

  // --- redis-kubernetes fields ---
  mode: Type.Optional(Enum(MODES, 'STANDALONE (default), SENTINEL (HA) or CLUSTER (sharded)')),
  sentinel: Type.Optional(
    Obj({
      redisReplicas: Type.Optional(
        Type.Integer({
          minimum: 1,
          maximum: MAX_DATA_PODS,
          description: 'Data pods in total (1 master + replicas); default 3',
        }),
      ),
      sentinelReplicas: Type.Optional(
        Type.Integer({ minimum: 1, maximum: 15, description: 'Sentinel pods; default 3' }),
      ),
      quorum: Type.Optional(
        Type.Integer({ minimum: 1, description: 'Sentinels that must agree the master is down; default majority' }),
      ),
      downAfterMilliseconds: Type.Optional(
        Type.Integer({ minimum: 100, maximum: INT32_MAX, description: 'default 5000 (Sentinel itself: 30000)' }),
      ),
      failoverTimeout: Type.Optional(
        Type.Integer({ minimum: 1000, maximum: INT32_MAX, description: 'milliseconds; default 60000' }),
      ),
      parallelSyncs: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_DATA_PODS, description: 'default 1' })),
      resources: Type.Optional(Resources),
    }),
  ),
  cluster: Type.Optional(
    Obj({
      masters: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000, description: 'Shards; default 3, at least 3' })),
      replicasPerMaster: Type.Optional(Type.Integer({ minimum: 0, maximum: 5, description: 'default 1' })),
      nodeTimeoutMilliseconds: Type.Optional(
        Type.Integer({
          minimum: 100,
          maximum: INT32_MAX,
          description: 'cluster-node-timeout; default 5000 (server: 15000)',
        }),
      ),
    }),
  ),
  image: Type.Optional(
    Obj({
      repository: Type.Optional(
        Type.String({
          minLength: 1,
          pattern: IMAGE_REPOSITORY_PATTERN,
          patternMessage:
            'is not an image repository: lowercase letters, digits, ".", "_", "-", "/" (and a registry host:port first)',
          description: 'default valkey/valkey; redis images are allowed',
        }),
      ),
      tag: Type.Optional(
        Type.String({
          minLength: 1,
          pattern: IMAGE_TAG_PATTERN,
          patternMessage:
            'is not an image tag: letters, digits, "_", "." and "-" (at most 128, not starting with "." or "-"), or sha256:<digest>',
          description: 'A pinned release (or sha256:<digest>); "latest" is refused',
        }),
      ),
      pullPolicy: Type.Optional(Enum(PULL_POLICIES, 'default IfNotPresent')),
    }),
  ),
  persistence: Type.Optional(
    Obj({
      mode: Type.Optional(Enum(PERSISTENCE_MODES, 'HYBRID (RDB preamble + AOF, default), RDB, AOF or NONE')),
      storageClass: Type.Optional(Type.String({ minLength: 1 })),
      diskSize: Type.Optional(Quantity('Volume per data pod; default 3x maxmemory rounded up to Gi')),
      deleteClaim: Type.Optional(
        Type.Boolean({
          description:
            'When the resource is deleted, the operator also deletes the data (PVCs) and the generated password Secret; default false: both are kept',
        }),
      ),
    }),
  ),
  auth: Type.Optional(
    Obj(
      {
        enabled: Type.Optional(Type.Boolean({ description: 'default true' })),
        existingSecret: Type.Optional(SecretKeyRef),
      },
      'Password auth for clients, replication and sentinels. Without existingSecret a password is generated into <name>-auth.',
    ),
  ),
  tls: Type.Optional(
    Obj({
      enabled: Type.Optional(Type.Boolean({ description: 'default false' })),
      existingSecret: Type.Optional(
        Type.String({ minLength: 1, description: 'kubernetes.io/tls Secret with tls.crt, tls.key, ca.crt' }),
      ),
      issuerRef: Type.Optional(
        Obj(
          {
            name: Type.String({ minLength: 1 }),
            kind: Type.Optional(Type.Union([Type.Literal('Issuer'), Type.Literal('ClusterIssuer')])),
            group: Type.Optional(Type.String()),
          },
          'cert-manager issuer that signs the server certificate',
        ),
      ),
      clientAuth: Type.Optional(Type.Boolean({ description: 'Require client certificates (mTLS); default false' })),
    }),
  ),
  metrics: Type.Optional(
    Obj({
      enabled: Type.Optional(Type.Boolean({ description: 'redis_exporter sidecar; default false' })),
      image: Type.Optional(Type.String({ minLength: 1 })),
      serviceMonitor: Type.Optional(Type.Boolean({ description: 'default true when metrics are enabled' })),
      prometheusRule: Type.Optional(Type.Boolean({ description: 'default true when metrics are enabled' })),
      labels: Type.Optional(StringMap('Extra labels for the ServiceMonitor and PrometheusRule (Prometheus selectors)')),
    }),
  ),
  scheduling: Type.Optional(
    Obj({
      antiAffinity: Type.Optional(Enum(ANTI_AFFINITY, 'REQUIRED (default for SENTINEL/CLUSTER), PREFERRED or NONE')),
      zoneSpread: Type.Optional(
        Type.Boolean({ description: 'Spread pods across topology.kubernetes.io/zone; default true for HA modes' }),
      ),
      nodeSelector: Type.Optional(StringMap('Node labels the pods must match')),
      tolerations: Type.Optional(
        Type.Array(
          Obj({
            key: Type.Optional(Type.String()),
            operator: Type.Optional(Type.Union([Type.Literal('Exists'), Type.Literal('Equal')])),
            value: Type.Optional(Type.String()),
            effect: Type.Optional(
              Type.Union([Type.Literal('NoSchedule'), Type.Literal('PreferNoSchedule'), Type.Literal('NoExecute')]),
            ),
            tolerationSeconds: Type.Optional(
              Type.Integer({ minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER }),
            ),
          }),
        ),
      ),
      priorityClassName: Type.Optional(Type.String({ minLength: 1 })),
    }),
  ),
  networkPolicy: Type.Optional(
    Obj({
      enabled: Type.Optional(Type.Boolean({ description: 'default true' })),
      allowNamespaces: Type.Optional(
        Type.Array(Type.String(), {
          description:
            'Namespaces whose pods labelled redis-kubernetes.io/client=<name> may connect (the instance namespace always may)',
        }),
      ),
      metricsNamespaces: Type.Optional(
        Type.Array(Type.String(), {
          description:
            'Namespaces that may scrape the exporter port 9121 (where Prometheus runs); default every namespace',
        }),
      ),
    }),
  ),
  config: Type.Optional(
    Obj({
      maxmemoryPolicy: Type.Optional(Enum(MAXMEMORY_POLICIES, 'default noeviction')),
      maxmemoryPercent: Type.Optional(
        Type.Integer({ minimum: 50, maximum: 90, description: 'maxmemory as % of the memory limit; default 75' }),
      ),
      extra: Type.Optional(
        Type.Record(Type.String(), Type.String(), {
          description: 'Extra valkey.conf directives from an allow-list',
          maxProperties: MAX_EXTRA_DIRECTIVES,
          'x-kubernetes-validations': [EXTRA_DIRECTIVES_ALLOWED],
        }),
      ),
    }),
  ),
});

/** DNS-1123 label; names are kept to 40 characters so "-sentinel-NN" pod names stay within 63. */
export const DNS1123_LABEL_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
/** The instance name also names Services, which must be DNS-1035 labels: a leading digit is refused. */
export const NAME_PATTERN = '^[a-z]([-a-z0-9]*[a-z0-9])?$';
export const MAX_NAME_LENGTH = 40;

export const MetadataSchema = Obj({
  name: Type.String({
    pattern: NAME_PATTERN,
    minLength: 1,
    maxLength: MAX_NAME_LENGTH,
    description: 'DNS-1035 label (starts with a letter), at most 40 characters',
  }),
  namespace: Type.Optional(Type.String()),
  labels: Type.Optional(StringMap('Labels copied onto every object the instance owns')),
  annotations: Type.Optional(StringMap('Annotations copied onto every object the instance owns')),
  // Project Planton's metadata fields.
  slug: Type.Optional(Type.String()),
  id: Type.Optional(Type.String()),
  org: Type.Optional(Type.String()),
  env: Type.Optional(Type.String()),
  tags: Type.Optional(Type.Array(Type.String())),
  version: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});

export const API_VERSION = 'kubernetes.project-planton.org/v1';
export const KINDS = ['RedisKubernetes', 'KubernetesRedis'] as const;

export const ManifestSchema = Obj({
  apiVersion: Type.Literal(API_VERSION),
  kind: Enum(KINDS, 'RedisKubernetes (KubernetesRedis is accepted as an alias)'),
  metadata: MetadataSchema,
  spec: Type.Optional(SpecSchema),
  status: Type.Optional(Type.Unknown()),
});

export type Manifest = Static<typeof ManifestSchema>;
export type Spec = Static<typeof SpecSchema>;
export type ResourcesSpec = Static<typeof Resources>;
export type Mode = (typeof MODES)[number];
export type PersistenceMode = (typeof PERSISTENCE_MODES)[number];
export type AntiAffinity = (typeof ANTI_AFFINITY)[number];
export type MaxmemoryPolicy = (typeof MAXMEMORY_POLICIES)[number];
