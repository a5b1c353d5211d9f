// rk delete: everything the instance owns, found by its labels, then wait for the pods to go.
// Kept unless --purge: the PVCs (the data) and the generated auth Secret (the password that
// belongs with that data). Always kept: the Namespace, which may hold other things.
import type { Instance } from '../api/instance.js';
import { instanceLabels, LABEL, MANAGER } from '../render/names.js';
import { objectRef } from './discovery.js';
import { KubeError } from './errors.js';
import { findOwned, labelSelector, OWNED_KINDS } from './prune.js';
import { deleteObject, listObjects, readObject, type LiveObject } from './serverSideApply.js';
import type { Session } from './session.js';

export interface DeleteOptions {
  purge: boolean;
  /** How the user asks for purge, for the "kept" lines (default: rk delete's --purge). */
  purgeHint?: string;
  timeoutMs: number;
  out: (line: string) => void;
  progress: (line: string) => void;
  pollMs?: number;
  /**
   * false: delete and return at once with what is still going (the operator's finalizer looks
   * again on its next reconcile rather than hold a worker while pods shut down).
   */
  wait?: boolean;
}

export interface DeleteResult {
  deleted: number;
  /** Without wait: what is still on its way out ("3 pods: a-0, a-1, a-2"), or null when all is gone. */
  goingAway: string | null;
}

/** What of a list is still there, as one line, or null. */
function leftOver(what: string, objs: LiveObject[]): string | null {
  const left = objs.map((o) => o.metadata.name).sort();
  if (!left.length) return null;
  return `${left.length} ${what}: ${left.slice(0, 5).join(', ')}${left.length > 5 ? ', …' : ''}`;
}

async function waitGone(
  what: string,
  timeoutMs: number,
  pollMs: number,
  progress: (l: string) => void,
  list: () => Promise<LiveObject[]>,
): Promise<void> {
  const start = Date.now();
  let last = '';
  for (;;) {
    const left = leftOver(what, await list());
    if (!left) return;
    const line = `waiting for ${left} to go`;
    if (line !== last) progress(line);
    last = line;
    if (Date.now() - start >= timeoutMs)
      throw new KubeError(`timed out after ${Math.round(timeoutMs / 1000)}s ${line}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

export async function deleteInstance(s: Session, inst: Instance, o: DeleteOptions): Promise<DeleteResult> {
  const start = Date.now();
  const remaining = () => Math.max(0, o.timeoutMs - (Date.now() - start));
  const pollMs = o.pollMs ?? 1000;
  const selector = labelSelector(instanceLabels(inst));
  let deleted = 0;
  // Reverse apply order: workloads go before the config and identity they mount.
  for (const f of await findOwned(s, inst, [...OWNED_KINDS].reverse())) {
    // Already on its way out (a finalizer looking again): deleting it again says nothing new.
    if (f.obj.metadata.deletionTimestamp) continue;
    const propagation = f.info.kind === 'StatefulSet' ? 'Foreground' : 'Background';
    if (await deleteObject(s, f.info, inst.namespace, f.obj.metadata.name, { propagation })) {
      o.out(`${f.ref} deleted`);
      deleted++;
    }
  }

  const secretInfo = await s.discovery.resolve('v1', 'Secret');
  if (inst.auth.enabled && inst.auth.generated) {
    const secret = await readObject(s, secretInfo, inst.namespace, inst.auth.secretName);
    // Only a Secret we generated (it carries our labels); a same-named one of the user's stays.
    const ours =
      secret?.metadata.labels?.[LABEL.instance] === inst.name && secret.metadata.labels?.[LABEL.managedBy] === MANAGER;
    if (secret && ours && o.purge) {
      if (await deleteObject(s, secretInfo, inst.namespace, inst.auth.secretName)) {
        o.out(`${objectRef(secretInfo, inst.auth.secretName)} deleted`);
        deleted++;
      }
    } else if (secret && ours) {
      o.progress(
        `kept ${objectRef(secretInfo, inst.auth.secretName)}: the password of the kept data (${o.purgeHint ?? '--purge'} deletes it)`,
      );
    }
  }

  const podInfo = await s.discovery.resolve('v1', 'Pod');
  const stsInfo = await s.discovery.resolve('apps/v1', 'StatefulSet');
  const listPods = () => listObjects(s, podInfo, inst.namespace, selector);
  const listSets = () => listObjects(s, stsInfo, inst.namespace, selector);
  if (o.wait === false) {
    // The claims are only touched once their pods are gone: a later call finds that.
    const goingAway = leftOver('pods', await listPods()) ?? leftOver('StatefulSets', await listSets());
    if (goingAway) return { deleted, goingAway };
  } else {
    await waitGone('pods', remaining(), pollMs, o.progress, listPods);
    // Foreground deletion keeps the StatefulSet until its pods are gone; wait for it too, or an
    // immediate re-apply could find it half-deleted.
    await waitGone('StatefulSets', remaining(), pollMs, o.progress, listSets);
  }

  const pvcInfo = await s.discovery.resolve('v1', 'PersistentVolumeClaim');
  const claims = await listObjects(s, pvcInfo, inst.namespace, selector);
  if (o.purge) {
    for (const c of claims) {
      if (await deleteObject(s, pvcInfo, inst.namespace, c.metadata.name)) {
        o.out(`${objectRef(pvcInfo, c.metadata.name)} deleted`);
        deleted++;
      }
    }
    const listClaims = () => listObjects(s, pvcInfo, inst.namespace, selector);
    if (o.wait === false) {
      const goingAway = leftOver('PersistentVolumeClaims', await listClaims());
      if (goingAway) return { deleted, goingAway };
    } else await waitGone('PersistentVolumeClaims', remaining(), pollMs, o.progress, listClaims);
  } else if (claims.length) {
    o.progress(
      `kept ${claims.length} PersistentVolumeClaim(s) with the data: ${claims
        .map((c) => c.metadata.name)
        .sort()
        .join(', ')} (${o.purgeHint ?? '--purge'} deletes them)`,
    );
  }
  if (deleted === 0 && o.wait !== false)
    o.progress(`nothing to delete: no objects of ${inst.name} in namespace ${inst.namespace}`);
  else o.progress(`${inst.namespace}/${inst.name}: deleted in ${((Date.now() - start) / 1000).toFixed(1)}s`);
  return { deleted, goingAway: null };
}
