// rk apply for one instance: plan (all checks before any write), server-side apply in dependency
// order, prune what the spec no longer renders, then wait for the rollout.
import type { Instance } from '../api/instance.js';
import { ConflictError, KubeError } from './errors.js';
import { compareObjects } from './liveDiff.js';
import { planInstance, type PlannedObject } from './plan.js';
import { findPrunable, pruneOne } from './prune.js';
import { readinessLine } from './readiness.js';
import { waitForRollout } from './rollout.js';
import { readObject, serverSideApply, type LiveObject } from './serverSideApply.js';
import type { Session } from './session.js';

export interface ApplyOptions {
  dryRun: boolean;
  /** Take over fields another field manager set (kubectl's --force-conflicts); otherwise such a conflict stops the apply. */
  forceConflicts: boolean;
  wait: boolean;
  timeoutMs: number;
  /** One line per object: "statefulset.apps/cache configured". */
  out: (line: string) => void;
  /** Warnings and rollout progress. */
  progress: (line: string) => void;
}

export type Outcome = 'created' | 'configured' | 'unchanged' | 'pruned';

export async function applyInstance(
  s: Session,
  inst: Instance,
  o: ApplyOptions,
): Promise<Array<{ ref: string; outcome: Outcome }>> {
  const start = Date.now();
  const plan = await planInstance(s, inst);
  for (const w of plan.warnings) o.progress(`warning: ${w}`);
  const suffix = o.dryRun ? ' (server dry run)' : '';
  const results: Array<{ ref: string; outcome: Outcome }> = [];
  const report = (ref: string, outcome: Outcome, note = '') => {
    results.push({ ref, outcome });
    o.out(`${ref} ${outcome}${suffix}${note}`);
  };
  const force = o.forceConflicts;
  // Every object is dry-run first, so a spec the server refuses (an immutable field, a CRD
  // validation, a field someone else changed) fails before anything is written rather than
  // leaving config and workload apart.
  const checked = new Map<PlannedObject, { before: LiveObject | null; dry: LiveObject }>();
  const rejected: string[] = [];
  const conflicts: ConflictError[] = [];
  for (const p of plan.objects) {
    // The API server refuses even a dry-run create in a namespace that does not exist yet.
    if (p.info.namespaced && !plan.namespaceExists) continue;
    try {
      const before = await readObject(s, p.info, p.obj.metadata.namespace, p.obj.metadata.name);
      checked.set(p, { before, dry: await serverSideApply(s, p.info, p.obj, { dryRun: true, force }) });
    } catch (e) {
      if (e instanceof ConflictError) conflicts.push(e);
      else rejected.push(`${p.ref}: ${(e as Error).message}`);
    }
  }
  // All conflicts in one line (it names each object), so one --force-conflicts decision covers them.
  if (conflicts.length) rejected.push(ConflictError.merge(conflicts).message);
  if (rejected.length) {
    for (const r of rejected.slice(0, -1)) o.progress(`error: ${r}`);
    throw new KubeError(
      rejected.length === 1 ? rejected[0]! : `${rejected[rejected.length - 1]} (and ${rejected.length - 1} more above)`,
    );
  }

  for (const p of plan.objects) {
    const c = checked.get(p);
    if (o.dryRun) {
      if (!c) report(p.ref, 'created', `; not validated: namespace ${inst.namespace} does not exist yet`);
      // A dry run never bumps resourceVersion: compare contents instead.
      else
        report(
          p.ref,
          c.before === null ? 'created' : compareObjects(c.before, c.dry).length ? 'configured' : 'unchanged',
        );
      continue;
    }
    try {
      const after = await serverSideApply(s, p.info, p.obj, { dryRun: false, force });
      const before = c ? c.before : null; // unchecked only when its namespace did not exist: new
      report(
        p.ref,
        before === null
          ? 'created'
          : before.metadata.resourceVersion !== after.metadata.resourceVersion
            ? 'configured'
            : 'unchanged',
      );
    } catch (e) {
      // Later objects (the StatefulSet) depend on earlier ones: stop at the first refusal.
      throw new KubeError(`${p.ref}: ${(e as Error).message}`);
    }
  }
  if (plan.auth.creating && !o.dryRun) {
    o.progress(
      `generated the password: Secret ${inst.namespace}/${inst.auth.secretName}, key "${inst.auth.secretKey}" (kept across applies)`,
    );
  }

  for (const f of await findPrunable(
    s,
    inst,
    plan.objects.map((p) => p.obj),
  )) {
    if (await pruneOne(s, f, o.dryRun)) report(f.ref, 'pruned');
  }

  if (o.wait && !o.dryRun) {
    const sets = plan.objects.filter((p) => p.info.kind === 'StatefulSet');
    await waitForRollout(s, sets, { timeoutMs: Math.max(0, o.timeoutMs - (Date.now() - start)), progress: o.progress });
    o.progress(readinessLine(inst, (Date.now() - start) / 1000));
  }
  return results;
}
