// Shared by rk up / status / down / check: where the local instance lives and how to reach it.
import { newPassword } from '../apply/authSecret.js';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Instance } from '../api/instance.js';
import type { EngineContext } from '../engine/context.js';
import { rotatePassword, type PasswordChange } from '../engine/passwordRotation.js';
import { allMembers } from '../engine/topology.js';
import { LocalPlatform } from '../platform/local/localPlatform.js';
import { writeFileAtomic } from '../platform/local/stateFile.js';
import { CliError } from './input.js';

export const DEFAULT_DIR = '.rk';

export function stateRoot(dir: string | undefined): string {
  return resolve(dir ?? process.env.RK_DIR ?? DEFAULT_DIR);
}

export function passwordFile(p: LocalPlatform): string {
  return join(p.dir, 'password');
}

/** 256 random bits, in characters no config parser or shell quoting trips over. */
/** The instance's password: generated once, kept 0600 next to the data. */
export function ensurePassword(p: LocalPlatform, inst: Instance): string | null {
  if (!inst.auth.enabled) return null;
  const file = passwordFile(p);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const pw = newPassword();
  writeFileAtomic(file, pw + '\n', 0o600);
  return pw;
}

// A rotation in progress is the presence of password.previous (the password being retired):
// written before the new password replaces `password`, removed once no member accepts it.
const previousPasswordFile = (p: LocalPlatform) => join(p.dir, 'password.previous');

/** The rotation an earlier run began and did not finish, if any. */
export function pendingRotation(p: LocalPlatform, inst: Instance): PasswordChange | null {
  const prev = previousPasswordFile(p);
  if (!inst.auth.enabled || !existsSync(prev)) return null;
  const from = readFileSync(prev, 'utf8').trim();
  const to = readPassword(p, inst);
  // Interrupted between the two writes: the new password was never stored, nothing rotated.
  if (to === null || to === from) {
    rmSync(prev, { force: true });
    return null;
  }
  return { from, to };
}

/** Stores the new password (the old one kept aside first, so a crash in between loses neither). */
export function beginRotation(p: LocalPlatform, inst: Instance, to: string): PasswordChange {
  const from = readPassword(p, inst);
  if (from === null) throw new CliError(`${inst.name} has no password yet (${passwordFile(p)}): run rk up first`);
  if (from === to) throw new CliError('the new password is the current one');
  writeFileAtomic(previousPasswordFile(p), from + '\n', 0o600);
  writeFileAtomic(passwordFile(p), to + '\n', 0o600);
  return { from, to };
}

export function endRotation(p: LocalPlatform): void {
  rmSync(previousPasswordFile(p), { force: true });
}

/** Finishes a rotation an interrupted run left behind; the engine context carries the new password. */
export async function finishPendingRotation(ctx: EngineContext & { platform: LocalPlatform }): Promise<void> {
  const pending = pendingRotation(ctx.platform, ctx.inst);
  if (!pending) return;
  ctx.log('finishing a password rotation an earlier run began');
  await rotatePassword(ctx, pending);
  endRotation(ctx.platform);
}

export function readPassword(p: LocalPlatform, inst: Instance): string | null {
  if (!inst.auth.enabled) return null;
  const file = passwordFile(p);
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : null;
}

export async function openForUp(
  inst: Instance,
  dir: string | undefined,
  basePort: number | undefined,
): Promise<LocalPlatform> {
  return LocalPlatform.open({
    root: stateRoot(dir),
    inst,
    members: allMembers(inst).map((m) => m.name),
    ...(basePort !== undefined ? { basePort } : {}),
  });
}

export function openExisting(inst: Instance, dir: string | undefined): LocalPlatform {
  const p = LocalPlatform.openExisting(stateRoot(dir), inst);
  if (!p)
    throw new CliError(
      `no local instance "${inst.name}" under ${stateRoot(dir)} (run rk up first, or pass the same --dir)`,
    );
  return p;
}

export function engineContext(
  inst: Instance,
  platform: LocalPlatform,
  password: string | null,
  log: (l: string) => void,
  timeoutMs = 60_000,
): EngineContext {
  return { inst, platform, password, log, timeoutMs };
}

export function parsePort(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1024 || n > 55535)
    throw new CliError(
      `--base-port must be a whole number between 1024 and 55535 (bus ports are +10000), got ${JSON.stringify(v)}`,
      2,
    );
  return n;
}
