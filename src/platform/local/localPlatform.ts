// The local platform: every member is a real valkey/redis process on loopback, with its own
// directory under DIR/<instance>/<member>/ that survives restarts. The record of ports lets
// later commands (status, down, another up) find the same processes again.
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { connect as netConnect } from 'node:net';
import type { Instance } from '../../api/instance.js';
import type { LaunchSpec, MemberPlacement, MemberState, Platform } from '../platform.js';
import { resolveLocalBinaries } from './binaries.js';
import { CLUSTER_BUS_OFFSET, isPortFree, portCeiling } from './ports.js';
import {
  isAlive,
  processCommandLine,
  readPidFile,
  ServerStartError,
  startServerProcess,
  stopPid,
  tailFile,
} from './process.js';
import { readJsonFile, writeFileAtomic, type LocalRecord } from './stateFile.js';

export const LOOPBACK = '127.0.0.1';
const CONFIG_FILE = { server: 'valkey.conf', sentinel: 'sentinel.conf' } as const;

export interface LocalPlatformOptions {
  /** State root; the instance lives in <root>/<instance name>. */
  root: string;
  inst: Instance;
  members: string[];
  /** Move every member to consecutive ports from here (all addresses change). */
  basePort?: number;
}

export class LocalPlatform implements Platform {
  readonly kind = 'local' as const;
  readonly dir: string;
  private record: LocalRecord;

  private constructor(
    private readonly inst: Instance,
    dir: string,
    record: LocalRecord,
  ) {
    this.dir = dir;
    this.record = record;
  }

  /** Opens (or creates) the instance's directory and assigns ports to members that have none. */
  static async open(opts: LocalPlatformOptions): Promise<LocalPlatform> {
    const dir = join(opts.root, opts.inst.name);
    const recordFile = join(dir, 'record.json');
    const existing = readJsonFile<LocalRecord>(recordFile);
    if (existing && existing.instance !== opts.inst.name)
      throw new Error(`${recordFile} belongs to instance ${existing.instance}`);
    const record: LocalRecord = existing ?? { version: 1, instance: opts.inst.name, host: LOOPBACK, members: {} };
    const p = new LocalPlatform(opts.inst, dir, record);
    if (opts.basePort !== undefined) {
      const ports = opts.members.map((_, i) => opts.basePort! + i);
      const current = opts.members.map((m) => record.members[m]?.port);
      if (ports.some((port, i) => port !== current[i])) {
        p.assertStopped(opts.members, '--base-port moves every member');
        await assertFree(ports, opts.inst.cluster !== null);
        opts.members.forEach((m, i) => {
          record.members[m] = { port: ports[i]! };
        });
      }
    }
    const missing = opts.members.filter((m) => !record.members[m]);
    if (missing.length) {
      const ports = await findFreeBlock(
        missing.length,
        Object.values(record.members).map((r) => r.port),
        opts.inst.cluster !== null,
      );
      missing.forEach((m, i) => {
        record.members[m] = { port: ports[i]! };
      });
    }
    p.saveRecord();
    return p;
  }

  /** Opens an existing instance directory without assigning anything (status, down). */
  static openExisting(root: string, inst: Instance): LocalPlatform | null {
    const dir = join(root, inst.name);
    const record = readJsonFile<LocalRecord>(join(dir, 'record.json'));
    return record ? new LocalPlatform(inst, dir, record) : null;
  }

  members(): string[] {
    return Object.keys(this.record.members);
  }

  private saveRecord(): void {
    writeFileAtomic(join(this.dir, 'record.json'), JSON.stringify(this.record, null, 2) + '\n');
  }

  memberDir(member: string): string {
    return join(this.dir, member);
  }

  placement(member: string): MemberPlacement {
    const r = this.record.members[member];
    if (!r) throw new Error(`member ${member} has no port assigned`);
    return {
      host: this.record.host,
      port: r.port,
      busPort: r.port + CLUSTER_BUS_OFFSET,
      bind: [this.record.host],
      dataDir: this.memberDir(member),
    };
  }

  private pidFile(member: string): string {
    return join(this.memberDir(member), 'pid');
  }

  private livePid(member: string): number | null {
    const pid = readPidFile(this.pidFile(member));
    if (pid === null || !isAlive(pid)) return null;
    // A recycled pid belongs to some other program: only trust it if it is a server on our port.
    const cmd = processCommandLine(pid) ?? '';
    return cmd.includes(`:${this.placement(member).port}`) || cmd.includes(this.memberDir(member)) ? pid : null;
  }

