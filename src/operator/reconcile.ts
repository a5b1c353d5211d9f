// One reconcile of one RedisKubernetes: apply what the spec renders, look at the live servers,
// take the mode's next step (form the cluster, keep the role labels true), write the status.
// Returns when to look again; throws when a retry with backoff may help.
import type { Instance } from '../api/instance.js';
import { API_VERSION } from '../api/schema.js';
import { CRD_KIND } from '../api/crd.js';
import { deleteObject, readObject } from '../apply/serverSideApply.js';
import type { Session } from '../apply/session.js';
import type { EngineContext } from '../engine/context.js';
import { observeInstance, type InstanceStatus } from '../engine/status.js';
import { KubePlatform } from '../platform/kubernetes/kubePlatform.js';
import { DATA_VOLUME, LABEL, names, podFqdn } from '../render/names.js';
import { stackOutputs } from '../render/outputs.js';
import type { TlsOptions } from '../valkey/connection.js';
import { applyOwned } from './applyOwned.js';
import type { EventSink } from './events.js';
import { decideStatus, type Observed } from './conditions.js';
import { ensureFinalizer, finalize } from './finalizer.js';
import { instancePods, podFacts, type PodObject } from './podFacts.js';
import { labelRoles } from './podRoles.js';
import { resolveResource, type Resource } from './resource.js';
import type { SentinelTargets } from './sentinelEvents.js';
import { sentinelsMaster } from './sentinelRoles.js';
import { writeRecords, writeStatus } from './statusWriter.js';
import { carryPasswordChange } from './passwordChange.js';
import { clusterStep, heldDataReplicas } from './clusterStep.js';
import { outdatedPods, rollingRestartStep, type StatefulSetObject } from './rollingRestart.js';
import { heldSentinelDataReplicas, sentinelScaleStep } from './sentinelScale.js';
import { promotionStep, type PromotionRecord } from './promotion.js';

interface ReconcileDeps {
  session: Session;
  /** Every pod the operator watches (an informer's cache). */
  pods: () => readonly PodObject[];
  /** Every StatefulSet the operator watches (an informer's cache): the revision pods should run. */
  statefulSets: () => readonly StatefulSetObject[];
  log: (line: string) => void;
  /** How long one engine step may wait on the servers. */
  engineTimeoutMs?: number;
  event: EventSink;
  /** What this process last applied per resource (see applyDue). */
  applied: Map<string, { fingerprint: string; atMs: number }>;
}

/** Owned objects are applied again at least this often even when the resource is unchanged (drift). */
const REAPPLY_MS = 5 * 60_000;

/**
 * Whether the rendered objects must be applied: the resource changed since this process last
 * applied it, or that was long ago. A reconcile that only looks at the servers (pod events,
 * resyncs) then costs no writes: many idle instances are no load on the API server.
 */
function applyDue(d: ReconcileDeps, key: string, fingerprint: string, nowMs: number): boolean {
  const last = d.applied.get(key);
  return !last || last.fingerprint !== fingerprint || nowMs - last.atMs > REAPPLY_MS;
}

interface ReconcileResult {
  requeueAfterMs?: number;
  /** The phase this reconcile wrote to the status (for the operator's metrics). */
  phase?: string;
  /** SENTINEL: the sentinels to watch for failovers between reconciles. */
  sentinels?: SentinelTargets;
  /** Hash slots this reconcile moved (for the operator's metrics). */
  slotsMigrated?: number;
  /** Data pods on an older revision than their StatefulSet's, when that could be judged. */
  podsOutdated?: number;
}

/** Health is re-read at least this often even when nothing changes (watches do not see a server fail). */
const RESYNC_READY_MS = 30_000;
// Failovers arrive as +switch-master (sentinelEvents.ts); this only covers a missed message.
const RESYNC_SENTINEL_MS = 10_000;
const RESYNC_PROGRESSING_MS = 3_000;
const RESYNC_UNSETTLED_MS = 500;

