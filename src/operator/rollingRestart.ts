// The failover-aware rolling restart of an HA instance's data pods (an OnDelete StatefulSet, so
// Kubernetes never restarts one on its own): one step per reconcile, decided by the engine
// (rolloutStep.ts) from the live servers and the pods' revisions. A restart is the deletion of
// one pod, which its StatefulSet recreates on the new revision; the master's role is handed over
// first, by the engine's own handover. Nothing is kept in memory between steps: a new leader
// finds the same outdated pods and the same roles, and takes the same next step.
import type { Instance } from '../api/instance.js';
import { deleteObject } from '../apply/serverSideApply.js';
import type { Session } from '../apply/session.js';
import { clusterHandover } from '../engine/clusterHandover.js';
import type { EngineContext } from '../engine/context.js';
import { updateEngineRecord } from '../engine/engineRecord.js';
import { syncedReplicas } from '../engine/replicaSync.js';
import { decideRolloutStep } from '../engine/rolloutStep.js';
import { sentinelHandover } from '../engine/sentinelHandover.js';
import type { InstanceStatus } from '../engine/status.js';
import { dataMembers } from '../engine/topology.js';
import type { EventSink } from './events.js';
import type { PodObject } from './podFacts.js';
import type { Resource } from './resource.js';

export interface StatefulSetObject {
  metadata: { name: string; namespace?: string; generation?: number; labels?: Record<string, string> };
  status?: { observedGeneration?: number; updateRevision?: string };
}

/** The label the StatefulSet controller puts on each pod: the revision it was created from. */
const REVISION_LABEL = 'controller-revision-hash';

/**
 * Data pods created from an older revision than the StatefulSet's latest template; null while
 * the StatefulSet controller has not yet seen its latest template (nothing can be judged then).
 */
export function outdatedPods(sts: StatefulSetObject | undefined, pods: readonly PodObject[]): Set<string> | null {
  const rev = sts?.status?.updateRevision;
  if (!sts || !rev || (sts.status?.observedGeneration ?? -1) < (sts.metadata.generation ?? 0)) return null;
  return new Set(pods.filter((p) => p.metadata.labels?.[REVISION_LABEL] !== rev).map((p) => p.metadata.name));
}

export interface RolloutOutcome {
  /** Set while pods are still to restart: the Progressing condition's message. */
  progress?: string;
  blocked?: { reason: string; message: string };
  /** A handover moved a master: what was observed before is out of date. */
  rolesMoved?: boolean;
}

interface RolloutDeps {
  session: Session;
  event: EventSink;
  res: Resource;
  ctx: EngineContext;
}

export async function rollingRestartStep(
  d: RolloutDeps,
  inst: Instance,
  live: InstanceStatus,
  dataPods: ReadonlyArray<{ obj: PodObject; ready: boolean }>,
  outdated: ReadonlySet<string>,
): Promise<RolloutOutcome> {
  const step = decideRolloutStep({
    mode: inst.mode,
    live,
    outdated,
    ready: new Set(dataPods.filter((p) => p.ready).map((p) => p.obj.metadata.name)),
    // The spec's members, not the pods there are: a pod deleted and not yet recreated is not Ready.
    members: dataMembers(inst).map((m) => m.name),
  });
  const { ctx, res } = d;
  switch (step.kind) {
    case 'done':
      return {};
    case 'wait':
      return { progress: step.message };
    case 'blocked':
      // Once per episode, not once per reconcile: the condition already says it.
      if (res.status?.conditions?.find((c) => c.type === 'Ready')?.reason !== step.reason)
        await d.event(res, 'Warning', step.reason, 'RollingRestart', step.message);
      return { blocked: { reason: step.reason, message: step.message } };
    case 'restart': {
      const pod = dataPods.find((p) => p.obj.metadata.name === step.member)?.obj;
      if (!pod) return { progress: step.message };
      ctx.log(step.message);
      const podInfo = await d.session.discovery.resolve('v1', 'Pod');
      // Only the incarnation judged outdated: one already recreated under the name is left alone.
      await deleteObject(d.session, podInfo, inst.namespace, step.member, {
        ...(pod.metadata.uid ? { uid: pod.metadata.uid } : {}),
      });
      await d.event(res, 'Normal', 'RollingRestart', 'RestartPod', step.message);
      return { progress: step.message };
    }
    case 'handover': {
      ctx.log(step.message);
      let promoted: string;
      if (inst.mode === 'SENTINEL') {
        // The engine's check, not the observation's: each candidate has the master's offset now.
        const synced = await syncedReplicas(ctx, step.master, step.candidates);
        if (!synced.length) return { progress: `${step.message}: waiting for a replica to catch up` };
        promoted = await sentinelHandover(ctx, step.master, synced);
        updateEngineRecord(ctx.platform, { lastMaster: promoted });
      } else promoted = await clusterHandover(ctx, step.master, step.candidates);
      const note = `${step.master} handed the master role to ${promoted} before its restart`;
      await d.event(res, 'Normal', 'Handover', 'Handover', note);
      return { progress: note, rolesMoved: true };
    }
  }
}
