// The control plane's kubectl (built into its binary, linked by build.sh), run as a user runs it.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './rkCli.js';

export const KUBECTL = join(REPO_ROOT, 'test', 'control-plane', 'bin', 'kubectl');

/** Exit code and combined output; rejects only when kubectl could not run at all. */
export function kubectl(kubeconfig: string, ...args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      KUBECTL,
      args,
      { env: { ...process.env, KUBECONFIG: kubeconfig }, timeout: 120_000 },
      (err, stdout, stderr) => {
        const code = err ? (err as { code?: unknown }).code : 0;
        if (typeof code !== 'number') return reject(new Error(err!.message, { cause: err }));
        resolve({ code, out: `${stdout}${stderr}` });
      },
    );
  });
}
