// Removing data members and sentinels a changed spec no longer names (SENTINEL mode). Adding
// is plain healing: ensureSentinelGroup starts new replicas and sentinels, and the sentinels
// discover them. Removing needs care: a master being removed hands over first, and sentinels
// remember every replica and peer they ever saw until SENTINEL RESET — one sentinel at a time,
// each back in agreement before the next, so a quorum is always there for a failover.
import { withClient } from '../valkey/connection.js';
import { sentinelMaster, sentinelReset } from '../valkey/sentinel.js';
import { adminConnection as conn } from './adminConnection.js';
import type { EngineContext } from './context.js';
import { recordApplied } from './engineRecord.js';
import { masterFromSentinels, waitForSentinelAgreement } from './sentinelGroup.js';
import { sentinelHandover } from './sentinelHandover.js';
import { syncedReplicas } from './replicaSync.js';
import { dataMembers, knownDataMembers, sentinelMembers } from './topology.js';

export async function retireSentinelMembers(ctx: EngineContext, retiring: readonly string[]): Promise<void> {
  const { platform } = ctx;
  const data = new Set(knownDataMembers(ctx));
  let master = await masterFromSentinels(ctx);
  if (master && retiring.includes(master)) {
    const candidates = await syncedReplicas(
      ctx,
      master,
      dataMembers(ctx.inst).map((m) => m.name),
    );
    master = await sentinelHandover(ctx, master, candidates);
    // Until the failover has ended a sentinel's own record still names the old master, and a
    // SENTINEL RESET then would cancel the failover and leave it monitoring a removed member.
    await waitForSentinelAgreement(ctx, master);
  }
  for (const m of retiring) {
    ctx.log(`retiring ${m}${data.has(m) ? '' : ' (sentinel)'}`);
    // Its data is a copy of the master's: removed with it, so a later scale-up starts clean.
    await platform.purge(m);
    recordApplied(platform, m, null);
  }
  // The handover's result, not a fresh vote: right after it a sentinel may still be catching up.
  const current = master ?? (await masterFromSentinels(ctx));
  if (!current) throw new Error('the sentinels do not agree on a master; run rk up again once they do');
  await resetSentinels(ctx, current);
}

/**
 * SENTINEL RESET on every sentinel, one at a time, each back in agreement on `master` before the
 * next, until each knows exactly the replicas and peer sentinels the spec names: what a sentinel
 * learnt of members that are gone it keeps for ever otherwise (and counts them in its view).
 */
export async function resetSentinels(ctx: EngineContext, master: string): Promise<void> {
  const { platform } = ctx;
  const name = ctx.inst.sentinel!.masterName;
  const replicas = dataMembers(ctx.inst).length - 1;
  const peers = sentinelMembers(ctx.inst).length - 1;
  for (const s of sentinelMembers(ctx.inst)) {
    // A reset sentinel relearns replicas from the master's INFO and peers from hello messages;
    // one that caught a removed member on its way out is reset again.
    for (let attempt = 1; ; attempt++) {
      ctx.log(`SENTINEL RESET on ${s.name}`);
      await withClient(platform.placement(s.name), conn(ctx), (c) => sentinelReset(c, name));
      await waitForSentinelAgreement(ctx, master);
      const view = await withClient(platform.placement(s.name), conn(ctx), (c) => sentinelMaster(c, name));
      if (view.numReplicas === replicas && view.numOtherSentinels === peers) break;
      if (attempt === 3)
        throw new Error(
          `${s.name} still knows ${view.numReplicas} replicas and ${view.numOtherSentinels} sentinels after ${attempt} resets (expected ${replicas} and ${peers})`,
        );
    }
  }
}
