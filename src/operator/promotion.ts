// `kubectl rk promote NAME POD` on the operator's side: the request is an annotation on the
// resource (so RBAC on the resource decides who may ask); the operator answers it once — the
// engine's lossless handover to that replica, or a refusal with a reason — records the answer in
// `status.promotion` and an Event, and removes the annotation. A leader that dies half-way leaves
// the annotation: the next one decides again from the servers (the pod may be master by then).
import type { Instance } from '../api/instance.js';
import { PROMOTE_ANNOTATION } from '../api/requestAnnotations.js';
import { resourcePath, type ResourceInfo } from '../apply/discovery.js';
import { KubeApiError } from '../apply/errors.js';
import type { Session } from '../apply/session.js';
import { clusterHandover } from '../engine/clusterHandover.js';
import type { EngineContext } from '../engine/context.js';
import { updateEngineRecord } from '../engine/engineRecord.js';
import { decidePromotion, type PromotionStep } from '../engine/promotionStep.js';
import { syncedReplicas } from '../engine/replicaSync.js';
import { sentinelHandover } from '../engine/sentinelHandover.js';
import type { InstanceStatus } from '../engine/status.js';
import { dataMembers } from '../engine/topology.js';
import type { EventSink } from './events.js';
import type { Resource } from './resource.js';

/** The answer to the last promotion request, in `status.promotion`. */
export interface PromotionRecord {
  pod: string;
  result: 'Promoted' | 'Refused';
  reason: string;
  message: string;
  time: string;
}

interface PromotionDeps {
  session: Session;
  info: ResourceInfo;
  event: EventSink;
  res: Resource;
  ctx: EngineContext;
}

/** Answers a pending promotion request, if there is one; `rolesMoved` when a handover happened. */
export async function promotionStep(
  d: PromotionDeps,
  inst: Instance,
  live: InstanceStatus,
  ready: ReadonlySet<string>,
  rolling: boolean,
): Promise<{ record?: PromotionRecord; rolesMoved?: boolean }> {
  const target = d.res.metadata.annotations?.[PROMOTE_ANNOTATION];
  if (target === undefined) return {};
  const step = decidePromotion({
    mode: inst.mode,
    live,
    target,
    members: dataMembers(inst).map((m) => m.name),
    ready,
    rolling,
  });
  const answer = step.kind === 'handover' ? await handOver(d.ctx, inst, step) : step;
  const record: PromotionRecord = {
    pod: target,
    result: answer.kind === 'refused' ? 'Refused' : 'Promoted',
    reason: answer.kind === 'refused' ? answer.reason : step.kind === 'done' ? 'AlreadyMaster' : 'Handover',
    message: answer.message,
    time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
  };
  d.ctx.log(`promotion of ${target}: ${record.result} (${record.reason}): ${record.message}`);
  await d.event(
    d.res,
    record.result === 'Refused' ? 'Warning' : 'Normal',
    record.result === 'Refused' ? 'PromotionRefused' : 'Promoted',
    'Promote',
    `${target}: ${record.message}`,
  );
  await clearRequest(d);
  return { record, rolesMoved: step.kind === 'handover' && answer.kind !== 'refused' };
}

type Answer = { kind: 'done'; message: string } | { kind: 'refused'; reason: string; message: string };

async function handOver(
  ctx: EngineContext,
  inst: Instance,
  step: Extract<PromotionStep, { kind: 'handover' }>,
): Promise<Answer> {
  // The engine's check, not the observation's: the replica has the master's offset now.
  const synced = await syncedReplicas(ctx, step.master, [step.target]);
  if (!synced.length)
    return {
      kind: 'refused',
      reason: 'ReplicaNotSynced',
      message: `${step.target} did not reach ${step.master}'s replication offset: promoting it could lose acknowledged writes`,
    };
  ctx.log(step.message);
  try {
    if (inst.mode === 'SENTINEL') {
      await sentinelHandover(ctx, step.master, [step.target]);
      updateEngineRecord(ctx.platform, { lastMaster: step.target });
    } else await clusterHandover(ctx, step.master, [step.target]);
  } catch (e) {
    // The handover restores write service on the old master when it cannot finish; asking again may work.
    return {
      kind: 'refused',
      reason: 'HandoverFailed',
      message: `the handover did not complete: ${(e as Error).message}`,
    };
  }
  return { kind: 'done', message: `${step.master} handed the master role to ${step.target}` };
}

/** Removes the request, only from the resource version this reconcile read: a newer request stays. */
async function clearRequest(d: PromotionDeps): Promise<void> {
  const { res } = d;
  try {
    const updated = await d.session.http.request<Resource>(
      'PATCH',
      resourcePath(d.info, res.metadata.namespace, res.metadata.name),
      {
        body: {
          metadata: { resourceVersion: res.metadata.resourceVersion, annotations: { [PROMOTE_ANNOTATION]: null } },
        },
        contentType: 'application/merge-patch+json',
      },
    );
    // The status is written later in this reconcile, checked against this version.
    res.metadata.resourceVersion = updated.metadata.resourceVersion;
  } catch (e) {
    // A new request arrived meanwhile: the next reconcile answers it.
    if (!(e instanceof KubeApiError && e.status === 409)) throw e;
  }
}
