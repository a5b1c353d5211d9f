import { relative } from 'node:path';
import { flavorBinaries } from '../api/flavor.js';
import { describePlan, hasChanges, planChanges } from '../engine/changePlan.js';
import { ensureInstance } from '../engine/ensure.js';
import { applyChangePlan } from '../engine/rollout.js';
import { observeInstance, type InstanceStatus } from '../engine/status.js';
import { loadSingleInstance } from './input.js';
import { engineContext, ensurePassword, finishPendingRotation, openForUp, passwordFile } from './localRuntime.js';

export async function upCommand(o: {
  file: string;
  dir?: string;
  basePort?: number;
  showPassword?: boolean;
  timeout?: number;
}): Promise<number> {
  const { instance: inst } = loadSingleInstance(o.file);
  const started = Date.now();
  const platform = await openForUp(inst, o.dir, o.basePort);
  const password = ensurePassword(platform, inst);
  const log = (l: string) => process.stderr.write(`  ${l}\n`);
  process.stderr.write(`rk up ${inst.name} (${inst.mode}) in ${relative(process.cwd(), platform.dir) || '.'}\n`);
  const ctx = engineContext(inst, platform, password, log, (o.timeout ?? 60) * 1000);
  // Members still on the old password would refuse the engine's connections: finish first.
  await finishPendingRotation({ ...ctx, platform });
  await ensureInstance(ctx);
  // A changed spec: what healing does not cover (settings, images, removed members) goes
  // through the planned, failover-aware path.
  const plan = await planChanges(ctx);
  if (hasChanges(plan)) {
    for (const line of describePlan(plan)) log(line);
    await applyChangePlan(ctx, plan);
  }
  const status = await observeInstance(ctx);
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  if (!status.ready) {
    process.stderr.write(
      `${inst.name} is up but not Ready after ${secs} s:\n${status.problems.map((p) => `  - ${p}`).join('\n')}\n`,
    );
    return 1;
  }
  process.stdout.write(`${inst.name} is Ready (${describe(status)}) in ${secs} s\n`);
  printEndpoints(
    status,
    inst.image.repository,
    password ? relative(process.cwd(), passwordFile(platform)) : null,
    inst.sentinel?.masterName ?? null,
    inst.mode === 'CLUSTER',
  );
  if (o.showPassword && password) process.stdout.write(`password: ${password}\n`);
  return 0;
}

function describe(s: InstanceStatus): string {
  const servers = s.members.filter((m) => m.kind === 'server').length;
  const sentinels = s.members.length - servers;
  return `${s.mode}, ${servers} server${servers === 1 ? '' : 's'}${sentinels ? ` + ${sentinels} sentinels` : ''}`;
}

function printEndpoints(
  s: InstanceStatus,
  repository: string,
  pwFile: string | null,
  masterName: string | null,
  cluster: boolean,
): void {
  const cli = flavorBinaries(repository.includes('valkey') ? 'valkey' : 'redis').cli;
  for (const m of s.members) process.stdout.write(`  ${m.role.padEnd(8)} ${m.name.padEnd(24)} ${m.host}:${m.port}\n`);
  const master = s.members.find((m) => m.role === 'master') ?? s.members[0]!;
  const auth = pwFile ? `REDISCLI_AUTH="$(cat ${pwFile})" ` : '';
  process.stdout.write(`connect:\n  ${auth}${cli} -h ${master.host} -p ${master.port}${cluster ? ' -c' : ''}\n`);
  if (masterName) {
    const sentinels = s.members.filter((m) => m.kind === 'sentinel').map((m) => `${m.host}:${m.port}`);
    process.stdout.write(`  sentinel clients: master name "${masterName}", sentinels ${sentinels.join(' ')}\n`);
  }
  if (pwFile) process.stdout.write(`  the password is in ${pwFile} (rk up --show-password prints it)\n`);
}
