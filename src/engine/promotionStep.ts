// A requested switchover (`kubectl rk promote NAME POD`): whether the master role may move to
// that replica now, decided from one observation. Every request gets one answer — done, refused
// with a reason, or a handover — so the person who asked learns the outcome instead of a request
// that waits forever. Pure: the caller observes and acts (operator/promotion.ts).
import type { InstanceStatus } from './status.js';

export interface PromotionInput {
  mode: 'STANDALONE' | 'SENTINEL' | 'CLUSTER';
  live: InstanceStatus;
  /** The pod the master role should move to. */
  target: string;
  /** Every data member the spec names. */
  members: readonly string[];
  /** Data members whose pod is Ready (and not being deleted). */
  ready: ReadonlySet<string>;
  /** A rolling restart still has pods to restart: it moves roles itself. */
  rolling: boolean;
}

export type PromotionRefusal =
  | 'NotReplicated'
  | 'UnknownMember'
  | 'NotReady'
  | 'NotAReplica'
  | 'ReplicaNotSynced'
  | 'InstanceNotHealthy'
  | 'RollingRestartInProgress';

export type PromotionStep =
  | { kind: 'done'; message: string }
  | { kind: 'refused'; reason: PromotionRefusal; message: string }
  /** Move the master role from `master` to `target` (the caller still checks its offset live). */
  | { kind: 'handover'; master: string; target: string; message: string };

export function decidePromotion(input: PromotionInput): PromotionStep {
  const { live, target, members } = input;
  const refuse = (reason: PromotionRefusal, message: string): PromotionStep => ({ kind: 'refused', reason, message });
  if (input.mode === 'STANDALONE') return refuse('NotReplicated', `a STANDALONE instance has no replica to promote`);
  if (!members.includes(target))
    return refuse('UnknownMember', `${target} is not a data pod of ${live.name} (${members.join(', ')})`);
  const me = live.members.find((m) => m.name === target);
  if (me?.role === 'master') return { kind: 'done', message: `${target} is already master` };
  if (input.rolling)
    return refuse('RollingRestartInProgress', `a rolling restart is moving roles; ask again when it is done`);
  if (!input.ready.has(target)) return refuse('NotReady', `${target} is not Ready`);
  if (!live.ready) return refuse('InstanceNotHealthy', `the instance is not healthy: ${live.problems[0] ?? 'unknown'}`);
  if (me?.role !== 'replica' || !me.masterName)
    return refuse('NotAReplica', `${target} is ${me?.role ?? 'not observed'}, not a replica`);
  if (me.link !== 'up')
    return refuse('ReplicaNotSynced', `${target}'s link to ${me.masterName} is ${me.link ?? 'unknown'}`);
  return {
    kind: 'handover',
    master: me.masterName,
    target,
    message: `handing the master role over from ${me.masterName} to ${target} on request`,
  };
}
