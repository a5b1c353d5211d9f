// rk check: the consistency checker against a running local instance. Writes unique keys for a
// while through the client the mode needs, then reads every one back: exit 0 when no
// acknowledged write is missing, 1 otherwise. Kill members meanwhile to see what clients see.
import { randomBytes } from 'node:crypto';
import { instanceTarget } from '../check/instanceTarget.js';
import { summarizeReport } from '../check/report.js';
import { startWriter } from '../check/writer.js';
import { CliError, loadSingleInstance, textOrJson } from './input.js';
import { withClient } from '../valkey/connection.js';
import { errorKind } from '../valkey/errors.js';
import { openExisting, passwordFile, readPassword } from './localRuntime.js';

export interface CheckCommandOptions {
  file: string;
  dir?: string;
  duration?: string;
  rate?: string;
  concurrency?: string;
  output?: string;
}

/** "10s", "500ms", "2m" or a bare number of seconds, in ms. */
export function parseDuration(v: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(v.trim());
  if (!m) throw new CliError(`--duration must look like 10s, 500ms or 2m, got ${JSON.stringify(v)}`, 2);
  const ms = Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 'm' ? 60_000 : 1000);
  if (ms < 100 || ms > 24 * 3600_000)
    throw new CliError(`--duration must be between 100ms and 24h, got ${JSON.stringify(v)}`, 2);
  return Math.round(ms);
}

function positiveInt(flag: string, v: string | undefined, fallback: number, max: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw new CliError(`${flag} must be a whole number from 1 to ${max}, got ${JSON.stringify(v)}`, 2);
  return n;
}

export async function checkCommand(o: CheckCommandOptions): Promise<number> {
  textOrJson(o.output);
  const durationMs = parseDuration(o.duration ?? '10s');
  const rateLimit = positiveInt('--rate', o.rate, 1000, 1_000_000);
  const { instance: inst } = loadSingleInstance(o.file);
  // Cluster: writers blocked on a failed shard must leave enough workers for the others.
  const concurrency = positiveInt('--concurrency', o.concurrency, inst.cluster ? 16 : 4, 256);
  const platform = openExisting(inst, o.dir);
  const password = readPassword(platform, inst);
  if (inst.auth.enabled && !password)
    throw new CliError(`${inst.name}: no password file in ${platform.dir} (was it created by rk up with this spec?)`);
  const down: string[] = [];
  for (const m of platform.members()) if (!(await platform.state(m)).running) down.push(m);
  // A refused password would only show as every write failing for the whole run: say so now.
  const probe = platform.members().find((m) => !down.includes(m));
  if (probe && password) {
    await withClient(platform.placement(probe), { password, connectTimeoutMs: 1000, reconnectAttempts: 0 }, () =>
      Promise.resolve(),
    ).catch((e: unknown) => {
      if (errorKind(e) === 'auth')
        throw new CliError(`${probe} refuses the password in ${passwordFile(platform)} (${(e as Error).message})`);
    });
  }
  const { target, waitReplicas } = instanceTarget(inst, (m) => ({
    host: platform.placement(m).host,
    port: platform.placement(m).port,
  }));
  const keyPrefix = `rk-check:${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const json = o.output === 'json';
  if (!json) {
    process.stderr.write(
      `rk check ${inst.name} (${inst.mode}): writing ${keyPrefix}:* for ${durationMs / 1000} s at up to ${rateLimit}/s, ${concurrency} writers${waitReplicas ? `, WAIT ${waitReplicas}` : ''}\n`,
    );
    if (down.length) process.stderr.write(`  not running now: ${down.join(', ')}\n`);
  }
  const writer = startWriter({
    target,
    auth: password ? { password, sentinelPassword: password } : {},
    keyPrefix,
    waitReplicas,
    waitTimeoutMs: 500,
    concurrency,
    rateLimit,
    durationMs,
  });
  // Read back with the password as it is once writing ends: an rk rotate-password may have run meanwhile.
  await writer.finished;
  const current = readPassword(platform, inst);
  const report = await writer.verify(current ? { auth: { password: current, sentinelPassword: current } } : {});
  if (json) {
    process.stdout.write(JSON.stringify({ instance: inst.name, mode: inst.mode, ...report }) + '\n');
  } else {
    process.stdout.write(summarizeReport(report) + '\n');
    for (const w of report.outages.filter((x) => x.durationMs > 0).slice(0, 3)) {
      process.stdout.write(
        `  outage ${w.durationMs} ms at +${(w.startMs / 1000).toFixed(1)} s, ${w.failedAttempts} failed writes${w.slots ? ` (slots ${w.slots[0]}-${w.slots[1]})` : ''}\n`,
      );
    }
    if (report.unacknowledgedButPresent)
      process.stdout.write(
        `  ${report.unacknowledgedButPresent} writes failed for the client but landed (not a loss)\n`,
      );
  }
  return report.ok ? 0 : 1;
}
