// The resource's status, decided from what was observed in one reconcile: a pure function, so
// every reason is tested without a cluster. Ready comes from the live servers (the engine's
// observeInstance), never from pods alone; pods only say whether there is anything to ask yet.
// Reasons are stable CamelCase words: automation may match on them.
import type { Mode } from '../api/schema.js';
import type { InstanceStatus } from '../engine/status.js';
import { SLOT_COUNT } from '../valkey/slot.js';

type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface Condition {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
  observedGeneration: number;
  lastTransitionTime: string;
}

type NewCondition = Omit<Condition, 'lastTransitionTime' | 'observedGeneration'>;

export type Observed =
  /** The spec cannot be acted on until it changes. */
  | { kind: 'refused'; reason: 'InvalidSpec' | 'NamespaceMismatch' | 'ApplyFailed'; message: string }
  | {
      kind: 'observed';
      /** Data pods: how many the spec wants, how many are Ready. */
      pods: { desired: number; ready: number };
      /** Every pod of the instance (data and sentinels) Running and Ready. */
      allPodsReady: boolean;
      /** The engine's observation of the live servers; null while no pod could be asked. */
      live: InstanceStatus | null;
      /** A step that was not taken because its precondition does not hold. */
      blocked?: { reason: string; message: string };
      /** This reconcile ran (or is running) the cluster formation. */
      forming?: boolean;
      /** A rolling restart has pods still to restart: what it is doing. */
      rolling?: string;
      sentinelQuorum?: number;
      /** The previous status said Ready or Degraded: pods missing now are a loss, not a start. */
      wasServing?: boolean;
    };

/** The phases a status may show (the printer column), from first seen to worst. */
export const PHASES = ['Pending', 'Forming', 'Ready', 'Updating', 'Degraded', 'Blocked', 'Failed'] as const;
type Phase = (typeof PHASES)[number];

interface StatusBody {
  observedGeneration: number;
  phase: Phase;
  /** "ready/desired" data pods, for the printer column. */
  ready: string;
  readyReplicas: number;
  master: string;
  members?: MemberSummary[];
  conditions: NewCondition[];
}

/** What `kubectl rk status` shows per member: the servers' own view, no pod exec needed to read it. */
interface MemberSummary {
  name: string;
  role: string;
  /** Replicas: the member replicated from, the link state, bytes behind (from 1 KiB). */
  of?: string;
  link?: string;
  lagBytes?: number;
  /** Cluster masters: served slot ranges. */
  slots?: string[];
}

/**
 * Lag below this is left out of the status: the master's own pings move the offsets of an idle
 * instance by a few bytes, and a status that changed on every reconcile would cost a write each
 * time for nothing a person needs to see.
 */
const LAG_REPORTED_FROM = 1024;

const memberSummary = (m: InstanceStatus['members'][number]): MemberSummary => ({
  name: m.name,
  role: m.role,
  ...(m.masterName ? { of: m.masterName } : {}),
  ...(m.link ? { link: m.link } : {}),
  ...(m.lagBytes !== undefined && m.lagBytes >= LAG_REPORTED_FROM ? { lagBytes: m.lagBytes } : {}),
  ...(m.slots?.length ? { slots: m.slots } : {}),
});

const cond = (type: string, ok: boolean, reason: string, message: string): NewCondition => ({
  type,
  status: ok ? 'True' : 'False',
  reason,
  message,
});

const brief = (problems: readonly string[]) =>
  problems.length > 3 ? `${problems.slice(0, 3).join('; ')} (and ${problems.length - 3} more)` : problems.join('; ');

/** CLUSTER facts from the servers: every member knows every other, and every slot is assigned. */
export function clusterFacts(live: InstanceStatus | null, dataReplicas: number) {
  const servers = (live?.members ?? []).filter((m) => m.kind === 'server');
  const formed =
    servers.length === dataReplicas && servers.every((m) => (m.knownNodes ?? 0) >= dataReplicas && m.role !== 'down');
  const assigned = servers.length > 0 ? Math.min(...servers.map((m) => m.slotsAssigned ?? 0)) : 0;
  return { formed, assigned };
}

function modeConditions(mode: Mode, o: Extract<Observed, { kind: 'observed' }>, dataReplicas: number): NewCondition[] {
  if (mode === 'CLUSTER') {
    const { formed, assigned } = clusterFacts(o.live, dataReplicas);
    return [
      formed
        ? cond('ClusterFormed', true, 'AllNodesJoined', `all ${dataReplicas} nodes know each other`)
        : cond(
            'ClusterFormed',
            false,
            o.live ? 'NodesNotJoined' : 'PodsNotReady',
            'not every node knows every other yet',
          ),
      assigned === SLOT_COUNT
        ? cond('SlotsAssigned', true, 'AllSlotsAssigned', `${SLOT_COUNT} of ${SLOT_COUNT} slots assigned`)
        : cond('SlotsAssigned', false, 'SlotsUnassigned', `${assigned} of ${SLOT_COUNT} slots assigned`),
    ];
  }
  if (mode === 'SENTINEL') {
    const sentinels = (o.live?.members ?? []).filter((m) => m.kind === 'sentinel');
    const agreeing = sentinels.filter((m) => m.role === 'sentinel' && m.sees && m.sees === o.live?.master).length;
    const quorum = o.sentinelQuorum ?? 0;
    return [
      agreeing >= quorum && quorum > 0
        ? cond(
            'SentinelQuorum',
            true,
            'QuorumReached',
            `${agreeing} of ${sentinels.length} sentinels agree on the master (quorum ${quorum})`,
          )
        : cond(
            'SentinelQuorum',
            false,
            'QuorumLost',
            `${agreeing} of ${sentinels.length} sentinels agree on ${o.live?.master ?? 'a master'} (quorum ${quorum})`,
          ),
    ];
  }
  return [];
}

