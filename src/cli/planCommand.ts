import { describePlan, planChanges } from '../engine/changePlan.js';
import { describeClusterScale, isEmptyPlan, observeCluster, planClusterScale } from '../engine/clusterScale.js';
import type { EngineContext } from '../engine/context.js';
import { allMembers } from '../engine/topology.js';
import { LocalPlatform } from '../platform/local/localPlatform.js';
import { loadSingleInstance } from './input.js';
import { engineContext, readPassword, stateRoot } from './localRuntime.js';

export async function planCommand(o: { file: string; dir?: string }): Promise<number> {
  const { instance: inst } = loadSingleInstance(o.file);
  const platform = LocalPlatform.openExisting(stateRoot(o.dir), inst);
  if (!platform) {
    process.stdout.write(
      `${inst.name}: not running under ${stateRoot(o.dir)}; rk up would start ${allMembers(inst).length} members\n`,
    );
    return 0;
  }
  const ctx = engineContext(inst, platform, readPassword(platform, inst), () => {});
  const changes = await planChanges(ctx);
  const scale = inst.cluster ? await clusterScaleLines(ctx) : [];
  const lines = changes.changes.length || !scale.length ? [...describePlan(changes), ...scale] : scale;
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}

/** Members to add or remove and slots to move; the slot map can only be read from running members. */
async function clusterScaleLines(ctx: EngineContext): Promise<string[]> {
  try {
    const plan = planClusterScale(await observeCluster(ctx), ctx.inst);
    return isEmptyPlan(plan) ? [] : describeClusterScale(plan);
  } catch (e) {
    return [
      `cluster layout: cannot read the slot map (${(e as Error).message}); rk up heals first, then plans the layout`,
    ];
  }
}
