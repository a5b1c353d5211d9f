// Runs the real `rk` command line (bin/rk.js over dist/) as a separate process, the way a user
// does: KUBECONFIG from the environment, exit code and stdout/stderr lines as printed.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = (() => {
  let d = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6 && !existsSync(join(d, 'bin', 'rk.js')); i++) d = dirname(d);
  return d;
})();

export interface RkResult {
  code: number;
  out: string[];
  err: string[];
  ms: number;
}

export function rk(args: string[], env: Record<string, string>, timeoutMs = 300_000): Promise<RkResult> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'rk.js'), ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.once('error', reject);
    p.once('exit', (code, signal) => {
      clearTimeout(timer);
      const lines = (s: string) => s.split('\n').filter((l) => l !== '');
      resolve({ code: code ?? (signal ? 128 : 1), out: lines(out), err: lines(err), ms: Date.now() - t0 });
    });
  });
}
