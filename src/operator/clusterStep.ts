// CLUSTER mode's step in a reconcile, with the engine's own logic: form a new cluster once every
// pod is Ready; heal one whose members know each other at old addresses (every pod recreated on
// a new IP) by node id; resize one whose spec changed (the engine's scaleCluster: new members
// joined and given slots, leaving members drained, forgotten, and only then removed by scaling
// the StatefulSet down, which the caller holds at the recorded size until then).
import type { Instance } from '../api/instance.js';
import { formCluster, NodeHoldsKeysError, staleAddresses } from '../engine/clusterGroup.js';
import { describeClusterScale, isEmptyPlan, scaleCluster } from '../engine/clusterScale.js';
import { adminConnection } from '../engine/adminConnection.js';
import type { EngineContext } from '../engine/context.js';
import { clusterReset } from '../valkey/cluster.js';
import { withClient } from '../valkey/connection.js';
import { readEngineRecord } from '../engine/engineRecord.js';
import { observeInstance, type InstanceStatus } from '../engine/status.js';
import type { PodFacts } from '../platform/kubernetes/kubePlatform.js';
import { SLOT_COUNT } from '../valkey/slot.js';
import { clusterFacts } from './conditions.js';
import type { EventSink } from './events.js';
import type { Resource } from './resource.js';

export interface ClusterStepOutcome {
  live: InstanceStatus;
  blocked?: { reason: string; message: string };
  /** Members left the cluster: the StatefulSet may shrink to the spec now. */
  membersLeft?: boolean;
  /** Hash slots this step moved between masters. */
  slotsMoved?: number;
}

/**
 * The data StatefulSet's size to apply: the spec's, or more while members the spec dropped are
 * still in the cluster (a StatefulSet removes pods at once; the engine must drain them first).
 */
export function heldDataReplicas(inst: Instance, records: Readonly<Record<string, string>>): number {
  if (!inst.cluster) return inst.dataReplicas;
  const recorded = readEngineRecord({ readRecord: (k) => records[k] ?? null }).clusterMembers;
  return Math.max(inst.dataReplicas, recorded?.length ?? 0);
}

/** Slots in "a-b" / "a" ranges, as the observation reports a master's. */
const slotCountOf = (ranges: readonly string[]) =>
  ranges.reduce((n, r) => {
    const [a, b] = r.split('-').map(Number);
    return n + (b ?? a!) - a! + 1;
  }, 0);

export async function clusterStep(
  d: { event: EventSink; res: Resource },
  inst: Instance,
  ctx: EngineContext,
  live: InstanceStatus,
  data: readonly PodFacts[],
): Promise<ClusterStepOutcome> {
  const { res } = d;
  const recorded = readEngineRecord(ctx.platform).clusterMembers;
  const expected = Math.max(inst.dataReplicas, recorded?.length ?? 0);
  // A cluster formed before needs only its pods running: after every pod came back on a new IP,
  // replicas cannot reach their masters and are not Ready until it is healed (their readiness
  // needs the link). A new one waits for every pod Ready.
  const up = data.filter((p) => (recorded ? p.running && !p.terminating : p.ready));
  if (data.length !== expected || up.length !== expected) return { live };
  // A pod Running whose server does not answer yet (starting, loading its data): nothing to
  // decide from; the next reconcile comes with the pod's next event.
  if (live.members.some((m) => m.kind === 'server' && (m.role === 'down' || m.role === 'unknown'))) return { live };

  try {
    if (!recorded) {
      const { formed, assigned } = clusterFacts(live, inst.dataReplicas);
      if (formed && assigned === SLOT_COUNT) return { live };
      ctx.log('forming the cluster');
      await formCluster(ctx);
      await d.event(
        res,
        'Normal',
        'ClusterFormed',
        'FormCluster',
        `${inst.cluster!.masters} masters with ${inst.cluster!.replicasPerMaster} replica(s) each, every slot assigned`,
      );
      return { live: await observeInstance(ctx) };
    }

    const serving = live.members.filter((m) => m.role === 'master' && m.slots?.length);
    // A rebalance interrupted (an operator killed mid-reshard) leaves the right members and
    // masters but uneven slots: the engine's resize finishes it (half-moved slots first).
    const even = Math.floor(SLOT_COUNT / inst.cluster!.masters);
    const uneven = serving.some((m) => {
      const n = slotCountOf(m.slots ?? []);
      return n < even || n > even + 1;
    });
    if (recorded.length !== inst.dataReplicas || serving.length !== inst.cluster!.masters || uneven) {
      const plan = await scaleCluster(ctx);
      if (!isEmptyPlan(plan)) {
        const note = describeClusterScale(plan).join('; ');
        await d.event(res, 'Normal', 'ClusterResized', 'ScaleCluster', note.slice(0, 1000));
        // Forgotten everywhere, the removed members still run until the StatefulSet shrinks: reset
        // them so their gossip cannot bring them back once the 60 s FORGET ban ends.
        for (const m of plan.remove)
          await withClient(ctx.platform.placement(m), adminConnection(ctx), (c) => clusterReset(c, 'HARD')).catch(
            (e: Error) => ctx.log(`could not reset removed member ${m}: ${e.message}`),
          );
        return {
          live: await observeInstance(ctx),
          membersLeft: plan.remove.length > 0,
          slotsMoved: plan.finish.length + plan.moves.length,
        };
      }
    }

    const { formed, assigned } = clusterFacts(live, recorded.length);
    const stale =
      !formed || assigned < SLOT_COUNT
        ? (live.problems[0] ?? 'not every member sees every other')
        : await staleAddresses(ctx);
    if (!stale) return { live };
    ctx.log(`healing the cluster: ${stale}`);
    // formCluster's MEETs at the current addresses heal by node id: roles and slots are kept.
    await formCluster(ctx);
    await d.event(
      res,
      'Normal',
      'ClusterAddressesHealed',
      'HealAddresses',
      `members did not all see each other where they are (${stale}); met again at their current addresses, roles and slots kept`,
    );
    return { live: await observeInstance(ctx) };
  } catch (e) {
    if (!(e instanceof NodeHoldsKeysError)) throw e;
    const blocked = { reason: 'NodeHoldsKeys', message: e.message };
    // Once per episode, not once per reconcile: the condition already says it.
    if (res.status?.conditions?.find((c) => c.type === 'Ready')?.reason !== blocked.reason)
      await d.event(res, 'Warning', blocked.reason, 'FormCluster', blocked.message);
    return { live: await observeInstance(ctx), blocked };
  }
}
