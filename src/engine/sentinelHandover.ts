// Handing the master role to a replica before the master goes down for a restart, in
// SENTINEL mode. Writes are paused on the master first so the chosen replica reaches the
// master's final offset: the replica the sentinels promote then has every write, acknowledged
// or not. The sentinels do the promotion (SENTINEL FAILOVER) so their view never disagrees
// with the servers'; a master promoted behind their back would be demoted again.
import { clientPauseWrite, clientUnpause, configSet, replicaOf } from '../valkey/admin.js';
import { withClient } from '../valkey/connection.js';
import { fetchReplication } from '../valkey/info.js';
import { getMasterAddrByName, sentinelFailover, sentinelReplicas } from '../valkey/sentinel.js';
import { adminConnection as conn } from './adminConnection.js';
import { memberAt, type EngineContext } from './context.js';
import { knownDataMembers, sentinelMembers } from './topology.js';
import { sleep, waitFor } from './wait.js';

// Long enough for a sentinel failover to finish; CLIENT UNPAUSE ends it as soon as we are done.
// If rk dies in between, the pause still ends by itself.
const PAUSE_MS = 10_000;

// Sentinel sees the replica it promotes as master only in its next INFO of it: during a failover
// it asks once a second, counted from its previous INFO, which otherwise comes every 10 s. A
// failover started that long after a routine INFO has the replica promoted (REPLICAOF NO ONE,
// two or three 100 ms sentinel ticks in) just before the next INFO, instead of just after it:
// writes stay paused for about 0.6 s instead of a full second.
const AFTER_INFO_MS = 400;
/** How stale an INFO may be and still count as "just now" (the sentinel is polled this often). */
const FRESH_INFO_MS = 120;

/**
 * Moves the master role away from `master` to the first of `candidates` (running, synced
 * replicas, best first). Every other replica gets replica-priority 0 for the duration, so the
 * sentinels cannot pick it, and the failover can be timed to that one replica's INFO.
 * Returns the new master.
 */
export async function sentinelHandover(
  ctx: EngineContext,
  master: string,
  candidates: readonly string[],
): Promise<string> {
  const { platform, inst } = ctx;
  const name = inst.sentinel!.masterName;
  const masterAt = platform.placement(master);
  if (!candidates.length) throw new Error(`cannot hand over from ${master}: no synced replica to promote`);
  const chosen = candidates[0]!;
  const excluded = knownDataMembers(ctx).filter((m) => m !== master && m !== chosen);
  const sentinel = await firstAnsweringSentinel(ctx);
  ctx.log(`handing over from ${master} to ${chosen}`);

  await setPriority(ctx, excluded, 0);
  let newMaster: string | null = null;
  try {
    await waitForRoutineInfo(ctx, sentinel, chosen);
    await withClient(masterAt, conn(ctx), (c) => clientPauseWrite(c, PAUSE_MS));
    try {
      await waitFor(
        `${chosen} to reach ${master}'s last offset`,
        async () => {
          const m = await withClient(masterAt, conn(ctx), fetchReplication);
          const info = await withClient(platform.placement(chosen), conn(ctx), fetchReplication);
          return (
            (info.slaveReplOffset ?? -1) >= m.masterReplOffset ||
            `${chosen} at ${info.slaveReplOffset} of ${m.masterReplOffset}`
          );
        },
        { timeoutMs: 5000, intervalMs: 5 },
      );
      ctx.log(`writes paused on ${master}, replicas caught up: SENTINEL FAILOVER via ${sentinel}`);
      await withClient(platform.placement(sentinel), conn(ctx), (c) => sentinelFailover(c, name));
      // The sentinel that ran the failover reports the promoted replica as soon as it saw it
      // promoted: that is when clients asking it can move on.
      await waitFor(
        'the sentinels to promote a replica',
        async () => {
          const addr = await withClient(platform.placement(sentinel), conn(ctx), (c) => getMasterAddrByName(c, name));
          const m = addr ? memberAt(ctx, knownDataMembers(ctx), addr) : null;
          if (!m || m === master) return 'old master still reported';
          newMaster = m;
          return true;
        },
        { timeoutMs: 30_000, intervalMs: 10 },
      );
      // Writes held by the pause must fail on a replica, not land on a master nobody follows.
      await withClient(masterAt, conn(ctx), (c) => replicaOf(c, platform.placement(newMaster!)));
    } finally {
      await withClient(masterAt, conn(ctx), (c) => clientUnpause(c)).catch(() => undefined);
    }
  } finally {
    await setPriority(ctx, excluded, 100).catch(() => undefined);
  }
  // Every sentinel, not a majority: a sentinel still pointing at the old master would keep
  // monitoring it through a later SENTINEL RESET.
  await waitFor(
    'every sentinel to report the new master',
    async () => {
      for (const s of sentinelMembers(inst)) {
        const addr = await withClient(platform.placement(s.name), conn(ctx), (c) => getMasterAddrByName(c, name));
        const m = addr ? memberAt(ctx, knownDataMembers(ctx), addr) : null;
        if (m !== newMaster) return `${s.name} reports ${m ?? 'no master'}`;
      }
      return true;
    },
    { timeoutMs: ctx.timeoutMs, onWait: (r) => ctx.log(`waiting: ${r}`) },
  );
  ctx.log(`${newMaster} is master`);
  return newMaster!;
}

/** Returns AFTER_INFO_MS after `sentinel`'s next routine INFO of `replica` (at once if none comes in 11 s). */
async function waitForRoutineInfo(ctx: EngineContext, sentinel: string, replica: string): Promise<void> {
  const name = ctx.inst.sentinel!.masterName;
  // Assigned inside the waitFor callback, which the compiler's narrowing cannot see.
  let infoAt = null as number | null;
  await withClient(ctx.platform.placement(sentinel), conn(ctx), (c) =>
    waitFor(
      `${sentinel}'s next INFO of ${replica}`,
      async () => {
        const seen = (await sentinelReplicas(c, name)).find((r) =>
          memberAt(ctx, [replica], { host: r.ip, port: r.port }),
        );
        if (seen?.infoRefreshMs == null || seen.infoRefreshMs > FRESH_INFO_MS)
          return `${seen?.infoRefreshMs ?? '?'} ms since the last`;
        infoAt = Date.now() - seen.infoRefreshMs;
        return true;
      },
      { timeoutMs: 11_000, intervalMs: 40 },
    ),
  ).catch(() => undefined);
  if (infoAt !== null) await sleep(Math.max(0, infoAt + AFTER_INFO_MS - Date.now()));
}

async function firstAnsweringSentinel(ctx: EngineContext): Promise<string> {
  for (const s of sentinelMembers(ctx.inst)) {
    const ok = await withClient(ctx.platform.placement(s.name), conn(ctx), () => Promise.resolve(true)).catch(
      () => false,
    );
    if (ok) return s.name;
  }
  throw new Error('no sentinel answers: a handover needs the sentinels');
}

async function setPriority(ctx: EngineContext, members: readonly string[], priority: number): Promise<void> {
  for (const m of members) {
    if (!(await ctx.platform.state(m)).running) continue;
    await withClient(ctx.platform.placement(m), conn(ctx), (c) => configSet(c, { 'replica-priority': priority }));
  }
}
