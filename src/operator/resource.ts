// A live RedisKubernetes object turned into the resolved Instance that render and the engine
// use, through the same validation `rk validate` runs, or the reason it cannot be.
import { formatDiagnostic } from '../api/diagnostics.js';
import type { Instance } from '../api/instance.js';
import { validateDocument } from '../api/validate.js';
import type { Condition } from './conditions.js';

export interface Resource {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace: string;
    uid: string;
    generation?: number;
    resourceVersion?: string;
    deletionTimestamp?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: Record<string, unknown>;
  status?: { conditions?: Condition[]; records?: Record<string, string>; [k: string]: unknown };
}

/** What every object the operator creates for a resource carries: deleted with it, and watched as its. */
export function ownerReference(owner: Resource) {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name,
    uid: owner.metadata.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

type Resolved =
  { ok: true; inst: Instance } | { ok: false; reason: 'InvalidSpec' | 'NamespaceMismatch'; message: string };

export function resolveResource(r: Resource): Resolved {
  // Requests and tools' notes are dropped by the resolution (api/requestAnnotations.ts).
  const annotations = r.metadata.annotations ?? {};
  const value = {
    apiVersion: r.apiVersion,
    kind: r.kind,
    metadata: {
      name: r.metadata.name,
      namespace: r.metadata.namespace,
      ...(r.metadata.labels ? { labels: r.metadata.labels } : {}),
      ...(Object.keys(annotations).length ? { annotations } : {}),
    },
    spec: r.spec ?? {},
  };
  const v = validateDocument({
    value,
    source: `${r.kind.toLowerCase()}/${r.metadata.name}`,
    lineOf: () => null,
  });
  const errors = v.diagnostics.filter((d) => d.severity === 'error');
  if (!v.instance || errors.length) {
    return { ok: false, reason: 'InvalidSpec', message: errors.map(formatDiagnostic).join('; ') || 'invalid spec' };
  }
  // Owner references cannot cross namespaces, and a resource must not place objects where its
  // author may not: the objects live in the resource's own namespace.
  if (v.instance.namespace !== r.metadata.namespace) {
    return {
      ok: false,
      reason: 'NamespaceMismatch',
      message: `spec.namespace is ${v.instance.namespace} but the resource is in ${r.metadata.namespace}: create the resource in ${v.instance.namespace}, or remove spec.namespace`,
    };
  }
  return { ok: true, inst: v.instance };
}
