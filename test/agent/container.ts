// One run of one container: a host process in its own mount and UTS
// namespaces, so that the pod's volumes, /etc/hosts and hostname appear at
// the paths the pod spec names without touching the host's files.
//
// Launch chain (all exec, so the pid we hold is the container's main process):
//   setpriv --pdeathsig KILL   -> dies with the agent's process
//   unshare -m -u --propagation private
//   sh <setup script> ARGV...  -> bind mounts, hostname, cwd, then `exec ARGV`
// The process leads its own process group; signals go to the whole group so
// `sh -c` children die with their parent, like processes in a container.
//
// Processes run as root: securityContext runAsUser/runAsGroup/fsGroup,
// readOnlyRootFilesystem and capabilities are not enforced.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Mount {
  hostPath: string;
  containerPath: string;
  readOnly: boolean;
}

export interface ContainerLaunch {
  /** Directory for this container's generated files. */
  dir: string;
  argv: string[];
  env: Record<string, string>;
  mounts: Mount[];
  hostname: string;
  workingDir?: string;
  /** Image WORKDIR: used only if it exists on the host. */
  defaultWorkdir?: string;
  logPath: string;
}

export interface ExitInfo {
  exitCode: number;
  signal?: string;
  reason: string;
  startedAt: Date;
  finishedAt: Date;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

const SIGNALS: Record<string, number> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGABRT: 6,
  SIGKILL: 9,
  SIGSEGV: 11,
  SIGPIPE: 13,
  SIGTERM: 15,
};

/** Every container process group this agent started: killed on agent exit. */
export const liveGroups = new Set<number>();

export class ContainerProcess {
  readonly startedAt = new Date();
  readonly exited: Promise<ExitInfo>;
  private readonly child: ChildProcess;
  private done = false;

  private constructor(
    readonly launch: ContainerLaunch,
    readonly workdir: string,
  ) {
    const script = join(launch.dir, 'setup.sh');
    writeFileSync(script, setupScript(launch, workdir), { mode: 0o755 });
    const log = openSync(launch.logPath, 'a');
    try {
      this.child = spawn(
        'setpriv',
        [
          '--pdeathsig',
          'KILL',
          '--',
          'unshare',
          '--mount',
          '--uts',
          '--propagation',
          'private',
          '--',
          '/bin/sh',
          script,
          ...launch.argv,
        ],
        { env: launch.env, detached: true, stdio: ['ignore', log, log] },
      );
    } finally {
      closeSync(log);
    }
    const pid = this.child.pid;
    if (pid !== undefined) liveGroups.add(pid);
    this.exited = new Promise<ExitInfo>((resolve) => {
      const finish = (exitCode: number, signal: string | undefined, reason: string) => {
        if (this.done) return;
        this.done = true;
        if (pid !== undefined) {
          // The main process is gone: like a container runtime, take the
          // rest of the container (its process group) with it.
          try {
            process.kill(-pid, 'SIGKILL');
          } catch {
            /* group already empty */
          }
          liveGroups.delete(pid);
        }
        resolve({ exitCode, signal, reason, startedAt: this.startedAt, finishedAt: new Date() });
      };
      this.child.once('error', (err) => finish(128, undefined, `StartError: ${err.message}`));
      this.child.once('exit', (code, signal) => {
        if (signal) finish(128 + (SIGNALS[signal] ?? 0), signal, signal === 'SIGKILL' ? 'Error' : 'Error');
        else finish(code ?? 0, undefined, code === 0 ? 'Completed' : 'Error');
      });
    });
  }

  static start(launch: ContainerLaunch): ContainerProcess {
    mkdirSync(launch.dir, { recursive: true });
    let workdir = launch.workingDir ?? '';
    if (!workdir) workdir = launch.defaultWorkdir && existsSync(launch.defaultWorkdir) ? launch.defaultWorkdir : '/';
    return new ContainerProcess(launch, workdir);
  }

  get pid(): number | undefined {
    return this.done ? undefined : this.child.pid;
  }

  get running(): boolean {
    return !this.done;
  }

  /** Signals the container's whole process group. */
  signal(sig: NodeJS.Signals): void {
    const pid = this.child.pid;
    if (this.done || pid === undefined) return;
    try {
      process.kill(-pid, sig);
    } catch {
      /* already gone */
    }
  }