export function decideStatus(mode: Mode, generation: number, dataReplicas: number, o: Observed): StatusBody {
  if (o.kind === 'refused') {
    return {
      observedGeneration: generation,
      phase: 'Failed',
      ready: `0/${dataReplicas}`,
      readyReplicas: 0,
      master: '',
      conditions: [
        cond('Ready', false, o.reason, o.message),
        cond('Progressing', false, o.reason, 'nothing is done until the resource changes'),
        cond('Degraded', true, o.reason, o.message),
      ],
    };
  }
  const live = o.live;
  const podsReady = o.allPodsReady && o.pods.ready === o.pods.desired;
  const liveReady = podsReady && !!live?.ready;
  const problems = live?.problems ?? [];
  const modeConds = modeConditions(mode, o, dataReplicas);
  const failing = modeConds.find((c) => c.status === 'False');
  // Something this instance had (a formed cluster, an elected master) is missing now.
  const established = mode === 'CLUSTER' ? clusterFacts(live, dataReplicas).formed : !!live?.master;

  let ready: NewCondition;
  let progressing: NewCondition;
  let degraded = cond('Degraded', false, 'AsExpected', 'no problem observed');
  let phase: StatusBody['phase'];
  if (o.blocked) {
    ready = cond('Ready', false, o.blocked.reason, o.blocked.message);
    progressing = cond('Progressing', false, o.blocked.reason, o.blocked.message);
    degraded = cond('Degraded', true, o.blocked.reason, o.blocked.message);
    phase = 'Blocked';
  } else if (!podsReady) {
    const msg = `${o.pods.ready}/${o.pods.desired} data pods ready${o.allPodsReady || o.pods.ready < o.pods.desired ? '' : ', sentinels starting'}`;
    ready = cond('Ready', false, 'PodsNotReady', msg);
    progressing = cond('Progressing', true, 'PodsStarting', msg);
    // A pod missing after the instance served is a loss (even when it takes the cluster's
    // "formed" with it), the same count while it starts is not.
    // A pod the rolling restart took down is planned, not lost.
    const lost = !!o.wasServing && !o.rolling;
    if (lost) degraded = cond('Degraded', true, 'MembersUnhealthy', brief(problems) || msg);
    phase = lost ? 'Degraded' : o.rolling ? 'Updating' : 'Pending';
  } else if (liveReady && !failing) {
    ready = cond(
      'Ready',
      true,
      'AllMembersReady',
      `${o.pods.ready} data pods serving${live?.master ? `; master ${live.master}` : ''}`,
    );
    progressing = cond('Progressing', false, 'Reconciled', 'the instance matches its spec');
    phase = 'Ready';
  } else if (o.rolling && live) {
    // Between two restarts: a replica catching up, the sentinels settling on a handed-over master.
    const msg = brief(problems) || failing?.message || 'the servers are settling';
    ready = cond('Ready', false, failing?.reason ?? 'ServersNotReady', msg);
    progressing = cond('Progressing', true, 'RollingUpdate', o.rolling);
    phase = 'Updating';
  } else if (o.forming || (mode === 'CLUSTER' && !established)) {
    const msg = failing?.message ?? brief(problems);
    ready = cond('Ready', false, failing?.reason ?? 'ClusterNotFormed', msg);
    progressing = cond('Progressing', true, 'FormingCluster', msg);
    phase = 'Forming';
  } else {
    const msg = brief(problems) || failing?.message || 'the servers are not ready';
    ready = cond('Ready', false, failing?.reason ?? 'ServersNotReady', msg);
    progressing = cond('Progressing', false, 'WaitingForServers', msg);
    degraded = cond('Degraded', true, failing?.reason ?? 'MembersUnhealthy', msg);
    phase = 'Degraded';
  }
  if (o.rolling && !o.blocked) {
    progressing = cond('Progressing', true, 'RollingUpdate', o.rolling);
    if (phase === 'Ready' || phase === 'Pending') phase = 'Updating';
  }
  return {
    observedGeneration: generation,
    phase,
    ready: `${o.pods.ready}/${o.pods.desired}`,
    readyReplicas: o.pods.ready,
    master: live?.master ?? '',
    ...(live ? { members: live.members.map(memberSummary) } : {}),
    conditions: [ready, progressing, degraded, ...modeConds],
  };
}

/** Stamps generation and transition times: a condition whose status did not change keeps its time. */
export function withTransitions(
  previous: readonly Partial<Condition>[] | undefined,
  next: readonly NewCondition[],
  generation: number,
  now: string,
): Condition[] {
  return next.map((c) => {
    const before = previous?.find((p) => p.type === c.type);
    const lastTransitionTime =
      before?.status === c.status && before.lastTransitionTime ? before.lastTransitionTime : now;
    return { ...c, observedGeneration: generation, lastTransitionTime };
  });
}
