// Starting and restarting members. Every start goes through here so the engine record always
// says what each member runs with: that record is the baseline a changed spec is compared to.
import type { Endpoint } from '../platform/platform.js';
import type { EngineContext } from './context.js';
import { recordApplied } from './engineRecord.js';
import { sentinelConfigText, sentinelMyId, serverConfigText } from './memberConfig.js';
import { desiredSettings } from './memberSettings.js';
import { alignShardIds } from './nodesConf.js';

const image = (ctx: EngineContext) => ({ repository: ctx.inst.image.repository, tag: ctx.inst.image.tag });

export async function startServer(ctx: EngineContext, member: string, replicaOf: Endpoint | null): Promise<void> {
  const at = ctx.platform.placement(member);
  if (ctx.inst.cluster) repairNodesConf(ctx, member);
  await ctx.platform.start(member, {
    kind: 'server',
    image: image(ctx),
    configText: serverConfigText(ctx.inst, at, { password: ctx.password, replicaOf }),
  });
  recordApplied(ctx.platform, member, desiredSettings(ctx.inst, at, 'server'));
}

/** The start-time repair the pods' start script also applies (render/scripts.ts). */
function repairNodesConf(ctx: EngineContext, member: string): void {
  const text = ctx.platform.readDataFile(member, 'nodes.conf');
  if (!text) return;
  const aligned = alignShardIds(text);
  if (aligned !== text) {
    ctx.log(`${member}: replica shard ids in nodes.conf aligned with their primaries'`);
    ctx.platform.writeDataFile(member, 'nodes.conf', aligned);
  }
}

export async function startSentinel(ctx: EngineContext, member: string, master: Endpoint): Promise<void> {
  const at = ctx.platform.placement(member);
  const myid = sentinelMyId(ctx.platform.readDataFile(member, 'sentinel.conf'));
  await ctx.platform.start(member, {
    kind: 'sentinel',
    image: image(ctx),
    configText: sentinelConfigText(ctx.inst, at, { password: ctx.password, master, ...(myid ? { myid } : {}) }),
  });
  recordApplied(ctx.platform, member, desiredSettings(ctx.inst, at, 'sentinel'));
}

/** Graceful stop (the server flushes AOF and writes its RDB), then a start with the current spec. */
export async function restartServer(ctx: EngineContext, member: string, replicaOf: Endpoint | null): Promise<void> {
  await ctx.platform.stop(member, { graceMs: 30_000 });
  await startServer(ctx, member, replicaOf);
}

export async function restartSentinel(ctx: EngineContext, member: string, master: Endpoint): Promise<void> {
  await ctx.platform.stop(member, { graceMs: 10_000 });
  await startSentinel(ctx, member, master);
}
