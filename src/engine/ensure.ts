// Bring an instance to its desired running state on any platform: start what is missing,
// bootstrap what is new, heal what moved. Safe to run any number of times.
import type { EngineContext } from './context.js';
import { ensureCluster } from './clusterGroup.js';
import { scaleCluster } from './clusterScale.js';
import { ensureSentinelGroup } from './sentinelGroup.js';
import { ensureStandalone } from './standalone.js';

export async function ensureInstance(ctx: EngineContext): Promise<void> {
  switch (ctx.inst.mode) {
    case 'STANDALONE':
      return ensureStandalone(ctx);
    case 'SENTINEL':
      return ensureSentinelGroup(ctx);
    case 'CLUSTER':
      // Heal what is recorded first, then apply a changed size (a no-op when the layout matches).
      await ensureCluster(ctx);
      await scaleCluster(ctx);
      return;
  }
}
