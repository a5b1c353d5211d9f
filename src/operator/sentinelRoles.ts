// The redis-kubernetes.io/role label of the data pods, from the sentinels' view: the master
// Service selects role=master, so the label must name the master the sentinels promote, not
// whatever a pod's ordinal or a stale INFO says.
import type { InstanceStatus } from '../engine/status.js';

/**
 * The data member a quorum of the answering sentinels names as master, and more than half of
 * them; null while they disagree (the labels are then left as they are: a failover is running).
 */
export function sentinelsMaster(live: InstanceStatus, quorum: number): string | null {
  const votes = new Map<string, number>();
  let answering = 0;
  for (const m of live.members) {
    if (m.kind !== 'sentinel' || m.role !== 'sentinel') continue;
    answering++;
    if (m.sees) votes.set(m.sees, (votes.get(m.sees) ?? 0) + 1);
  }
  const dataMembers = new Set(live.members.filter((m) => m.kind === 'server').map((m) => m.name));
  for (const [member, n] of votes) if (dataMembers.has(member) && n >= quorum && n * 2 > answering) return member;
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
