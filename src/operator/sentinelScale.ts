// A SENTINEL group the spec shrinks (redisReplicas or sentinelReplicas lowered). A StatefulSet
// removes its highest ordinals at once, whatever they are: the master among them would be killed,
// and the sentinels would fail over only after down-after-milliseconds, to whichever replica
// they like. So the data StatefulSet is held at its size while the master's pod is one that goes;
// the master hands its role to a synced replica that stays (the engine's paused handover), and
// only then is the StatefulSet shrunk. Once the removed pods are gone, every sentinel is reset
// (one at a time, in agreement before the next) so it forgets them. One step per reconcile.
import type { Instance } from '../api/instance.js';
import type { EngineContext } from '../engine/context.js';
import { updateEngineRecord } from '../engine/engineRecord.js';
import { syncedReplicas } from '../engine/replicaSync.js';
import { waitForSentinelAgreement } from '../engine/sentinelGroup.js';
import { sentinelHandover } from '../engine/sentinelHandover.js';
import { resetSentinels } from '../engine/sentinelMembership.js';
import type { InstanceStatus } from '../engine/status.js';
import { ordinalOf } from '../platform/platform.js';
import { LABEL } from '../render/names.js';
import type { EventSink } from './events.js';
import type { PodFacts } from '../platform/kubernetes/kubePlatform.js';
import type { PodObject } from './podFacts.js';
import type { Resource } from './resource.js';

/**
 * The data StatefulSet's size to apply: the spec's, or the size it has while the pod labelled
 * master is one a shrink would remove (the label follows the sentinels: see podRoles.ts).
 */
export function heldSentinelDataReplicas(inst: Instance, dataPods: readonly PodObject[]): number {
  if (!inst.sentinel) return inst.dataReplicas;
  const master = dataPods.find((p) => p.metadata.labels?.[LABEL.role] === 'master');
  if (!master || ordinalOf(master.metadata.name) < inst.dataReplicas) return inst.dataReplicas;
  return Math.max(inst.dataReplicas, ...dataPods.map((p) => ordinalOf(p.metadata.name) + 1));
}

export interface SentinelScaleOutcome {
  blocked?: { reason: string; message: string };
  /** Something moved or is about to: look again soon. */
  unsettled?: boolean;
  /** A handover moved the master: what was observed before is out of date. */
  rolesMoved?: boolean;
}

export async function sentinelScaleStep(
  d: { event: EventSink; res: Resource },
  inst: Instance,
  ctx: EngineContext,
  live: InstanceStatus,
  master: string,
  pods: readonly PodFacts[],
): Promise<SentinelScaleOutcome> {
  const s = inst.sentinel!;
  const staying = (name: string) => ordinalOf(name) < inst.dataReplicas;
  if (!staying(master)) {
    const keep = pods.filter((p) => p.kind === 'server' && p.running && staying(p.name)).map((p) => p.name);
    const synced = await syncedReplicas(ctx, master, keep);
    if (!synced.length) {
      const message = `the scale-in to ${inst.dataReplicas} data pods waits: ${master} is master, its pod is one that goes, and none of the pods that stay (${keep.join(', ') || 'none running'}) is a replica caught up with it`;
      if (d.res.status?.conditions?.find((c) => c.type === 'Ready')?.reason !== 'NoSyncedReplica')
        await d.event(d.res, 'Warning', 'NoSyncedReplica', 'ScaleIn', message);
      return { blocked: { reason: 'NoSyncedReplica', message } };
    }
    const promoted = await sentinelHandover(ctx, master, synced);
    updateEngineRecord(ctx.platform, { lastMaster: promoted });
    await waitForSentinelAgreement(ctx, promoted);
    await d.event(
      d.res,
      'Normal',
      'Handover',
      'ScaleIn',
      `${master} handed the master role to ${promoted} before the scale-in removes its pod`,
    );
    return { unsettled: true, rolesMoved: true };
  }
  const going = pods.filter((p) =>
    p.kind === 'server' ? ordinalOf(p.name) >= inst.dataReplicas : ordinalOf(p.name) >= s.replicas,
  );
  // The StatefulSets remove them now (applied at the spec's size): wait until they are gone.
  if (going.length) return { unsettled: true };
  const stale = live.members.filter(
    (m) =>
      m.kind === 'sentinel' &&
      ((m.knownReplicas ?? 0) > inst.dataReplicas - 1 || (m.knownSentinels ?? 0) > s.replicas - 1),
  );
  // Only a settled group is reset: never while a failover or a restart is under way.
  if (!stale.length || !live.ready) return {};
  ctx.log(`sentinels still know removed members (${stale.map((m) => m.name).join(', ')}): resetting them`);
  await resetSentinels(ctx, master);
  await d.event(
    d.res,
    'Normal',
    'SentinelsReset',
    'ScaleIn',
    `every sentinel was reset, one at a time, and knows only the ${inst.dataReplicas - 1} replica(s) and ${s.replicas - 1} other sentinel(s) that remain`,
  );
  return {};
}
