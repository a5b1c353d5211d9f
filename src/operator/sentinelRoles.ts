// The redis-kubernetes.io/role label of the data pods, from the sentinels' view: the master
// Service selects role=master, so the label must name the master the sentinels promote, not
// whatever a pod's ordinal or a stale INFO says.
import type { InstanceStatus } from '../engine/status.js';

/**
 * The data member the sentinels name as master, or null while that is not settled (the labels
 * are then left as they are). First Sentinel's own rule: the view with the newest config epoch
 * wins, taken when the sentinels holding it agree and the member they name reports itself master
 * (so a failover is followed as soon as one sentinel has switched). Otherwise a quorum and a
 * majority of the answering sentinels must agree.
 */
export function sentinelsMaster(live: InstanceStatus, quorum: number): string | null {
  const answering = live.members.filter((m) => m.kind === 'sentinel' && m.role === 'sentinel');
  const data = new Map(live.members.filter((m) => m.kind === 'server').map((m) => [m.name, m]));
  const newest = Math.max(...answering.map((m) => m.configEpoch ?? -1));
  const named = new Set(answering.filter((m) => (m.configEpoch ?? -1) === newest).map((m) => m.sees));
  const [only] = named;
  if (named.size === 1 && only && data.get(only)?.role === 'master') return only;
  const votes = new Map<string, number>();
  for (const m of answering) if (m.sees) votes.set(m.sees, (votes.get(m.sees) ?? 0) + 1);
  for (const [member, n] of votes) if (data.has(member) && n >= quorum && n * 2 > answering.length) return member;
  return null;
}

/** Pods whose role label must change, and to what. */
export function roleLabelChanges(
  pods: ReadonlyArray<{ name: string; role: string | undefined }>,
  master: string,
): Array<{ pod: string; role: 'master' | 'replica' }> {
  const out: Array<{ pod: string; role: 'master' | 'replica' }> = [];
  for (const p of pods) {
    const want = p.name === master ? 'master' : 'replica';
    if (p.role !== want) out.push({ pod: p.name, role: want });
  }
  // The old master loses its label before the new one gets it: the Service never selects two.
  return out.sort((a, b) => (a.role === b.role ? 0 : a.role === 'replica' ? -1 : 1));
}
