// The finalizer: a resource the operator reconciles carries it, so deleting the resource waits
// until the operator has taken its objects away in order (workloads before the config they mount,
// their pods gone), exactly as `rk delete` does (deleteInstance, no second copy). The data (PVCs)
// and the generated password Secret that belongs with it are kept, as `rk delete` keeps them
// without --purge, unless spec.persistence.deleteClaim asks for them to go too. Owner references
// alone would delete in no order and not wait for the pods.
import type { Instance } from '../api/instance.js';
import { deleteInstance } from '../apply/deleteInstance.js';
import { resourcePath, type ResourceInfo } from '../apply/discovery.js';
import type { Session } from '../apply/session.js';
import type { Resource } from './resource.js';
import { deleteAppliedPassword } from './appliedPassword.js';

export const FINALIZER = 'redis-kubernetes.io/finalizer';

type WithFinalizers = Resource & { metadata: Resource['metadata'] & { finalizers?: string[] } };

const hasFinalizer = (res: Resource) => ((res as WithFinalizers).metadata.finalizers ?? []).includes(FINALIZER);

/** Writes the finalizers list, resourceVersion-checked (a 409 fails the reconcile: retried on the fresh object). */
async function setFinalizers(s: Session, info: ResourceInfo, res: Resource, finalizers: string[]): Promise<void> {
  const updated = await s.http.request<Resource>(
    'PATCH',
    resourcePath(info, res.metadata.namespace, res.metadata.name),
    {
      body: { metadata: { resourceVersion: res.metadata.resourceVersion, finalizers } },
      contentType: 'application/merge-patch+json',
    },
  );
  // The status written later in this reconcile must carry the version this write produced.
  res.metadata.resourceVersion = updated.metadata.resourceVersion;
}

/** Adds the finalizer when missing. */
export async function ensureFinalizer(s: Session, info: ResourceInfo, res: Resource): Promise<void> {
  if (hasFinalizer(res)) return;
  await setFinalizers(s, info, res, [...((res as WithFinalizers).metadata.finalizers ?? []), FINALIZER]);
}

/**
 * The resource is being deleted: delete what it owns (when its spec still resolves; otherwise the
 * owner references let the garbage collector do it), then let it go once its pods are gone.
 * Returns what is still going away: the caller looks again later rather than hold a worker while
 * pods shut down (a master's shutdown save may take long).
 */
export async function finalize(
  s: Session,
  info: ResourceInfo,
  res: Resource,
  inst: Instance | null,
  log: (line: string) => void,
): Promise<{ goingAway: string | null }> {
  if (!hasFinalizer(res)) return { goingAway: null };
  if (inst) {
    const { goingAway } = await deleteInstance(s, inst, {
      purge: inst.persistence.deleteClaim,
      purgeHint: 'spec.persistence.deleteClaim: true',
      timeoutMs: 0,
      wait: false,
      out: log,
      progress: log,
    });
    if (goingAway) return { goingAway };
    await deleteAppliedPassword(s, inst);
  }
  await setFinalizers(
    s,
    info,
    res,
    ((res as WithFinalizers).metadata.finalizers ?? []).filter((f) => f !== FINALIZER),
  );
  return { goingAway: null };
}
