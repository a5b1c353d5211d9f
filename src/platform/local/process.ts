// One server or sentinel process on this machine. Processes are started detached in their own
// process group so they outlive the `rk up` that started them; later commands find them again
// through pid files. Credentials only ever travel in config files: argv is world-readable in ps.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync, renameSync, readSync, fstatSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect, endpointString, closeClient, type ConnectOptions, type Endpoint } from '../../valkey/connection.js';
import { errorKind } from '../../valkey/errors.js';

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface StartServerProcessOptions {
  /** Executable name or absolute path (see binaries.ts). */
  binary: string;
  /** Config file given as the first argument; holds every setting, secrets included. */
  configPath: string;
  cwd: string;
  /** stdout and stderr are appended here (the server's own `logfile` may point elsewhere). */
  logFile: string;
  /** Extra command-line arguments; must not carry secrets (checked). */
  extraArgs?: string[];
  env?: NodeJS.ProcessEnv;
  /** Written with the pid once started, for readPidFile / stopPid by a later process. */
  pidFile?: string;
}

export interface ServerProcess {
  pid: number;
  /** Resolves once the process has exited (never rejects). */
  exited: Promise<ProcessExit>;
  /** True until the exit has been observed. */
  readonly running: boolean;
  /** SIGTERM, then SIGKILL to the whole process group after graceMs (default 5000). */
  stop(opts?: { graceMs?: number }): Promise<ProcessExit>;
  /** Sends a signal to the server only (not its group). No-op once exited. */
  kill(signal?: NodeJS.Signals): void;
  /** Lets this Node process exit while the server keeps running. */
  detach(): void;
}

export class ServerStartError extends Error {
  override name = 'ServerStartError';
}

/** Config directives and flags that carry secrets and so must never appear on a command line. */
const SECRET_ARG =
  /^--?(requirepass|masterauth|masteruser|user|tls-key-file-pass|tls-client-key-file-pass|aclfile|sentinel-pass|auth-pass)\b/i;

function assertNoSecretArgs(args: readonly string[]): void {
  for (const arg of args) {
    if (SECRET_ARG.test(arg) || /\bauth-pass\b|\brequirepass\b|\bmasterauth\b/i.test(arg)) {
      throw new ServerStartError(
        `refusing to pass ${arg.split(/\s/)[0]} on the command line (visible in ps); put it in the config file`,
      );
    }
  }
}

function writeFileAtomic(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o644 });
  renameSync(tmp, path);
}

/** Starts `binary configPath ...extraArgs` detached, output appended to logFile. */
export function startServerProcess(opts: StartServerProcessOptions): ServerProcess {
  const extraArgs = opts.extraArgs ?? [];
  assertNoSecretArgs(extraArgs);
  const logFd = openSync(opts.logFile, 'a', 0o600);
  let child: ChildProcess;
  try {
    child = spawn(opts.binary, [opts.configPath, ...extraArgs], {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      detached: true,
      stdio: ['ignore', logFd, logFd],
    });
  } finally {
    // The child holds its own copy of the descriptor.
    closeSync(logFd);
  }
  let exit: ProcessExit | null = null;
  const exited = new Promise<ProcessExit>((resolve) => {
    child.once('error', () => {
      exit = { code: null, signal: null };
      resolve(exit);
    });
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      resolve(exit);
    });
  });
  if (child.pid === undefined) {
    // spawn failures (ENOENT, EACCES) are reported asynchronously; the pid is the sync signal.
    throw new ServerStartError(
      `could not start ${opts.binary}: no process was created (is it installed and executable?)`,
    );
  }
  const pid = child.pid;
  if (opts.pidFile) writeFileAtomic(opts.pidFile, `${pid}\n`);

  const kill = (signal: NodeJS.Signals = 'SIGTERM'): void => {
    if (exit) return;
    try {
      process.kill(pid, signal);
    } catch {
      // Exited between the check and the signal.
    }
  };

  const stop = async ({ graceMs = 5000 }: { graceMs?: number } = {}): Promise<ProcessExit> => {
    if (exit) return exit;
    child.ref();
    kill('SIGTERM');
    const inTime = await Promise.race([exited, sleep(graceMs, null)]);
    if (inTime) return inTime;
    signalGroup(pid, 'SIGKILL');
    return exited;
  };

  return {
    pid,
    exited,
    get running() {
      return exit === null;
    },
    stop,
    kill,
    detach: () => child.unref(),
  };
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    // Negative pid: the group, so a BGSAVE/AOF-rewrite child dies with its parent.
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
}

