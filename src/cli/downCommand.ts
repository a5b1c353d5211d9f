import { rmSync } from 'node:fs';
import { stopInstance } from '../engine/stop.js';
import { loadSingleInstance } from './input.js';
import { engineContext, openExisting, readPassword } from './localRuntime.js';

export async function downCommand(o: { file: string; dir?: string; purge?: boolean }): Promise<number> {
  const { instance: inst } = loadSingleInstance(o.file);
  const platform = openExisting(inst, o.dir);
  const ctx = engineContext(inst, platform, readPassword(platform, inst), (l) => process.stderr.write(`  ${l}\n`));
  await stopInstance(ctx);
  if (o.purge) {
    rmSync(platform.dir, { recursive: true, force: true });
    process.stderr.write(`${inst.name}: stopped, data purged (${platform.dir})\n`);
  } else {
    process.stderr.write(
      `${inst.name}: stopped; data kept in ${platform.dir} (rk up starts it again, --purge deletes it)\n`,
    );
  }
  return 0;
}
