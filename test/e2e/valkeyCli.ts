// valkey-cli from the test process against pod IPs (they are loopback addresses on this host).
// The password goes through REDISCLI_AUTH, never the command line.
import { spawn } from 'node:child_process';

export interface Target {
  ip: string;
  port: number;
  password?: string;
  tlsCaFile?: string;
}

export function valkeyCli(t: Target, ...args: string[]): Promise<string> {
  const tls = t.tlsCaFile ? ['--tls', '--cacert', t.tlsCaFile] : [];
  const env = { ...process.env, ...(t.password ? { REDISCLI_AUTH: t.password } : {}) };
  return new Promise((resolve, reject) => {
    const p = spawn('valkey-cli', ['-h', t.ip, '-p', String(t.port), ...tls, '--no-auth-warning', ...args], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => p.kill('SIGKILL'), 5000);
    p.once('error', reject);
    p.once('exit', () => {
      clearTimeout(timer);
      resolve(out.trim());
    });
  });
}

/** `INFO <section>` as key → value. */
export async function info(t: Target, section: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const line of (await valkeyCli(t, 'info', section)).split('\n')) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1).trim();
  }
  return out;
}