/** The pid recorded in a pid file, or null when the file is missing or not a pid. */
export function readPidFile(path: string): number | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

/** True when a process with this pid exists (ours or not). Zombies count as dead. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    // Linux: a zombie still answers signal 0 until reaped.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return true;
  }
}

/**
 * The process's current command line (valkey/redis rewrite theirs to "valkey-server 127.0.0.1:7000"),
 * to tell our server from an unrelated process that inherited a stale pid. Null when unknown.
 */
export function processCommandLine(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return null;
  }
}

/**
 * Stops a process known only by pid (one started by an earlier `rk up`): SIGTERM, wait up to
 * graceMs, then SIGKILL its group. Resolves true when it stopped, false if it was not running.
 */
export async function stopPid(pid: number, graceMs = 5000): Promise<boolean> {
  if (!isAlive(pid)) return false;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return false;
  }
  if (await waitForDeath(pid, graceMs)) return true;
  signalGroup(pid, 'SIGKILL');
  if (await waitForDeath(pid, 5000)) return true;
  throw new Error(`process ${pid} survived SIGKILL for 5 s`);
}

async function waitForDeath(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 2; ; delay = Math.min(delay * 2, 50)) {
    if (!isAlive(pid)) return true;
    if (Date.now() >= deadline) return false;
    await sleep(delay);
  }
}

/** Last `maxBytes` of a log file, for error messages. */
export function tailFile(path: string, maxBytes = 2000): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return '';
  }
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, maxBytes);
    const buf = Buffer.alloc(length);
    readSync(fd, buf, 0, length, size - length);
    return buf.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

export interface WaitForPingWatch {
  /** Fail at once, with the log tail, if this process exits before answering. */
  process?: ServerProcess;
  logFile?: string;
}

/**
 * Polls PING every few ms until the server answers PONG (not LOADING), or throws after
 * timeoutMs. Authentication failures are not retried: waiting would not fix them.
 */
export async function waitForPing(
  endpoint: Endpoint,
  opts: ConnectOptions,
  timeoutMs: number,
  watch: WaitForPingWatch = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastProblem = 'no attempt made';
  for (let delay = 2; ; delay = Math.min(delay * 2, 25)) {
    if (watch.process && !watch.process.running) {
      const exit = await watch.process.exited;
      const log = watch.logFile ? `; log tail:\n${tailFile(watch.logFile).trimEnd()}` : '';
      throw new ServerStartError(
        `server for ${endpointString(endpoint)} exited (code ${exit.code}, signal ${exit.signal}) before accepting connections${log}`,
      );
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) break;
    try {
      const client = await connect(endpoint, {
        ...opts,
        connectTimeoutMs: Math.min(remaining, opts.connectTimeoutMs ?? 500),
        reconnectAttempts: 0,
      });
      try {
        const reply: string = await client.ping();
        if (reply === 'PONG') return;
        lastProblem = `unexpected PING reply ${reply}`;
      } catch (err) {
        lastProblem = err instanceof Error ? err.message : String(err);
      } finally {
        await closeClient(client, 200);
      }
    } catch (err) {
      if (errorKind(err) === 'auth') throw err;
      lastProblem = err instanceof Error ? err.message : String(err);
    }
    await sleep(Math.min(delay, Math.max(0, deadline - Date.now())));
  }
  const log = watch.logFile ? `; log tail:\n${tailFile(watch.logFile).trimEnd()}` : '';
  throw new ServerStartError(
    `${endpointString(endpoint)} did not answer PING within ${timeoutMs} ms (last: ${lastProblem})${log}`,
  );
}
