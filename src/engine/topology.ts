// Members of an instance and the roles they start with. Member names are the pod names on
// Kubernetes (<name>-0, <name>-sentinel-0), so both platforms speak of the same members.
import { ordinalOf } from '../platform/platform.js';
import type { Instance } from '../api/instance.js';
import type { MemberKind, Platform } from '../platform/platform.js';

export interface Member {
  name: string;
  kind: MemberKind;
  ordinal: number;
}

export function dataMembers(inst: Instance): Member[] {
  return Array.from({ length: inst.dataReplicas }, (_, i) => ({
    name: `${inst.name}-${i}`,
    kind: 'server' as const,
    ordinal: i,
  }));
}

export function sentinelMembers(inst: Instance): Member[] {
  const n = inst.sentinel?.replicas ?? 0;
  return Array.from({ length: n }, (_, i) => ({
    name: `${inst.name}-sentinel-${i}`,
    kind: 'sentinel' as const,
    ordinal: i,
  }));
}

export function allMembers(inst: Instance): Member[] {
  return [...dataMembers(inst), ...sentinelMembers(inst)];
}

/**
 * Initial cluster layout: ordinals 0..masters-1 are masters; the replicas of master m are the
 * next replicasPerMaster ordinals after all masters. (On Kubernetes anti-affinity keeps each
 * replica on another node than its master.)
 */
export function clusterLayout(inst: Instance): { masters: Member[]; replicasOf: Map<string, Member[]> } {
  const c = inst.cluster;
  if (!c) throw new Error('clusterLayout needs a CLUSTER instance');
  const members = dataMembers(inst);
  const masters = members.slice(0, c.masters);
  const replicasOf = new Map<string, Member[]>();
  masters.forEach((m, i) => {
    const start = c.masters + i * c.replicasPerMaster;
    replicasOf.set(m.name, members.slice(start, start + c.replicasPerMaster));
  });
  return { masters, replicasOf };
}

/**
 * Data members of the spec plus those the platform still holds although a changed spec no
 * longer names them (until they are retired): a master among them is still the master.
 */
export function knownDataMembers(ctx: { inst: Instance; platform: Platform }): string[] {
  const prefix = `${ctx.inst.name}-`;
  const own = (m: string) => m.startsWith(prefix) && /^\d+$/.test(m.slice(prefix.length));
  const names = new Set(dataMembers(ctx.inst).map((m) => m.name));
  for (const m of ctx.platform.members()) if (own(m)) names.add(m);
  return [...names].sort((a, b) => ordinalOf(a) - ordinalOf(b));
}

/** Sentinels of the spec plus those the platform still holds until they are retired. */
export function knownSentinelMembers(ctx: { inst: Instance; platform: Platform }): string[] {
  const prefix = `${ctx.inst.name}-sentinel-`;
  const names = new Set(sentinelMembers(ctx.inst).map((m) => m.name));
  for (const m of ctx.platform.members())
    if (m.startsWith(prefix) && /^\d+$/.test(m.slice(prefix.length))) names.add(m);
  return [...names].sort((a, b) => ordinalOf(a) - ordinalOf(b));
}
