// What apply would change, object by object: the server's dry-run of our apply compared with
// the live object. Comparing two server-produced objects means defaulted fields, admission
// mutations and quantity canonicalisation appear on both sides; only bookkeeping is stripped.
import type { Instance } from '../api/instance.js';
import { ConflictError, describeConflicts, type ObjectConflicts } from './errors.js';
import { diffLines, normalizeForDiff, redactSecretPair } from './normalize.js';
import { planInstance, type PlannedObject } from './plan.js';
import { findPrunable } from './prune.js';
import { readObject, serverSideApply, type LiveObject } from './serverSideApply.js';
import type { Session } from './session.js';
import { unifiedDiff } from './textDiff.js';

export interface ObjectChange {
  ref: string;
  change: 'new' | 'changed' | 'unchanged' | 'prune';
  /** Unified diff hunks for 'changed'. */
  lines: string[];
  /** Fields another field manager set: plain rk apply stops at them; `lines` shows them taken over. */
  conflict?: ObjectConflicts;
}

/** Hunks between a live object and what it would become; [] when applying changes nothing. */
export function compareObjects(live: unknown, next: unknown): string[] {
  const [a, b] = redactSecretPair(normalizeForDiff(live), normalizeForDiff(next));
  return unifiedDiff(diffLines(a!), diffLines(b!));
}

export async function diffInstance(s: Session, inst: Instance): Promise<ObjectChange[]> {
  const plan = await planInstance(s, inst);
  const out: ObjectChange[] = [];
  for (const p of plan.objects) {
    const reachable = plan.namespaceExists || !p.info.namespaced;
    const live = reachable ? await readObject(s, p.info, p.obj.metadata.namespace, p.obj.metadata.name) : null;
    // New objects are dry-run too when possible, so an object the server would reject is an error here, not at apply.
    const { next, conflict } = reachable ? await dryRunApply(s, p) : { next: null };
    if (!live) {
      out.push({ ref: p.ref, change: 'new', lines: [] });
      continue;
    }
    const lines = compareObjects(live, next);
    out.push({ ref: p.ref, change: lines.length ? 'changed' : 'unchanged', lines, ...(conflict ? { conflict } : {}) });
  }
  for (const f of await findPrunable(
    s,
    inst,
    plan.objects.map((p) => p.obj),
  ))
    out.push({ ref: f.ref, change: 'prune', lines: [] });
  return out;
}

/**
 * Our apply dry-run, forced when it conflicts. kubectl diff --server-side stops at a conflict
 * (exit 2) unless given --force-conflicts; rk diff has no such flag, and a field someone else
 * changed is exactly the drift a diff is run to find. So it shows what rk apply
 * --force-conflicts would set, and conflictWarning says that plain rk apply would refuse; the
 * second request is made only for conflicting objects.
 */
async function dryRunApply(s: Session, p: PlannedObject): Promise<{ next: LiveObject; conflict?: ObjectConflicts }> {
  try {
    return { next: await serverSideApply(s, p.info, p.obj, { dryRun: true }) };
  } catch (e) {
    if (!(e instanceof ConflictError)) throw e;
    return { next: await serverSideApply(s, p.info, p.obj, { dryRun: true, force: true }), conflict: e.objects[0]! };
  }
}

/** One line for every conflict in the changes, or undefined. */
export function conflictWarning(changes: ObjectChange[]): string | undefined {
  const conflicts = changes.flatMap((c) => c.conflict ?? []);
  if (!conflicts.length) return undefined;
  return `warning: ${describeConflicts(conflicts)}: rk apply stops there unless run with --force-conflicts (the diff shows the values it would set)`;
}

/** Printable lines, "diff -u" style, for every object that would change. */
export function formatChanges(namespace: string, changes: ObjectChange[]): string[] {
  const out: string[] = [];
  for (const c of changes) {
    if (c.change === 'new') out.push(`+++ ${c.ref} (new, namespace ${namespace})`);
    else if (c.change === 'prune') out.push(`--- ${c.ref} (would be pruned, namespace ${namespace})`);
    else if (c.change === 'changed')
      out.push(`--- ${c.ref} (live, namespace ${namespace})`, `+++ ${c.ref} (after apply)`, ...c.lines);
  }
  return out;
}