  state(member: string): Promise<MemberState> {
    const pid = this.livePid(member);
    return Promise.resolve({ running: pid !== null, pid });
  }

  async start(member: string, launch: LaunchSpec): Promise<void> {
    if (this.livePid(member) !== null) return;
    const dir = this.memberDir(member);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const configPath = join(dir, CONFIG_FILE[launch.kind]);
    writeFileAtomic(configPath, launch.configText, 0o600);
    const bins = resolveLocalBinaries(launch.image.repository, [launch.kind]);
    const logFile = join(dir, `${launch.kind}.log`);
    const proc = startServerProcess({
      binary: bins[launch.kind],
      configPath,
      cwd: dir,
      logFile,
      pidFile: this.pidFile(member),
    });
    proc.detach();
    // Ready to accept TCP, or dead with its reason: a bad config fails here, with the log.
    const at = this.placement(member);
    const deadline = Date.now() + 10_000;
    while (!(await tcpOpen(at.host, at.port))) {
      if (!proc.running) {
        const exit = await proc.exited;
        throw new ServerStartError(
          `${member} exited at start (code ${exit.code}); last log lines:\n${tailFile(logFile, 1500).trimEnd()}`,
        );
      }
      if (Date.now() > deadline)
        throw new ServerStartError(`${member} did not open ${at.host}:${at.port} within 10 s; log: ${logFile}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  async stop(member: string, opts: { graceMs?: number } = {}): Promise<void> {
    const pid = this.livePid(member);
    if (pid !== null) await stopPid(pid, opts.graceMs ?? 10_000);
  }

  async kill(member: string): Promise<void> {
    const pid = this.livePid(member);
    if (pid === null) return;
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 200 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 5));
  }

  readDataFile(member: string, file: string): string | null {
    const path = join(this.memberDir(member), file);
    return existsSync(path) ? readFileSync(path, 'utf8') : null;
  }

  writeDataFile(member: string, file: string, content: string): void {
    writeFileAtomic(join(this.memberDir(member), file), content);
  }

  readRecord(key: string): string | null {
    const path = join(this.dir, `${key}.json`);
    return existsSync(path) ? readFileSync(path, 'utf8') : null;
  }

  writeRecord(key: string, content: string): void {
    writeFileAtomic(join(this.dir, `${key}.json`), content);
  }

  /** Each record is on disk as soon as it is written. */
  async commitRecords(): Promise<void> {}

  async purge(member: string): Promise<void> {
    await this.stop(member);
    rmSync(this.memberDir(member), { recursive: true, force: true });
    delete this.record.members[member];
    this.saveRecord();
  }

  private assertStopped(members: string[], why: string): void {
    const running = [];
    for (const m of members) if (this.record.members[m] && this.livePid(m) !== null) running.push(m);
    if (running.length)
      throw new Error(
        `${why}, but ${running.join(', ')} still run${running.length === 1 ? 's' : ''}: run rk down first`,
      );
  }
}

function tcpOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = netConnect({ host, port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

async function assertFree(ports: number[], bus: boolean): Promise<void> {
  for (const p of ports) {
    if (!(await isPortFree(p, LOOPBACK)))
      throw new Error(`port ${p} on ${LOOPBACK} is in use; choose another --base-port`);
    if (bus && !(await isPortFree(p + CLUSTER_BUS_OFFSET, LOOPBACK)))
      throw new Error(
        `cluster bus port ${p + CLUSTER_BUS_OFFSET} on ${LOOPBACK} is in use; choose another --base-port`,
      );
  }
}

/** Consecutive free ports: predictable addresses for people, from 7000 upward in steps of 100. */
async function findFreeBlock(count: number, taken: number[], bus: boolean): Promise<number[]> {
  const start = taken.length ? Math.max(...taken) + 1 : 7000;
  // Below the kernel's ephemeral range: a port there can be taken by any outgoing connection
  // between this check and the server's bind.
  for (let base = start; base + count < portCeiling(bus); base += taken.length ? count : 100) {
    const ports = Array.from({ length: count }, (_, i) => base + i);
    let ok = true;
    for (const p of ports) {
      if (!(await isPortFree(p, LOOPBACK)) || (bus && !(await isPortFree(p + CLUSTER_BUS_OFFSET, LOOPBACK)))) {
        ok = false;
        break;
      }
    }
    if (ok) return ports;
  }
  throw new Error(`no ${count} consecutive free ports found on ${LOOPBACK}; pass --base-port`);
}
