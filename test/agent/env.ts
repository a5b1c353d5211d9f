// A container's environment, resolved the way the kubelet does it: image
// defaults, service links, envFrom, then env (later wins), with $(VAR)
// references expanded in values and in command/args.
import { cpus, totalmem } from 'node:os';
import type { V1ConfigMap, V1Container, V1Pod, V1Secret } from '@kubernetes/client-node';

/** Reads referenced objects; undefined when they do not exist. */
export interface ObjectSource {
  configMap(namespace: string, name: string): Promise<V1ConfigMap | undefined>;
  secret(namespace: string, name: string): Promise<V1Secret | undefined>;
}

/** A reference the pod needs is missing: the container waits (CreateContainerConfigError) and is retried. */
export class ConfigError extends Error {}

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export const secretValue = (s: V1Secret, key: string): string | undefined => {
  const b64 = s.data?.[key];
  if (b64 !== undefined) return Buffer.from(b64, 'base64').toString('utf8');
  return s.stringData?.[key];
};

export async function resolveEnv(
  pod: V1Pod,
  c: V1Container,
  src: ObjectSource,
  base: Record<string, string>,
): Promise<Record<string, string>> {
  const ns = pod.metadata!.namespace!;
  const env: Record<string, string> = { PATH: DEFAULT_PATH, HOME: '/root', ...base };

  for (const from of c.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    if (from.configMapRef) {
      const cm = await src.configMap(ns, from.configMapRef.name!);
      if (!cm) {
        if (from.configMapRef.optional) continue;
        throw new ConfigError(`configmap "${from.configMapRef.name}" not found`);
      }
      for (const [k, v] of Object.entries(cm.data ?? {})) env[prefix + k] = v;
    } else if (from.secretRef) {
      const s = await src.secret(ns, from.secretRef.name!);
      if (!s) {
        if (from.secretRef.optional) continue;
        throw new ConfigError(`secret "${from.secretRef.name}" not found`);
      }
      for (const k of Object.keys(s.data ?? {})) env[prefix + k] = secretValue(s, k)!;
    }
  }

  for (const e of c.env ?? []) {
    if (e.valueFrom === undefined) {
      env[e.name] = expand(e.value ?? '', env);
      continue;
    }
    const v = await valueFrom(pod, c, e.valueFrom, src);
    if (v !== undefined) env[e.name] = v;
  }
  return env;
}

async function valueFrom(
  pod: V1Pod,
  c: V1Container,
  vf: NonNullable<NonNullable<V1Container['env']>[number]['valueFrom']>,
  src: ObjectSource,
): Promise<string | undefined> {
  const ns = pod.metadata!.namespace!;
  if (vf.secretKeyRef) {
    const ref = vf.secretKeyRef;
    const s = await src.secret(ns, ref.name!);
    const v = s ? secretValue(s, ref.key) : undefined;
    if (v === undefined && !ref.optional)
      throw new ConfigError(s ? `key "${ref.key}" not in secret "${ref.name}"` : `secret "${ref.name}" not found`);
    return v;
  }
  if (vf.configMapKeyRef) {
    const ref = vf.configMapKeyRef;
    const cm = await src.configMap(ns, ref.name!);
    const v = cm?.data?.[ref.key];
    if (v === undefined && !ref.optional)
      throw new ConfigError(
        cm ? `key "${ref.key}" not in configmap "${ref.name}"` : `configmap "${ref.name}" not found`,
      );
    return v;
  }
  if (vf.fieldRef) return fieldValue(pod, vf.fieldRef.fieldPath);
  if (vf.resourceFieldRef) {
    const ref = vf.resourceFieldRef;
    const target = ref.containerName
      ? ([...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find(
          (x) => x.name === ref.containerName,
        ) ?? c)
      : c;
    return resourceValue(target, ref.resource, ref.divisor);
  }
  return undefined;
}

/** Downward API field paths (the subset the kubelet supports for env and volumes). */
export function fieldValue(pod: V1Pod, path: string): string {
  const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (m) return (m[1] === 'labels' ? pod.metadata?.labels : pod.metadata?.annotations)?.[m[2]!] ?? '';
  const kv = (o: Record<string, string> | undefined) =>
    Object.entries(o ?? {})
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join('\n');
  switch (path) {
    case 'metadata.name':
      return pod.metadata?.name ?? '';
    case 'metadata.namespace':
      return pod.metadata?.namespace ?? '';
    case 'metadata.uid':
      return pod.metadata?.uid ?? '';
    case 'metadata.labels':
      return kv(pod.metadata?.labels);
    case 'metadata.annotations':
      return kv(pod.metadata?.annotations);
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? '';
    case 'status.hostIP':
      return pod.status?.hostIP ?? '';
    case 'status.hostIPs':
      return (pod.status?.hostIPs ?? []).map((i) => i.ip).join(',');
    case 'status.podIP':
      return pod.status?.podIP ?? '';
    case 'status.podIPs':
      return (pod.status?.podIPs ?? []).map((i) => i.ip).join(',');
    default:
      throw new ConfigError(`unsupported fieldRef ${path}`);
  }
}

/** resourceFieldRef: the container's limit (node capacity when unset) or request, divided and rounded up. */
export function resourceValue(c: V1Container, resource: string, divisor?: string): string {
  const [kind, name] = resource.split('.') as [string, string];
  const set = kind === 'limits' ? c.resources?.limits : c.resources?.requests;
  let q = set?.[name];
  if (q === undefined) q = name === 'cpu' ? String(cpus().length) : name === 'memory' ? String(totalmem()) : '0';
  const d = parseQuantity(divisor ?? (name === 'cpu' ? '1' : '1'));
  return String(Math.ceil(parseQuantity(q) / (d || 1)));
}

const SUFFIX: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

export function parseQuantity(q: string): number {
  const m = /^([+-]?[0-9.]+(?:[eE][+-]?\d+)?)([a-zA-Z]*)$/.exec(q.trim());
  if (!m || SUFFIX[m[2]!] === undefined) throw new ConfigError(`bad quantity ${q}`);
  return Number(m[1]) * SUFFIX[m[2]!]!;
}

/** Kubernetes $(VAR) expansion: defined vars are substituted, $$ escapes, unknown refs stay literal. */
export function expand(s: string, env: Record<string, string>): string {
  return s.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (whole, name: string | undefined) => {
    if (whole === '$$') return '$';
    return name !== undefined && Object.prototype.hasOwnProperty.call(env, name) ? env[name]! : whole;
  });
}
