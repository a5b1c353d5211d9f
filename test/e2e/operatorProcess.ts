// `rk operator` as a user runs it: the real binary, out of cluster, KUBECONFIG from the
// environment. Its log is kept (and echoed with RK_OPERATOR_DEBUG=1) for failure messages.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './rkCli.js';

export interface OperatorProcess {
  healthPort: number;
  log(): string;
  stop(): Promise<number | null>;
  /** SIGKILL, as a node loss or an OOM kill would: no Lease release, nothing finished. */
  kill(): Promise<void>;
}

export function startOperator(
  kubeconfigPath: string,
  args: string[] = [],
  timeoutMs = 30_000,
): Promise<OperatorProcess> {
  const p: ChildProcess = spawn(
    process.execPath,
    [join(REPO_ROOT, 'bin', 'rk.js'), 'operator', '--health-port', '0', ...args],
    { cwd: REPO_ROOT, env: { ...process.env, KUBECONFIG: kubeconfigPath }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  const killAtExit = () => p.kill('SIGKILL');
  process.once('exit', killAtExit);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error(`rk operator did not start within ${timeoutMs} ms:\n${log}`));
    }, timeoutMs);
    p.stdout!.on('data', (d: Buffer) => (log += d.toString()));
    p.stderr!.on('data', (d: Buffer) => {
      log = (log + d.toString()).slice(-200_000);
      if (process.env.RK_OPERATOR_DEBUG === '1') process.stderr.write(d);
      const m = /on port (\d+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve({
          healthPort: Number(m[1]),
          log: () => log,
          stop: () =>
            new Promise((done) => {
              process.removeListener('exit', killAtExit);
              if (p.exitCode !== null || p.signalCode !== null) return done(p.exitCode);
              const kill = setTimeout(() => p.kill('SIGKILL'), 20_000);
              p.once('exit', (code) => {
                clearTimeout(kill);
                done(code);
              });
              p.kill('SIGTERM');
            }),
          kill: () =>
            new Promise((done) => {
              process.removeListener('exit', killAtExit);
              if (p.exitCode !== null || p.signalCode !== null) return done();
              p.once('exit', () => done());
              p.kill('SIGKILL');
            }),
        });
      }
    });
    p.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`rk operator exited (${code}) before it started:\n${log}`));
    });
  });
}
