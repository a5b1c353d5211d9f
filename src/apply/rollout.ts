// Waiting for the StatefulSets to finish rolling out, saying on stderr what is holding them up
// (unschedulable, image pull, crash loop, pod creation refused) rather than just "waiting".
import type { KubeObject } from '../render/objects.js';
import { objectRef, type ResourceInfo } from './discovery.js';
import { KubeError } from './errors.js';
import { labelSelector } from './prune.js';
import { listObjects, readObject, type LiveObject } from './serverSideApply.js';
import type { Session } from './session.js';

interface PodStatus {
  phase?: string;
  conditions?: Array<{ type: string; status: string; reason?: string; message?: string }>;
  containerStatuses?: Array<{
    name: string;
    ready: boolean;
    state?: { waiting?: { reason?: string; message?: string }; terminated?: { reason?: string; exitCode?: number } };
  }>;
}

export interface SetState {
  ref: string;
  done: boolean;
  /** One line: counts plus the reason the first few unready pods give. */
  line: string;
  /** Pods still on the previous revision of an OnDelete set: they move when restarted, not by us. */
  stale: number;
}

const POLL_MS = 1000;

/** Why a pod is not Ready, in a few words: the most specific reason Kubernetes gives. */
export function podProblem(
  name: string,
  pod: { metadata?: { deletionTimestamp?: string }; status?: PodStatus },
): string {
  const st = pod.status ?? {};
  if (pod.metadata?.deletionTimestamp) return `${name} terminating`;
  const sched = st.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
  if (sched) return `${name} not scheduled: ${sched.message ?? sched.reason ?? 'pending'}`;
  for (const c of st.containerStatuses ?? []) {
    const w = c.state?.waiting;
    if (w?.reason && w.reason !== 'ContainerCreating')
      return `${name} ${c.name}: ${w.reason}${w.message ? ` (${w.message})` : ''}`;
    const t = c.state?.terminated;
    if (t) return `${name} ${c.name}: terminated (${t.reason ?? 'exit'} ${t.exitCode ?? ''})`.replace(/ \)$/, ')');
  }
  if (st.phase && st.phase !== 'Running') return `${name} ${st.phase}`;
  return `${name} not ready`;
}

const isReady = (p: { status?: PodStatus }) =>
  p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

/** Pure: the state of one StatefulSet given its live object, its pods and the latest FailedCreate event. */
export function setState(ref: string, sts: LiveObject, pods: LiveObject[], failedCreate?: string): SetState {
  const spec = (sts.spec ?? {}) as { replicas?: number; updateStrategy?: { type?: string } };
  const st = (sts.status ?? {}) as {
    observedGeneration?: number;
    readyReplicas?: number;
    updatedReplicas?: number;
    currentRevision?: string;
    updateRevision?: string;
  };
  const want = spec.replicas ?? 1;
  const onDelete = spec.updateStrategy?.type === 'OnDelete';
  const observed = (st.observedGeneration ?? 0) >= (sts.metadata.generation ?? 0);
  const live = pods.filter((p) => !p.metadata.deletionTimestamp);
  const ready = live.filter(isReady);
  const revision = (p: LiveObject) => p.metadata.labels?.['controller-revision-hash'];
  const updated = st.updateRevision
    ? live.filter((p) => revision(p) === st.updateRevision).length
    : (st.updatedReplicas ?? 0);
  const rolled = onDelete || (updated === want && (!st.updateRevision || st.currentRevision === st.updateRevision));
  const done = observed && ready.length === want && live.length === want && rolled;
  const problems = pods
    .filter((p) => !isReady(p))
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))
    .map((p) => podProblem(p.metadata.name, p as { status?: PodStatus }));
  const shown = problems.slice(0, 3).concat(problems.length > 3 ? [`${problems.length - 3} more`] : []);
  if (live.length < want && failedCreate) shown.unshift(`pod creation failing: ${failedCreate}`);
  const counts = `${ready.length}/${want} ready${onDelete ? '' : `, ${updated}/${want} updated`}`;
  return {
    ref,
    done,
    line: `${ref}: ${counts}${shown.length ? `; ${shown.join('; ')}` : ''}`,
    stale: onDelete ? live.length - updated : 0,
  };
}

async function latestFailedCreate(s: Session, namespace: string, name: string): Promise<string | undefined> {
  try {
    const events = await s.http.request<{
      items?: Array<{
        reason?: string;
        message?: string;
        lastTimestamp?: string;
        eventTime?: string;
        metadata?: { creationTimestamp?: string };
      }>;
    }>('GET', `/api/v1/namespaces/${encodeURIComponent(namespace)}/events`, {
      query: { fieldSelector: `involvedObject.kind=StatefulSet,involvedObject.name=${name},reason=FailedCreate` },
    });
    const when = (e: { lastTimestamp?: string; eventTime?: string; metadata?: { creationTimestamp?: string } }) =>
      e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp ?? '';
    const last = (events.items ?? []).sort((a, b) => when(a).localeCompare(when(b))).pop();
    return last?.message;
  } catch {
    return undefined; // events are a hint; not being allowed to read them must not fail the wait
  }
}

export interface RolloutOptions {
  timeoutMs: number;
  progress: (line: string) => void;
  pollMs?: number;
}

/** Resolves when every set has all replicas Ready on the new revision (OnDelete sets: all Ready). */
export async function waitForRollout(
  s: Session,
  sets: Array<{ info: ResourceInfo; obj: KubeObject }>,
  o: RolloutOptions,
): Promise<void> {
  const start = Date.now();
  const podInfo = await s.discovery.resolve('v1', 'Pod');
  const last = new Map<string, string>();
  const finished = new Set<string>();
  for (;;) {
    const pending: string[] = [];
    for (const { info, obj } of sets) {
      const ref = objectRef(info, obj.metadata.name);
      if (finished.has(ref)) continue;
      const ns = obj.metadata.namespace ?? 'default';
      const sts = await readObject(s, info, ns, obj.metadata.name);
      if (!sts) throw new KubeError(`${ref} disappeared while waiting for its rollout (deleted by someone else?)`);
      const selector =
        (sts.spec as { selector?: { matchLabels?: Record<string, string> } }).selector?.matchLabels ?? {};
      const pods = await listObjects(s, podInfo, ns, labelSelector(selector));
      const want = (sts.spec as { replicas?: number }).replicas ?? 1;
      const failed =
        pods.filter((p) => !p.metadata.deletionTimestamp).length < want
          ? await latestFailedCreate(s, ns, obj.metadata.name)
          : undefined;
      const state = setState(ref, sts, pods, failed);
      if (state.done) {
        finished.add(ref);
        o.progress(`${ref}: ${want}/${want} ready (${((Date.now() - start) / 1000).toFixed(1)}s)`);
        if (state.stale > 0) {
          o.progress(
            `${ref}: ${state.stale} pod(s) still run the previous revision; updateStrategy OnDelete: each moves to the new revision when its pod is restarted (replicas first, the master last)`,
          );
        }
        continue;
      }
      pending.push(state.line);
      if (last.get(ref) !== state.line) {
        last.set(ref, state.line);
        o.progress(`waiting: ${state.line}`);
      }
    }
    if (pending.length === 0) return;
    if (Date.now() - start >= o.timeoutMs) {
      throw new KubeError(
        `timed out after ${Math.round(o.timeoutMs / 1000)}s waiting for the rollout: ${pending.join('; ')}`,
      );
    }
    await new Promise((r) =>
      setTimeout(r, Math.min(o.pollMs ?? POLL_MS, Math.max(0, o.timeoutMs - (Date.now() - start)))),
    );
  }
}
