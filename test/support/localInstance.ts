// A real instance on the local platform for integration tests: a spec (inline YAML or an
// example file), a private state directory, consecutive free ports, and a cleanup that stops
// every process it started, whatever the test did to them.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Instance } from '../../src/api/instance.js';
import { parseDocuments } from '../../src/api/load.js';
import { validateDocument } from '../../src/api/validate.js';
import type { EngineContext } from '../../src/engine/context.js';
import { ensureInstance } from '../../src/engine/ensure.js';
import { stopInstance } from '../../src/engine/stop.js';
import { allMembers } from '../../src/engine/topology.js';
import { LocalPlatform } from '../../src/platform/local/localPlatform.js';
import { isPortFree, LOWEST_CANDIDATE, portCeiling } from '../../src/platform/local/ports.js';
import { isAlive, readPidFile } from '../../src/platform/local/process.js';

export const EXAMPLES = new URL('../../../examples/', import.meta.url).pathname;

export function instanceFrom(yamlText: string, overrides: (inst: Instance) => void = () => {}): Instance {
  const r = validateDocument(parseDocuments(yamlText, 'test.yaml')[0]!);
  if (!r.instance)
    throw new Error(`invalid test spec: ${r.diagnostics.map((d) => `${d.path}: ${d.message}`).join('; ')}`);
  overrides(r.instance);
  return r.instance;
}

export function exampleInstance(name: string, overrides?: (inst: Instance) => void): Instance {
  return instanceFrom(readFileSync(join(EXAMPLES, `${name}.yaml`), 'utf8'), overrides);
}

/** A base port whose block (and cluster bus block) is free, chosen at random to keep parallel runs apart. */
export async function freeBase(count: number, bus: boolean): Promise<number> {
  // Below the ephemeral range (portCeiling), where the kernel never hands a port to an outgoing
  // connection between this check and the servers' bind.
  const slots = Math.floor((portCeiling(bus) - count - LOWEST_CANDIDATE) / 10);
  for (let attempt = 0; attempt < 200; attempt++) {
    const base = LOWEST_CANDIDATE + Math.floor(Math.random() * slots) * 10;
    let ok = true;
    for (let p = base; p < base + count && ok; p++)
      ok = (await isPortFree(p)) && (!bus || (await isPortFree(p + 10000)));
    if (ok) return base;
  }
  throw new Error('no free port block for the test');
}

export interface LocalTestInstance {
  inst: Instance;
  root: string;
  platform: LocalPlatform;
  ctx: EngineContext;
  logs: string[];
  /** Re-open the platform as a new `rk up` would: same ports, or all moved to basePort. */
  reopen(basePort?: number): Promise<void>;
  ensure(): Promise<void>;
  dispose(): Promise<void>;
}

export async function localInstance(
  inst: Instance,
  opts: { password?: string | null; timeoutMs?: number } = {},
): Promise<LocalTestInstance> {
  const root = mkdtempSync(join(tmpdir(), 'rk-int-'));
  const members = allMembers(inst).map((m) => m.name);
  const logs: string[] = [];
  const password =
    opts.password === undefined
      ? inst.auth.enabled
        ? `pw-${Math.random().toString(36).slice(2)}`
        : null
      : opts.password;
  // A test may change t.inst (a changed spec): reopening then assigns ports to new members.
  const open = async (basePort?: number, current: Instance = inst) =>
    LocalPlatform.open({
      root,
      inst: current,
      members: allMembers(current).map((m) => m.name),
      ...(basePort !== undefined ? { basePort } : {}),
    });
  // Room for members a test adds later.
  const platform = await open(await freeBase(members.length + 8, inst.cluster !== null));
  const t: LocalTestInstance = {
    inst,
    root,
    platform,
    logs,
    ctx: { inst, platform, password, log: (l) => logs.push(l), timeoutMs: opts.timeoutMs ?? 30_000 },
    async reopen(basePort) {
      t.platform = await open(basePort, t.inst);
      t.ctx = { ...t.ctx, platform: t.platform };
    },
    ensure: () => ensureInstance(t.ctx),
    async dispose() {
      try {
        await stopInstance(t.ctx);
      } catch {
        /* fall through to the hard stop */
      }
      for (const m of new Set([...members, ...t.platform.members()])) {
        const pid = readPidFile(join(t.platform.memberDir(m), 'pid'));
        if (pid && isAlive(pid))
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            /* gone */
          }
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
  return t;
}
