// Carrying out a change plan on a live instance without losing an acknowledged write: live
// settings first (no restart), then restarts one member at a time — replicas first, each
// Ready and synced before the next goes down; a master hands its role to a synced replica and
// restarts as a replica; sentinels one at a time, each back in agreement before the next.
// Every step is decided from what runs and what the record says each member runs with, so a
// run interrupted anywhere resumes where it stopped: a member already on the new settings is
// not restarted again, and a master that already handed over is not failed over twice.
import type { EngineContext } from './context.js';
import { describeSetting, type ChangePlan, type MemberChange } from './changePlan.js';
import { clusterHandover, clusterRoles } from './clusterHandover.js';
import { recordApplied, updateEngineRecord } from './engineRecord.js';
import { restartSentinel, restartServer } from './launch.js';
import { applyLiveChanges } from './liveSettings.js';
import { syncedReplicas, waitForReplicaSynced } from './replicaSync.js';
import { masterFromSentinels, waitForSentinelAgreement } from './sentinelGroup.js';
import { sentinelHandover } from './sentinelHandover.js';
import { ensureStandalone } from './standalone.js';
import { retireSentinelMembers } from './sentinelMembership.js';
import { knownDataMembers, dataMembers } from './topology.js';
import { waitForHealthyCluster } from './clusterGroup.js';

export async function applyChangePlan(ctx: EngineContext, plan: ChangePlan): Promise<void> {
  const restarts = new Set(plan.changes.filter((c) => c.action === 'restart').map((c) => c.member));
  for (const c of plan.changes.filter((x) => x.action === 'live')) {
    ctx.log(`${c.member}: ${c.live.map(describeSetting).join(', ')}`);
    if (await applyLiveChanges(ctx, c.member, c.kind, c.live)) recordApplied(ctx.platform, c.member, c.desired);
    else restarts.add(c.member);
  }
  if (restarts.size) {
    switch (ctx.inst.mode) {
      case 'STANDALONE':
        await rollStandalone(ctx, restarts);
        break;
      case 'SENTINEL':
        await rollSentinelGroup(ctx, restarts);
        break;
      case 'CLUSTER':
        await rollCluster(ctx, restarts);
        break;
    }
  }
  const retiring = plan.changes.filter((c) => c.action === 'retire');
  if (retiring.length)
    await retireSentinelMembers(
      ctx,
      retiring.map((c: MemberChange) => c.member),
    );
}

async function rollStandalone(ctx: EngineContext, restarts: Set<string>): Promise<void> {
  for (const m of restarts) {
    ctx.log(`restarting ${m} (standalone: clients wait while it restarts with its data)`);
    await ctx.platform.stop(m, { graceMs: 30_000 });
    await ensureStandalone(ctx);
  }
}

async function currentMaster(ctx: EngineContext): Promise<string> {
  const m = await masterFromSentinels(ctx);
  if (!m) throw new Error('the sentinels do not agree on a master; run rk up again once they do');
  return m;
}

async function rollSentinelGroup(ctx: EngineContext, restarts: Set<string>): Promise<void> {
  const { platform } = ctx;
  let master = await currentMaster(ctx);
  const data = dataMembers(ctx.inst).map((m) => m.name);
  for (const m of data.filter((d) => d !== master && restarts.has(d))) {
    ctx.log(`restarting replica ${m}`);
    await restartServer(ctx, m, platform.placement(master));
    await waitForReplicaSynced(ctx, m, master);
  }
  if (restarts.has(master)) {
    // Only members the spec keeps, already on the new settings, running and synced qualify.
    const candidates = await syncedReplicas(ctx, master, data);
    const old = master;
    master = await sentinelHandover(ctx, old, candidates);
    updateEngineRecord(platform, { lastMaster: master });
    ctx.log(`restarting ${old} as a replica of ${master}`);
    await restartServer(ctx, old, platform.placement(master));
    await waitForReplicaSynced(ctx, old, master);
    // The sentinels finish the failover (replica reconfiguration) on their own schedule.
    await waitForSentinelAgreement(ctx, master);
  }
  for (const s of [...restarts].filter((m) => !knownDataMembers(ctx).includes(m))) {
    master = await currentMaster(ctx);
    ctx.log(`restarting ${s}`);
    await restartSentinel(ctx, s, platform.placement(master));
    await waitForSentinelAgreement(ctx, master);
  }
}

async function rollCluster(ctx: EngineContext, restarts: Set<string>): Promise<void> {
  const members = knownDataMembers(ctx);
  let roles = await clusterRoles(ctx, members);
  const replicas = [...roles.replicasOf.values()].flat();
  for (const r of replicas.filter((m) => restarts.has(m))) {
    const master = [...roles.replicasOf].find(([, rs]) => rs.includes(r))![0];
    ctx.log(`restarting replica ${r}`);
    await restartServer(ctx, r, null);
    await waitForReplicaSynced(ctx, r, master);
    await waitForHealthyCluster(ctx);
  }
  roles = await clusterRoles(ctx, members);
  for (const master of roles.masters.filter((m) => restarts.has(m))) {
    // Its replicas were restarted above, so every one of them already runs the new settings.
    const candidates = roles.replicasOf.get(master) ?? [];
    if (!candidates.length) {
      ctx.log(`restarting ${master}: it has no replica to hand over to, its slots are unavailable until it is back`);
      await restartServer(ctx, master, null);
      await waitForHealthyCluster(ctx);
      continue;
    }
    const promoted = await clusterHandover(ctx, master, candidates);
    ctx.log(`restarting ${master} as a replica of ${promoted}`);
    await restartServer(ctx, master, null);
    await waitForReplicaSynced(ctx, master, promoted);
    await waitForHealthyCluster(ctx);
  }
}
