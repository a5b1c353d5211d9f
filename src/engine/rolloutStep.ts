// The next step of a rolling restart where a member restarts by being replaced (a pod of an
// OnDelete StatefulSet deleted and recreated on the new revision): the same order as the local
// rollout (rollout.ts), decided one step at a time from what runs now, so whoever takes the next
// step — this process after a requeue, or a new leader after this one died — decides the same.
// Pure: the caller observes, this decides, the caller acts.
import type { InstanceStatus } from './status.js';

export interface RolloutInput {
  mode: 'STANDALONE' | 'SENTINEL' | 'CLUSTER';
  /** The live servers, observed in this step. */
  live: InstanceStatus;
  /** Data members whose pod runs an older revision than the one desired. */
  outdated: ReadonlySet<string>;
  /** Data members whose pod is Ready (and not being deleted). */
  ready: ReadonlySet<string>;
  /** Every data member the spec names (ordinal order). */
  members: readonly string[];
}

export type RolloutStep =
  | { kind: 'done' }
  /** Something is still settling (a restarted pod starting, a replica syncing): look again soon. */
  | { kind: 'wait'; message: string }
  | { kind: 'restart'; member: string; message: string }
  /** Move the master role off `master` to one of `candidates` (updated, linked replicas, best first). */
  | { kind: 'handover'; master: string; candidates: string[]; message: string }
  /** A precondition of the next destructive step does not hold; nothing is taken down. */
  | { kind: 'blocked'; reason: string; message: string };

const linked = (m: InstanceStatus['members'][number]) => m.role === 'replica' && m.link === 'up';

export function decideRolloutStep(input: RolloutInput): RolloutStep {
  const { live, outdated, ready, members } = input;
  const todo = members.filter((m) => outdated.has(m));
  if (!todo.length) return { kind: 'done' };
  const left = `${todo.length} of ${members.length} data pods to restart`;
  // One member down at a time, and only from a healthy instance: the previous step has settled.
  const notReady = members.filter((m) => !ready.has(m));
  if (notReady.length) return { kind: 'wait', message: `${left}; waiting for ${notReady.join(', ')} to be Ready` };
  if (!live.ready) return { kind: 'wait', message: `${left}; waiting for a healthy instance: ${live.problems[0]}` };

  const byName = new Map(live.members.map((m) => [m.name, m]));
  // Replicas first, highest ordinal first (the order a StatefulSet would use).
  const replica = [...todo].reverse().find((m) => byName.get(m)?.role === 'replica');
  if (replica) return { kind: 'restart', member: replica, message: `${left}; restarting replica ${replica}` };

  const master = todo.find((m) => byName.get(m)?.role === 'master');
  if (!master) return { kind: 'wait', message: `${left}; ${todo.join(', ')} report no role yet` };
  const followers = live.members.filter((m) => m.masterName === master);
  if (input.mode === 'STANDALONE' || followers.length === 0)
    // Nothing to hand over to (a single server, a shard without replicas): clients wait for it.
    return {
      kind: 'restart',
      member: master,
      message: `${left}; restarting ${master}, which has no replica to take over`,
    };
  const candidates = followers
    .filter((m) => linked(m) && !outdated.has(m.name))
    .sort((a, b) => (a.lagBytes ?? Infinity) - (b.lagBytes ?? Infinity))
    .map((m) => m.name);
  if (!candidates.length)
    return {
      kind: 'blocked',
      reason: 'NoSyncedReplica',
      message: `${left}; ${master} is master and none of its replicas (${followers.map((f) => f.name).join(', ')}) is updated with its link up, so it is not taken down`,
    };
  return {
    kind: 'handover',
    master,
    candidates,
    message: `${left}; handing the master role over from ${master} before it restarts`,
  };
}
