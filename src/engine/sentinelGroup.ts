// Bootstrap and healing of a SENTINEL instance, idempotent: every step first looks at what
// runs, so a second run, or a run after a crash half-way, converges instead of starting over.
//
// The one decision that can lose data is "who is master". It is taken from, in order: what
// the sentinels say (they follow failovers), what running servers say, the last master the
// engine recorded (after a full stop nothing else is left), and ordinal 0 for a new group.
import type { Endpoint } from '../platform/platform.js';
import { replicaOf } from '../valkey/admin.js';
import { withClient } from '../valkey/connection.js';
import { fetchReplication } from '../valkey/info.js';
import { getMasterAddrByName, sentinelMaster } from '../valkey/sentinel.js';
import { endpointKey, memberAt, type EngineContext } from './context.js';
import { readEngineRecord, updateEngineRecord } from './engineRecord.js';
import { adminConnection as conn } from './adminConnection.js';
import { startSentinel, startServer } from './launch.js';
import { dataMembers, knownDataMembers, sentinelMembers } from './topology.js';
import { waitFor } from './wait.js';

/** The master the running sentinels agree on (the most named one), mapped to one of our members. */
export async function masterFromSentinels(ctx: EngineContext): Promise<string | null> {
  const data = knownDataMembers(ctx);
  const votes = new Map<string, number>();
  await Promise.all(
    sentinelMembers(ctx.inst).map(async (s) => {
      try {
        const addr = await withClient(ctx.platform.placement(s.name), conn(ctx), (c) =>
          getMasterAddrByName(c, ctx.inst.sentinel!.masterName),
        );
        const member = addr ? memberAt(ctx, data, addr) : null;
        if (member) votes.set(member, (votes.get(member) ?? 0) + 1);
      } catch {
        /* a sentinel that is down has no vote */
      }
    }),
  );
  const ranked = [...votes.entries()].sort((a, b) => b[1] - a[1]);
  return ranked[0]?.[0] ?? null;
}

interface ServerView {
  member: string;
  role: 'master' | 'replica';
  replicas: number;
  offset: number;
  masterOf: Endpoint | null;
}

async function runningServers(ctx: EngineContext): Promise<ServerView[]> {
  const out: ServerView[] = [];
  await Promise.all(
    knownDataMembers(ctx).map(async (name) => {
      try {
        const r = await withClient(ctx.platform.placement(name), conn(ctx), fetchReplication);
        out.push({
          member: name,
          role: r.role,
          replicas: r.replicas.length,
          offset: r.role === 'master' ? r.masterReplOffset : (r.slaveReplOffset ?? 0),
          masterOf: r.masterHost && r.masterPort ? { host: r.masterHost, port: r.masterPort } : null,
        });
      } catch {
        /* not running or not answering */
      }
    }),
  );
  return out;
}

export async function chooseMaster(ctx: EngineContext): Promise<{ member: string; source: string }> {
  const fromSentinels = await masterFromSentinels(ctx);
  if (fromSentinels) return { member: fromSentinels, source: 'sentinels' };
  const masters = (await runningServers(ctx)).filter((s) => s.role === 'master');
  // Several masters can only mean an interrupted bootstrap or a split: the one with replicas
  // and the most data wins; the others become its replicas.
  masters.sort((a, b) => b.replicas - a.replicas || b.offset - a.offset);
  const recorded = readEngineRecord(ctx.platform).lastMaster;
  if (masters.length === 1 || (masters.length > 1 && !recorded))
    return { member: masters[0]!.member, source: 'running servers' };
  if (recorded && knownDataMembers(ctx).includes(recorded)) return { member: recorded, source: 'last recorded master' };
  if (masters[0]) return { member: masters[0].member, source: 'running servers' };
  return { member: dataMembers(ctx.inst)[0]!.name, source: 'new group: ordinal 0' };
}

