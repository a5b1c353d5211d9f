// Handing a cluster master's slots to one of its replicas before the master restarts. A plain
// CLUSTER FAILOVER is coordinated by the server itself: the master stops accepting writes, the
// replica catches up to its exact offset, then takes over, so no write is lost; clients follow
// MOVED to the new master.
import { clusterFailover, clusterMyId, clusterNodes } from '../valkey/cluster.js';
import { withClient } from '../valkey/connection.js';
import { fetchReplication } from '../valkey/info.js';
import { adminConnection as conn } from './adminConnection.js';
import type { EngineContext } from './context.js';
import { waitFor } from './wait.js';

export interface ClusterRoles {
  /** member → node id */
  ids: Map<string, string>;
  /** master member → its replica members (running ones) */
  replicasOf: Map<string, string[]>;
  masters: string[];
}

/** Roles as the running members report them about themselves. */
export async function clusterRoles(ctx: EngineContext, members: readonly string[]): Promise<ClusterRoles> {
  const ids = new Map<string, string>();
  const masterIdOf = new Map<string, string | null>();
  for (const m of members) {
    if (!(await ctx.platform.state(m)).running) continue;
    await withClient(ctx.platform.placement(m), conn(ctx), async (c) => {
      const id = await clusterMyId(c);
      const self = (await clusterNodes(c)).find((n) => n.id === id);
      ids.set(m, id);
      masterIdOf.set(m, self?.role === 'replica' ? self.masterId : null);
    });
  }
  const memberOf = new Map([...ids].map(([m, id]) => [id, m]));
  const masters = [...masterIdOf].filter(([, mid]) => mid === null).map(([m]) => m);
  const replicasOf = new Map(masters.map((m) => [m, [] as string[]]));
  for (const [m, mid] of masterIdOf) {
    const master = mid ? memberOf.get(mid) : undefined;
    if (master) replicasOf.get(master)?.push(m);
  }
  return { ids, replicasOf, masters };
}

/**
 * Promotes the best-synced of `candidates` (replicas of `master`) and waits until it serves
 * and the old master follows it. Returns the new master.
 */
export async function clusterHandover(
  ctx: EngineContext,
  master: string,
  candidates: readonly string[],
): Promise<string> {
  const { platform } = ctx;
  if (!candidates.length) throw new Error(`cannot hand over from ${master}: no replica to promote`);
  const offsets = await Promise.all(
    candidates.map(async (r) => {
      const info = await withClient(platform.placement(r), conn(ctx), fetchReplication);
      return {
        r,
        ok: info.masterLinkStatus === 'up' && !info.masterSyncInProgress,
        offset: info.slaveReplOffset ?? -1,
      };
    }),
  );
  const best = offsets.filter((o) => o.ok).sort((a, b) => b.offset - a.offset)[0];
  if (!best) throw new Error(`cannot hand over from ${master}: no replica has its link up`);
  ctx.log(`handing over from ${master} to ${best.r} (CLUSTER FAILOVER)`);
  await withClient(platform.placement(best.r), conn(ctx), (c) => clusterFailover(c));
  await waitFor(
    `${best.r} to take over from ${master}`,
    async () => {
      const promoted = await withClient(platform.placement(best.r), conn(ctx), fetchReplication);
      if (promoted.role !== 'master') return `${best.r} is still ${promoted.role}`;
      const old = await withClient(platform.placement(master), conn(ctx), fetchReplication);
      return old.role === 'replica' ? true : `${master} is still master`;
    },
    { timeoutMs: ctx.timeoutMs, intervalMs: 10, onWait: (r) => ctx.log(`waiting: ${r}`) },
  );
  return best.r;
}
