// Objects an earlier apply of this instance created that the current spec no longer renders
// (e.g. the sentinel StatefulSet after switching to STANDALONE). Found by the instance labels,
// and only when our field manager applied them, so nothing a person or another tool created is
// ever pruned. Never pruned: Secrets (the auth Secret holds the password clients use), PVCs
// (data) and the Namespace.
import type { Instance } from '../api/instance.js';
import type { KubeObject } from '../render/objects.js';
import { instanceLabels } from '../render/names.js';
import { objectRef, type ResourceInfo } from './discovery.js';
import { appliedByUs, deleteObject, listObjects, type LiveObject } from './serverSideApply.js';
import type { Session } from './session.js';

/** Every namespaced kind render can produce except Secret, in apply order. */
export const OWNED_KINDS: ReadonlyArray<{ apiVersion: string; kind: string }> = [
  { apiVersion: 'v1', kind: 'ServiceAccount' },
  { apiVersion: 'v1', kind: 'ConfigMap' },
  { apiVersion: 'cert-manager.io/v1', kind: 'Certificate' },
  { apiVersion: 'v1', kind: 'Service' },
  { apiVersion: 'apps/v1', kind: 'StatefulSet' },
  { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget' },
  { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy' },
  { apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor' },
  { apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule' },
];

export const labelSelector = (labels: Record<string, string>) =>
  Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

export interface Found {
  info: ResourceInfo;
  obj: LiveObject;
  ref: string;
}

/** Live objects of the instance, kind by kind (kinds the cluster does not serve are skipped). */
export async function findOwned(s: Session, inst: Instance, kinds = OWNED_KINDS): Promise<Found[]> {
  const out: Found[] = [];
  for (const k of kinds) {
    const info = await s.discovery.find(k.apiVersion, k.kind);
    if (!info) continue;
    for (const obj of await listObjects(s, info, inst.namespace, labelSelector(instanceLabels(inst)))) {
      out.push({ info, obj, ref: objectRef(info, obj.metadata.name) });
    }
  }
  return out;
}

export async function findPrunable(s: Session, inst: Instance, rendered: KubeObject[]): Promise<Found[]> {
  const keep = new Set(rendered.map((o) => `${o.kind}/${o.metadata.name}`));
  return (await findOwned(s, inst)).filter(
    (f) =>
      !keep.has(`${f.info.kind}/${f.obj.metadata.name}`) && appliedByUs(f.obj) && !f.obj.metadata.deletionTimestamp,
  );
}

/** Deletes one prunable object; false when something else deleted it meanwhile. */
export function pruneOne(s: Session, f: Found, dryRun: boolean): Promise<boolean> {
  // Foreground for StatefulSets so their pods are gone before the object is.
  return deleteObject(s, f.info, f.obj.metadata.namespace, f.obj.metadata.name, {
    propagation: f.info.kind === 'StatefulSet' ? 'Foreground' : 'Background',
    dryRun,
  });
}