export async function ensureSentinelGroup(ctx: EngineContext): Promise<void> {
  const { inst, platform } = ctx;
  const data = dataMembers(inst);
  const { member: master, source } = await chooseMaster(ctx);
  ctx.log(`master: ${master} (${source})`);
  const masterAt = platform.placement(master);

  // Servers first, so the sentinels find every replica in their first look at the master.
  // The master may be a member a changed spec drops (retired after this, with a handover).
  for (const m of [{ name: master }, ...data.filter((d) => d.name !== master)]) {
    const state = await platform.state(m.name);
    const upstream = m.name === master ? null : masterAt;
    if (!state.running) {
      ctx.log(`starting ${m.name} as ${upstream ? `replica of ${master}` : 'master'}`);
      await startServer(ctx, m.name, upstream);
    }
  }
  updateEngineRecord(platform, { lastMaster: master });
  await waitForReplication(ctx, master);

  for (const m of sentinelMembers(inst)) {
    if ((await platform.state(m.name)).running) continue;
    ctx.log(`starting ${m.name}`);
    await startSentinel(ctx, m.name, masterAt);
  }
  await waitForSentinelAgreement(ctx, master);
}

/**
 * Every sentinel monitors the same master (the one they report, or `fallback` before any
 * reports one), sees it healthy, and knows every other sentinel and every replica.
 */
export async function waitForSentinelAgreement(ctx: EngineContext, fallback: string): Promise<void> {
  const { inst, platform } = ctx;
  const s = inst.sentinel!;
  const replicas = dataMembers(inst).length - 1;
  await waitFor(
    'sentinels to agree',
    async () => {
      const current = await masterFromSentinels(ctx);
      for (const m of sentinelMembers(inst)) {
        const view = await withClient(platform.placement(m.name), conn(ctx), (c) => sentinelMaster(c, s.masterName));
        if (endpointKey({ host: view.ip, port: view.port }) !== endpointKey(platform.placement(current ?? fallback)))
          return `${m.name} monitors ${view.ip}:${view.port}`;
        if (view.flags.sDown || view.flags.oDown || view.flags.disconnected || view.flags.failoverInProgress)
          return `${m.name} sees the master as ${view.flags.list.join(',')}`;
        if (view.numOtherSentinels < s.replicas - 1)
          return `${m.name} knows ${view.numOtherSentinels} of ${s.replicas - 1} other sentinels`;
        if (view.numReplicas < replicas) return `${m.name} knows ${view.numReplicas} of ${replicas} replicas`;
      }
      return true;
    },
    { timeoutMs: ctx.timeoutMs, onWait: (r) => ctx.log(`waiting: ${r}`) },
  );
}

/** Every other data member is a replica of `master`, linked, synced and caught up. */
export async function waitForReplication(ctx: EngineContext, master: string): Promise<void> {
  const { platform } = ctx;
  const others = dataMembers(ctx.inst).filter((m) => m.name !== master);
  const masterAt = platform.placement(master);
  await waitFor(
    `replicas of ${master} to sync`,
    async () => {
      const info = await withClient(masterAt, conn(ctx), fetchReplication);
      if (info.role !== 'master') return `${master} is not master yet (${info.role})`;
      for (const m of others) {
        const r = await withClient(platform.placement(m.name), conn(ctx), fetchReplication);
        if (r.role === 'master') {
          // A running server that should follow `master` but does not (left over from a split
          // or an interrupted run): point it at the master; it resyncs from there.
          ctx.log(`${m.name} is a master too: making it a replica of ${master}`);
          await withClient(platform.placement(m.name), conn(ctx), (c) => replicaOf(c, masterAt));
          return `${m.name} re-pointed`;
        }
        if (
          r.masterHost &&
          r.masterPort &&
          endpointKey({ host: r.masterHost, port: r.masterPort }) !== endpointKey(masterAt)
        ) {
          ctx.log(`${m.name} follows ${r.masterHost}:${r.masterPort}: re-pointing it to ${master}`);
          await withClient(platform.placement(m.name), conn(ctx), (c) => replicaOf(c, masterAt));
          return `${m.name} re-pointed`;
        }
        if (r.masterLinkStatus !== 'up' || r.masterSyncInProgress)
          return `${m.name} link ${r.masterLinkStatus}${r.masterSyncInProgress ? ', syncing' : ''}`;
      }
      return true;
    },
    { timeoutMs: ctx.timeoutMs, onWait: (r) => ctx.log(`waiting: ${r}`) },
  );
}
