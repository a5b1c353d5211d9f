// "Ready and fully synced": a restarted replica is only trusted (as the next failover target,
// or before the next member goes down) once its link is up, no full sync runs, and it has
// processed everything its master had written when we looked.
import { withClient } from '../valkey/connection.js';
import { fetchReplication, isSyncedReplica } from '../valkey/info.js';
import { adminConnection as conn } from './adminConnection.js';
import { isAt, type EngineContext } from './context.js';
import { waitFor } from './wait.js';

export async function waitForReplicaSynced(ctx: EngineContext, member: string, master: string): Promise<void> {
  const { platform } = ctx;
  const masterAt = platform.placement(master);
  await waitFor(
    `${member} to sync from ${master}`,
    async () => {
      // The master's offset is read first: a replica at or past it has everything written before.
      const m = await withClient(masterAt, conn(ctx), fetchReplication);
      if (m.role !== 'master') return `${master} is ${m.role}, not master`;
      const r = await withClient(platform.placement(member), conn(ctx), fetchReplication);
      if (r.role !== 'replica') return `${member} is ${r.role}`;
      // On Kubernetes a replica follows its master by the name the master announces.
      if (!r.masterHost || !r.masterPort || !isAt(masterAt, { host: r.masterHost, port: r.masterPort })) {
        return `${member} follows ${r.masterHost}:${r.masterPort}`;
      }
      return isSyncedReplica(r, m.masterReplOffset)
        ? true
        : `${member} link ${r.masterLinkStatus}${r.masterSyncInProgress ? ', syncing' : ''}, ${m.masterReplOffset - (r.slaveReplOffset ?? 0)} bytes behind`;
    },
    { timeoutMs: ctx.timeoutMs, onWait: (r) => ctx.log(`waiting: ${r}`) },
  );
}

/** The members among `members` that are running, follow `master` and are caught up with it now. */
export async function syncedReplicas(
  ctx: EngineContext,
  master: string,
  members: readonly string[],
): Promise<string[]> {
  const quiet = { ...ctx, timeoutMs: 2000, log: () => undefined };
  const out: string[] = [];
  for (const m of members) {
    if (m === master || !(await ctx.platform.state(m)).running) continue;
    try {
      await waitForReplicaSynced(quiet, m, master);
      out.push(m);
    } catch {
      /* not synced: not a candidate */
    }
  }
  return out;
}
