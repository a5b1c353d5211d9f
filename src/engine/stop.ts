// Stopping an instance without provoking failovers or losing writes: sentinels first (so they
// do not promote anything while servers go down), then replicas, then masters, each with a
// graceful shutdown that flushes AOF/RDB. The master is recorded first: after a full stop
// nothing else remembers it.
import { updateEngineRecord } from './engineRecord.js';
import type { EngineContext } from './context.js';
import { masterFromSentinels } from './sentinelGroup.js';
import { observeInstance } from './status.js';
import { sentinelMembers } from './topology.js';

export async function stopInstance(ctx: EngineContext): Promise<void> {
  const status = await observeInstance(ctx);
  if (ctx.inst.sentinel) {
    const master = (await masterFromSentinels(ctx)) ?? status.members.find((m) => m.role === 'master')?.name;
    if (master) updateEngineRecord(ctx.platform, { lastMaster: master });
  }
  const order = [
    ...sentinelMembers(ctx.inst).map((m) => m.name),
    ...status.members.filter((m) => m.kind === 'server' && m.role !== 'master').map((m) => m.name),
    ...status.members.filter((m) => m.kind === 'server' && m.role === 'master').map((m) => m.name),
  ];
  for (const name of order) {
    if (!(await ctx.platform.state(name)).running) continue;
    ctx.log(`stopping ${name}`);
    await ctx.platform.stop(name, { graceMs: 30_000 });
  }
}