export async function reconcile(d: ReconcileDeps, namespace: string, name: string): Promise<ReconcileResult> {
  const s = d.session;
  const info = await s.discovery.resolve(API_VERSION, CRD_KIND);
  const res = (await readObject(s, info, namespace, name)) as unknown as Resource | null;
  if (!res) return {};
  const generation = res.metadata.generation ?? 0;
  const resolved = resolveResource(res);
  if (res.metadata.deletionTimestamp) {
    const log = (line: string) => d.log(`${namespace}/${name}: ${line}`);
    const { goingAway } = await finalize(s, info, res, resolved.ok ? resolved.inst : null, log);
    if (goingAway) log(`deleting: waiting for ${goingAway} to go`);
    return goingAway ? { requeueAfterMs: RESYNC_PROGRESSING_MS } : {};
  }
  if (!resolved.ok) {
    const refused = decideStatus('STANDALONE', generation, 0, { kind: 'refused', ...resolved });
    await writeStatus(s, info, res, refused);
    return { phase: refused.phase }; // nothing to retry until the resource changes
  }
  const inst = resolved.inst;
  const key = `${namespace}/${name}`;
  // Before anything is created: what the operator creates, it is there to take away.
  await ensureFinalizer(s, info, res);
  // Members the spec dropped stay until the engine has drained them (clusterStep.ts), and a
  // sentinel group's master pod until it has handed its role over (sentinelScale.ts).
  const dataReplicas = inst.cluster
    ? heldDataReplicas(inst, res.status?.records ?? {})
    : heldSentinelDataReplicas(
        inst,
        instancePods(inst, d.pods()).filter((p) => podFacts(inst, p).kind === 'server'),
      );
  const fingerprint = JSON.stringify([
    res.metadata.uid,
    generation,
    res.metadata.labels,
    res.metadata.annotations,
    dataReplicas,
  ]);
  try {
    if (applyDue(d, key, fingerprint, Date.now())) {
      const pruned = await applyOwned(s, dataReplicas === inst.dataReplicas ? inst : { ...inst, dataReplicas }, res);
      for (const p of pruned) d.log(`${key}: pruned ${p}`);
      d.applied.set(key, { fingerprint, atMs: Date.now() });
    }
  } catch (e) {
    d.applied.delete(key);
    const message = (e as Error).message;
    await writeStatus(
      s,
      info,
      res,
      decideStatus(inst.mode, generation, inst.dataReplicas, { kind: 'refused', reason: 'ApplyFailed', message }),
    ).catch(() => undefined);
    throw e;
  }

  const pods = instancePods(inst, d.pods()).map((p) => ({ obj: p, facts: podFacts(inst, p) }));
  const data = pods.filter((p) => p.facts.kind === 'server');
  const desired = dataReplicas + (inst.sentinel?.replicas ?? 0);
  const allPodsReady = pods.length === desired && pods.every((p) => p.facts.ready && !p.facts.terminating);
  const platform = new KubePlatform(
    pods.map((p) => p.facts),
    res.status?.records ?? {},
    inst.dataReplicas,
    (records) => writeRecords(s, info, res, records),
  );
  const ctx: EngineContext = {
    // A sentinel group held at its size for a scale-in (sentinelScale.ts) is observed and acted on
    // with every pod it still has: the master may be on one the spec no longer names.
    inst: inst.sentinel && dataReplicas !== inst.dataReplicas ? { ...inst, dataReplicas } : inst,
    platform,
    password: await password(s, inst),
    log: (line) => d.log(`${namespace}/${name}: ${line}`),
    timeoutMs: d.engineTimeoutMs ?? 60_000,
  };
  if (inst.tls.enabled) {
    const tls = await tlsOptions(s, inst);
    if (!tls) {
      const o: Observed = {
        kind: 'observed',
        pods: { desired: dataReplicas, ready: data.filter((p) => p.facts.ready).length },
        allPodsReady,
        live: null,
        blocked: {
          reason: 'TLSSecretMissing',
          message: `Secret ${inst.namespace}/${inst.tls.secretName} with ca.crt, tls.crt and tls.key does not exist yet (cert-manager issues it from the Certificate)`,
        },
      };
      const waiting = decideStatus(inst.mode, generation, inst.dataReplicas, o);
      await writeStatus(s, info, res, waiting);
      return { phase: waiting.phase, requeueAfterMs: RESYNC_PROGRESSING_MS };
    }
    ctx.tls = tls;
  }

  // Before anything speaks to the members: after a change of the Secret they accept only the old password.
  if (pods.some((p) => p.facts.running)) await carryPasswordChange(s, ctx, res, d.event);
  let live: InstanceStatus | null = pods.some((p) => p.facts.running) ? await observeInstance(ctx) : null;
  let blocked: { reason: string; message: string } | undefined;
  /** Look again soon: something is moving (a failover spreading, a StatefulSet to shrink). */
  let unsettled = false;

  let slotsMigrated: number | undefined;
  if (inst.mode === 'CLUSTER' && live) {
    const c = await clusterStep(
      { event: d.event, res },
      inst,
      ctx,
      live,
      data.map((p) => p.facts),
    );
    live = c.live;
    slotsMigrated = c.slotsMoved;
    if (c.blocked) blocked = c.blocked;
    // The StatefulSet may shrink now: apply again, soon, with the record this reconcile writes.
    if (c.membersLeft) {
      d.applied.delete(key);
      unsettled = true;
    }
    await deleteClaims(s, inst, platform.purgedMembers(), ctx.log);
  }

  // A sentinel group shrunk by the spec: the master's pod handed over and the StatefulSet shrunk
  // before the rolling restart (the start scripts list the pods: a new size is a new revision).
  let scaling = false;
  if (inst.mode === 'SENTINEL' && live && !blocked) {
    const master = sentinelsMaster(live, inst.sentinel!.quorum);
    if (master) {
      const scaled = await sentinelScaleStep(
        { event: d.event, res },
        inst,
        ctx,
        live,
        master,
        pods.map((p) => p.facts),
      );
      if (scaled.blocked) blocked = scaled.blocked;
      // The label moves below, and with it the size to apply (a new fingerprint): soon.
      if (scaled.unsettled) unsettled = scaling = true;
      if (scaled.rolesMoved) live = await observeInstance(ctx);
    }
  }

  // HA data pods (OnDelete) on an older revision: the next step of the failover-aware rolling restart.
  let rolling: string | undefined;
  let podsOutdated: number | undefined;
  if (live && !blocked && !scaling && inst.mode !== 'STANDALONE') {
    const sts = d
      .statefulSets()
      .find((x) => x.metadata.namespace === inst.namespace && x.metadata.name === names(inst).data);
    const outdated = outdatedPods(
      sts,
      data.map((p) => p.obj),
    );
    podsOutdated = outdated?.size;
    if (outdated?.size) {
      const r = await rollingRestartStep(
        { session: s, event: d.event, res, ctx },
        inst,
        live,
        data.map((p) => ({ obj: p.obj, ready: p.facts.ready && !p.facts.terminating })),
        outdated,
      );
      rolling = r.progress;
      if (r.blocked) blocked = r.blocked;
      if (r.rolesMoved) live = await observeInstance(ctx);
    }
  }

  // A requested switchover (kubectl rk promote), answered once.
  let promotion = res.status?.promotion as PromotionRecord | undefined;
  if (live) {
    const p = await promotionStep(
      { session: s, info, event: d.event, res, ctx },
      inst,
      live,
      new Set(data.filter((x) => x.facts.ready && !x.facts.terminating).map((x) => x.facts.name)),
      rolling !== undefined,
    );
    if (p.record) promotion = p.record;
    if (p.rolesMoved) live = await observeInstance(ctx);
  }

  // While the sentinels have not settled on a master (a failover spreading), look again soon.
  if (inst.mode === 'SENTINEL' && live) {
    const master = sentinelsMaster(live, inst.sentinel!.quorum);
    if (master) {
      const moved = await labelRoles(
        s,
        inst,
        data.map((p) => p.obj),
        master,
        ctx.log,
      );
      if (moved?.from)
        await d.event(
          res,
          'Normal',
          'MasterChanged',
          'LabelRoles',
          `the sentinels name ${master} as master (was ${moved.from}); the ${LABEL.role}=master label moved with it`,
        );
    }
    // Sentinels that name no master yet (a group starting) are not a failover: the normal pace.
    else unsettled = live.members.some((m) => m.kind === 'sentinel' && m.sees);
  }

  const o: Observed = {
    kind: 'observed',
    pods: { desired: dataReplicas, ready: data.filter((p) => p.facts.ready).length },
    allPodsReady,
    live,
    ...(blocked ? { blocked } : {}),
    ...(rolling ? { rolling } : {}),
    ...(inst.sentinel ? { sentinelQuorum: inst.sentinel.quorum } : {}),
    wasServing: res.status?.phase === 'Ready' || res.status?.phase === 'Degraded',
  };
  const status = decideStatus(inst.mode, generation, inst.dataReplicas, o);
  const { records, changed } = platform.snapshotRecords();
  await writeStatus(
    s,
    info,
    res,
    { ...status, outputs: stackOutputs(inst), ...(promotion ? { promotion } : {}) },
    changed ? records : undefined,
  );
  const sentinels: SentinelTargets | undefined = inst.sentinel
    ? {
        endpoints: pods
          .filter((p) => p.facts.kind === 'sentinel' && p.facts.running)
          .map((p) => platform.placement(p.facts.name)),
        password: ctx.password,
        ...(ctx.tls ? { tls: ctx.tls } : {}),
      }
    : undefined;
  return {
    phase: status.phase,
    requeueAfterMs: unsettled
      ? RESYNC_UNSETTLED_MS
      : status.phase !== 'Ready'
        ? RESYNC_PROGRESSING_MS
        : inst.sentinel
          ? RESYNC_SENTINEL_MS
          : RESYNC_READY_MS,
    ...(sentinels ? { sentinels } : {}),
    ...(slotsMigrated ? { slotsMigrated } : {}),
    ...(podsOutdated !== undefined ? { podsOutdated } : {}),
  };
}

