// The rendered objects applied the way `rk apply` applies them (same plan, same renderer, same
// field manager, same prune), each owned by the resource (but the generated Secret, below).
// The operator owns these fields: it applies with force, so a hand edit is put back.
import type { Instance } from '../api/instance.js';
import { planInstance } from '../apply/plan.js';
import { findPrunable, pruneOne } from '../apply/prune.js';
import { serverSideApply } from '../apply/serverSideApply.js';
import type { Session } from '../apply/session.js';
import { ownerReference, type Resource } from './resource.js';

/** Applies every rendered object; returns the objects it pruned. */
export async function applyOwned(s: Session, inst: Instance, owner: Resource): Promise<string[]> {
  const plan = await planInstance(s, inst);
  const owners = [ownerReference(owner)];
  for (const p of plan.objects) {
    // Cluster-scoped objects (the Namespace of createNamespace) cannot be owned by a namespaced resource.
    if (!p.info.namespaced) continue;
    // The generated auth Secret is not owned: it is the password of the data the PVCs keep, so it
    // outlives the resource as it outlives `rk delete` (the garbage collector would take it).
    const owned = p.info.kind !== 'Secret';
    const obj = owned ? { ...p.obj, metadata: { ...p.obj.metadata, ownerReferences: owners } } : p.obj;
    await serverSideApply(s, p.info, obj, { dryRun: false, force: true });
  }
  const pruned: string[] = [];
  for (const f of await findPrunable(
    s,
    inst,
    plan.objects.map((p) => p.obj),
  )) {
    if (await pruneOne(s, f, false)) pruned.push(f.ref);
  }
  return pruned;
}
