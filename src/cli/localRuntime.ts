// Shared by rk up / status / down / check: where the local instance lives and how to reach it.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Instance } from '../api/instance.js';
import type { EngineContext } from '../engine/context.js';
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

/** The instance's password: generated once (256 bits), kept 0600 next to the data. */
export function ensurePassword(p: LocalPlatform, inst: Instance): string | null {
  if (!inst.auth.enabled) return null;
  const file = passwordFile(p);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const pw = randomBytes(32).toString('base64url');
  writeFileAtomic(file, pw + '\n', 0o600);
  return pw;
}

export function readPassword(p: LocalPlatform, inst: Instance): string | null {
  if (!inst.auth.enabled) return null;
  const file = passwordFile(p);
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : null;
}

export async function openForUp(inst: Instance, dir: string | undefined, basePort: number | undefined): Promise<LocalPlatform> {
  return LocalPlatform.open({ root: stateRoot(dir), inst, members: allMembers(inst).map((m) => m.name), ...(basePort !== undefined ? { basePort } : {}) });
}

export function openExisting(inst: Instance, dir: string | undefined): LocalPlatform {
  const p = LocalPlatform.openExisting(stateRoot(dir), inst);
  if (!p) throw new CliError(`no local instance "${inst.name}" under ${stateRoot(dir)} (run rk up first, or pass the same --dir)`);
  return p;
}

export function engineContext(inst: Instance, platform: LocalPlatform, password: string | null, log: (l: string) => void, timeoutMs = 60_000): EngineContext {
  return { inst, platform, password, log, timeoutMs };
}

export function parsePort(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1024 || n > 55535) throw new CliError(`--base-port must be a whole number between 1024 and 55535 (bus ports are +10000), got ${JSON.stringify(v)}`, 2);
  return n;
}
