// Removing data members and sentinels a changed spec no longer names (SENTINEL mode). Adding
// is plain healing: ensureSentinelGroup starts new replicas and sentinels, and the sentinels
// discover them. Removing needs care: a master being removed hands over first, and sentinels
// remember every replica and peer they ever saw until SENTINEL RESET — one sentinel at a time,
// each back in agreement before the next, so a quorum is always there for a failover.
import { withClient } from '../valkey/connection.js';
import { sentinelReset } from '../valkey/sentinel.js';
import { adminConnection as conn } from './adminConnection.js';
import type { EngineContext } from './context.js';
import { recordApplied } from './engineRecord.js';
import { masterFromSentinels, waitForSentinelAgreement } from './sentinelGroup.js';
import { sentinelHandover } from './sentinelHandover.js';
import { waitForReplicaSynced } from './replicaSync.js';
import { dataMembers, knownDataMembers, sentinelMembers } from './topology.js';

export async function retireSentinelMembers(ctx: EngineContext, retiring: readonly string[]): Promise<void> {
  const { platform } = ctx;
  const data = new Set(knownDataMembers(ctx));
  let master = await masterFromSentinels(ctx);
  if (master && retiring.includes(master)) {
    const kept = dataMembers(ctx.inst).map((m) => m.name);
    const candidates: string[] = [];
    for (const d of kept) {
      try {
        await waitForReplicaSynced({ ...ctx, timeoutMs: 5000, log: () => undefined }, d, master);
        candidates.push(d);
      } catch { /* not synced: not a candidate */ }
    }
    master = await sentinelHandover(ctx, master, candidates);
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
  for (const s of sentinelMembers(ctx.inst)) {
    ctx.log(`SENTINEL RESET on ${s.name}`);
    await withClient(platform.placement(s.name), conn(ctx), (c) => sentinelReset(c, ctx.inst.sentinel!.masterName));
    await waitForSentinelAgreement(ctx, current);
  }
}
