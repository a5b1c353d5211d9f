// Everything apply and diff must know before changing anything: does the namespace exist, what
// is the auth Secret, what are the objects and where does each one live. Problems the user must
// fix (missing CRDs, missing Secret, missing namespace) surface here, before any write, so a
// failed apply never leaves a half-changed instance behind.
import type { Instance } from '../api/instance.js';
import type { KubeObject } from '../render/objects.js';
import { render } from '../render/render.js';
import { resolveAuth, type AuthFacts } from './authSecret.js';
import { objectRef, type ResourceInfo } from './discovery.js';
import { explain, KubeApiError, KubeError } from './errors.js';
import type { Session } from './session.js';

export interface PlannedObject {
  obj: KubeObject;
  info: ResourceInfo;
  ref: string;
}

export interface Plan {
  inst: Instance;
  objects: PlannedObject[];
  /** False when the namespace is still to be created (createNamespace): namespaced objects cannot be dry-run yet. */
  namespaceExists: boolean;
  auth: AuthFacts;
  warnings: string[];
}

/** Why a CRD-backed kind is in the output, and what to do when its CRD is missing. */
const CRD_HINTS: Record<string, { needs: string; unless: string }> = {
  Certificate: {
    needs: "tls.issuerRef needs cert-manager's CRDs",
    unless: 'use tls.existingSecret instead of tls.issuerRef',
  },
  ServiceMonitor: {
    needs: 'metrics.enabled needs the prometheus-operator CRDs',
    unless: 'set metrics.serviceMonitor: false',
  },
  PrometheusRule: {
    needs: 'metrics.enabled needs the prometheus-operator CRDs',
    unless: 'set metrics.prometheusRule: false',
  },
};

async function exists(s: Session, path: string): Promise<boolean | null> {
  try {
    await s.http.request('GET', path);
    return true;
  } catch (e) {
    if (e instanceof KubeApiError && e.status === 404) return false;
    if (e instanceof KubeApiError && e.status === 403) return null; // may not read it: cannot tell
    throw e;
  }
}

export async function namespaceExists(s: Session, ns: string): Promise<boolean> {
  try {
    // A user limited to their namespace may not read Namespace objects; assume it exists then.
    return (await exists(s, `/api/v1/namespaces/${encodeURIComponent(ns)}`)) ?? true;
  } catch (e) {
    throw explain(e, { verb: 'get', resource: 'namespaces', object: `Namespace ${ns}` });
  }
}

/** Cluster-scoped things the pods need that we do not create: worth a warning, not a failure. */
async function warnings(s: Session, inst: Instance): Promise<string[]> {
  const out: string[] = [];
  const check = async (path: string, what: string, field: string) => {
    const found = await exists(s, path).catch(() => null);
    if (found === false)
      out.push(
        `${what} does not exist (${field}): the pods cannot be ${what.startsWith('Priority') ? 'created' : 'scheduled'} until it does`,
      );
  };
  if (inst.scheduling.priorityClassName)
    await check(
      `/apis/scheduling.k8s.io/v1/priorityclasses/${encodeURIComponent(inst.scheduling.priorityClassName)}`,
      `PriorityClass ${inst.scheduling.priorityClassName}`,
      'scheduling.priorityClassName',
    );
  if (inst.persistence.mode !== 'NONE' && inst.persistence.storageClass)
    await check(
      `/apis/storage.k8s.io/v1/storageclasses/${encodeURIComponent(inst.persistence.storageClass)}`,
      `StorageClass ${inst.persistence.storageClass}`,
      'persistence.storageClass',
    );
  return out;
}

export async function planInstance(s: Session, inst: Instance): Promise<Plan> {
  const nsExists = await namespaceExists(s, inst.namespace);
  if (!nsExists && !inst.createNamespace)
    throw new KubeError(
      `namespace ${inst.namespace} does not exist: create it (kubectl create namespace ${inst.namespace}), or set spec.createNamespace: true`,
    );
  const auth = await resolveAuth(s, inst, nsExists);
  const rendered = render(inst, {
    ...(auth.generatedPassword !== undefined ? { generatedPassword: auth.generatedPassword } : {}),
  });
  const objects: PlannedObject[] = [];
  const missing: KubeObject[] = [];
  for (const obj of rendered) {
    const info = await s.discovery.find(obj.apiVersion, obj.kind).catch((e: unknown) => {
      throw explain(e, { verb: 'get', resource: `${obj.apiVersion} discovery` });
    });
    if (!info) missing.push(obj);
    else objects.push({ obj, info, ref: objectRef(info, obj.metadata.name) });
  }
  if (missing.length) throw new KubeError(missingKindsMessage(missing));
  return { inst, objects, namespaceExists: nsExists, auth, warnings: await warnings(s, inst) };
}

/** "metrics.enabled needs the prometheus-operator CRDs (ServiceMonitor, PrometheusRule: monitoring.coreos.com/v1) installed; or set …". */
export function missingKindsMessage(missing: Array<Pick<KubeObject, 'apiVersion' | 'kind'>>): string {
  const groups = new Map<string, Array<Pick<KubeObject, 'apiVersion' | 'kind'>>>();
  for (const m of missing) {
    const need = CRD_HINTS[m.kind]?.needs ?? 'the cluster does not serve';
    groups.set(need, [...(groups.get(need) ?? []), m]);
  }
  const parts = [...groups].map(([need, ms]) => {
    const kinds = [...new Set(ms.map((m) => m.kind))].join(', ');
    const versions = [...new Set(ms.map((m) => m.apiVersion))].join(', ');
    const unless = [...new Set(ms.map((m) => CRD_HINTS[m.kind]?.unless).filter(Boolean))].join(' and ');
    return CRD_HINTS[ms[0]!.kind]
      ? `${need} (${kinds}: ${versions}) installed${unless ? `; or ${unless}` : ''}`
      : `${need} ${kinds} (${versions})`;
  });
  return parts.join('; ');
}
