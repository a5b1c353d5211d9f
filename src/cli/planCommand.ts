import { describePlan, planChanges } from '../engine/changePlan.js';
import { loadSingleInstance } from './input.js';
import { engineContext, readPassword, stateRoot } from './localRuntime.js';
import { LocalPlatform } from '../platform/local/localPlatform.js';
import { allMembers } from '../engine/topology.js';

export async function planCommand(o: { file: string; dir?: string }): Promise<number> {
  const { instance: inst } = loadSingleInstance(o.file);
  const platform = LocalPlatform.openExisting(stateRoot(o.dir), inst);
  if (!platform) {
    process.stdout.write(`${inst.name}: not running under ${stateRoot(o.dir)}; rk up would start ${allMembers(inst).length} members\n`);
    return 0;
  }
  const plan = await planChanges(engineContext(inst, platform, readPassword(platform, inst), () => {}));
  process.stdout.write(describePlan(plan).join('\n') + '\n');
  return 0;
}
