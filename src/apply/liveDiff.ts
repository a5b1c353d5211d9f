// What apply would change, object by object: the server's dry-run of our apply compared with
// the live object. Comparing two server-produced objects means defaulted fields, admission
// mutations and quantity canonicalisation appear on both sides; only bookkeeping is stripped.
import type { Instance } from '../api/instance.js';
import { diffLines, normalizeForDiff, redactSecretPair } from './normalize.js';
import { planInstance } from './plan.js';
import { findPrunable } from './prune.js';
import { readObject, serverSideApply } from './serverSideApply.js';
import type { Session } from './session.js';
import { unifiedDiff } from './textDiff.js';

export interface ObjectChange {
  ref: string;
  change: 'new' | 'changed' | 'unchanged' | 'prune';
  /** Unified diff hunks for 'changed'. */
  lines: string[];
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
    const next = reachable ? await serverSideApply(s, p.info, p.obj, { dryRun: true }) : null;
    if (!live) { out.push({ ref: p.ref, change: 'new', lines: [] }); continue; }
    const lines = compareObjects(live, next);
    out.push({ ref: p.ref, change: lines.length ? 'changed' : 'unchanged', lines });
  }
  for (const f of await findPrunable(s, inst, plan.objects.map((p) => p.obj))) out.push({ ref: f.ref, change: 'prune', lines: [] });
  return out;
}

/** Printable lines, "diff -u" style, for every object that would change. */
export function formatChanges(namespace: string, changes: ObjectChange[]): string[] {
  const out: string[] = [];
  for (const c of changes) {
    if (c.change === 'new') out.push(`+++ ${c.ref} (new, namespace ${namespace})`);
    else if (c.change === 'prune') out.push(`--- ${c.ref} (would be pruned, namespace ${namespace})`);
    else if (c.change === 'changed') out.push(`--- ${c.ref} (live, namespace ${namespace})`, `+++ ${c.ref} (after apply)`, ...c.lines);
  }
  return out;
}