/**
 * The operator's TLS to the pods, from the instance's TLS Secret: its CA, and its certificate as
 * the client's where the servers require client certificates. Every pod serves the same
 * certificate, which names every pod by a wildcard on its headless Service, so one server name
 * (member 0's) verifies them all while the connections go to pod IPs.
 */
async function tlsOptions(s: Session, inst: Instance): Promise<TlsOptions | null> {
  const secretInfo = await s.discovery.resolve('v1', 'Secret');
  const secret = await readObject(s, secretInfo, inst.namespace, inst.tls.secretName);
  const data = secret?.data as Record<string, string> | undefined;
  const file = (k: string) => (data?.[k] ? Buffer.from(data[k], 'base64') : undefined);
  const [ca, cert, key] = [file('ca.crt'), file('tls.crt'), file('tls.key')];
  if (!ca || !cert || !key) return null;
  return {
    ca,
    ...(inst.tls.clientAuth ? { cert, key } : {}),
    servername: podFqdn(inst, `${inst.name}-0`, names(inst).dataHeadless),
  };
}

async function password(s: Session, inst: Instance): Promise<string | null> {
  if (!inst.auth.enabled) return null;
  const secretInfo = await s.discovery.resolve('v1', 'Secret');
  const secret = await readObject(s, secretInfo, inst.namespace, inst.auth.secretName);
  const b64 = (secret?.data as Record<string, string> | undefined)?.[inst.auth.secretKey];
  if (b64 === undefined) return null;
  const value = Buffer.from(b64, 'base64').toString('utf8');
  s.secrets.add(value);
  return value;
}

/**
 * The claims of members the engine drained and removed (a cluster scaled in): held by their pods
 * until the StatefulSet shrinks, then gone, so a later member of that name starts empty instead
 * of rejoining with a stale nodes.conf.
 */
async function deleteClaims(s: Session, inst: Instance, members: readonly string[], log: (l: string) => void) {
  if (!members.length) return;
  const pvcInfo = await s.discovery.resolve('v1', 'PersistentVolumeClaim');
  for (const m of members) {
    const claim = `${DATA_VOLUME}-${m}`;
    if (await deleteObject(s, pvcInfo, inst.namespace, claim)) log(`deleted claim ${claim} of removed member ${m}`);
  }
}
