import { observeInstance, type InstanceStatus } from '../engine/status.js';
import { loadSingleInstance, textOrJson } from './input.js';
import { engineContext, openExisting, passwordFile, readPassword } from './localRuntime.js';

export async function statusCommand(o: { file: string; dir?: string; output?: string }): Promise<number> {
  textOrJson(o.output);
  const { instance: inst } = loadSingleInstance(o.file);
  const platform = openExisting(inst, o.dir);
  const password = readPassword(platform, inst);
  const status = await observeInstance(engineContext(inst, platform, password, () => {}));
  if (o.output === 'json') {
    process.stdout.write(
      JSON.stringify({ ...status, passwordFile: password ? passwordFile(platform) : null }, null, 2) + '\n',
    );
  } else {
    process.stdout.write(formatStatus(status));
  }
  return status.ready ? 0 : 1;
}

export function formatStatus(s: InstanceStatus): string {
  const lines = [`${s.name} (${s.mode}): ${s.ready ? 'Ready' : 'NOT READY'}${s.master ? `, master ${s.master}` : ''}`];
  for (const m of s.members) {
    const details: string[] = [];
    if (m.masterName !== undefined) details.push(`of ${m.masterName ?? '?'}`);
    if (m.link) details.push(`link ${m.link}`);
    if (m.lagBytes !== undefined) details.push(`lag ${m.lagBytes} B`);
    if (m.slots?.length) details.push(`slots ${m.slots.join(',')}`);
    if (m.clusterState) details.push(`cluster ${m.clusterState}`);
    if (m.sees !== undefined) details.push(`sees master ${m.sees ?? 'none'}`);
    lines.push(
      `  ${m.name.padEnd(24)} ${m.role.padEnd(8)} ${(m.host === null ? '-' : `${m.host}:${m.port}`).padEnd(16)} pid ${String(m.pid ?? '-').padEnd(7)} ${details.join(', ')}`,
    );
  }
  if (s.pending.length) lines.push(`  to come: ${s.pending.join(', ')} (not started yet: rk up starts them)`);
  for (const p of s.problems) lines.push(`  problem: ${p}`);
  return lines.join('\n') + '\n';
}