  /** Only the main process (what `docker kill` hits first); used by crash hooks. */
  signalMain(sig: NodeJS.Signals): void {
    if (!this.done) this.child.kill(sig);
  }

  /**
   * Runs a command inside the container: its mount/UTS namespaces, env and
   * working directory. Used by exec probes, lifecycle hooks and agent.exec().
   */
  exec(argv: string[], timeoutMs: number, stdin?: string): Promise<ExecResult> {
    const pid = this.pid;
    if (pid === undefined)
      return Promise.resolve({ exitCode: 126, stdout: '', stderr: 'container is not running', timedOut: false });
    return runCommand(
      'setpriv',
      ['--pdeathsig', 'KILL', '--', 'nsenter', '-t', String(pid), '-m', '-u', `--wd=${this.workdir}`, '--', ...argv],
      this.launch.env,
      timeoutMs,
      stdin,
    );
  }
}

/** Runs a short command in its own process group, killing the group on timeout. */
export function runCommand(
  file: string,
  args: string[],
  env: Record<string, string>,
  timeoutMs: number,
  stdin?: string,
): Promise<ExecResult> {
  return new Promise((resolve) => {
    const child = spawn(file, args, {
      env,
      detached: true,
      stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const cap = (s: string, d: Buffer) => (s.length < 1 << 20 ? s + d.toString('utf8') : s);
    child.stdout!.on('data', (d: Buffer) => (stdout = cap(stdout, d)));
    child.stderr!.on('data', (d: Buffer) => (stderr = cap(stderr, d)));
    if (stdin !== undefined) child.stdin!.end(stdin);
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    }, timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      resolve({ exitCode: 127, stdout, stderr: stderr + err.message, timedOut });
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ exitCode: code ?? (signal ? 128 + (SIGNALS[signal] ?? 0) : 1), stdout, stderr, timedOut });
    });
  });
}

/**
 * The shell script run inside the new namespaces before the container's
 * program: bind mounts (parents first, creating missing mount points), then
 * read-only remounts (last, so nested mount points could still be created),
 * hostname and working directory.
 */
function setupScript(l: ContainerLaunch, workdir: string): string {
  const mounts = [...l.mounts].sort((a, b) => depth(a.containerPath) - depth(b.containerPath));
  const lines = [
    '#!/bin/sh',
    '# Generated by the redis-kubernetes test agent: container setup, then exec of the container program.',
    'set -e',
    'mp() { if [ ! -e "$2" ] && [ ! -L "$2" ]; then if [ -d "$1" ]; then mkdir -p "$2"; else mkdir -p "$(dirname "$2")"; : > "$2"; fi; fi; }',
  ];
  for (const m of mounts) {
    lines.push(`mp ${q(m.hostPath)} ${q(m.containerPath)}`);
    lines.push(`mount --bind ${q(m.hostPath)} ${q(m.containerPath)}`);
  }
  for (const m of mounts) if (m.readOnly) lines.push(`mount -o remount,bind,ro ${q(m.containerPath)}`);
  lines.push(`echo ${q(l.hostname)} > /proc/sys/kernel/hostname`);
  lines.push(`mkdir -p ${q(workdir)} && cd ${q(workdir)}`);
  lines.push('exec "$@"');
  return lines.join('\n') + '\n';
}

const depth = (p: string) => p.split('/').filter(Boolean).length;

/**
 * Mount points that do not exist on the host are created on the host's
 * filesystem (a bind mount needs one): remember those outside any other
 * mount of the container so the agent can remove them (if still empty) on exit.
 */
export function hostMountpointsToCreate(mounts: Mount[]): string[] {
  const out: string[] = [];
  for (const m of mounts) {
    const insideOther = mounts.some((o) => o !== m && m.containerPath.startsWith(o.containerPath.replace(/\/?$/, '/')));
    if (insideOther || existsSync(m.containerPath)) continue;
    // Record the top-most missing ancestor: that's what mkdir -p creates.
    let top = m.containerPath;
    for (
      let parent = top.replace(/\/[^/]+$/, '');
      parent && !existsSync(parent);
      parent = parent.replace(/\/[^/]+$/, '')
    )
      top = parent;
    out.push(top);
  }
  return out;
}
