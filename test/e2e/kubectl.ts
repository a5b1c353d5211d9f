// The control plane's kubectl (built into its binary, linked by build.sh), run as a user runs it.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from './rkCli.js';

export const KUBECTL = join(REPO_ROOT, 'test', 'control-plane', 'bin', 'kubectl');

/** Exit code and combined output; rejects only when kubectl could not run at all. */
export function kubectl(kubeconfig: string, ...args: string[]): Promise<{ code: number; out: string }> {
  return kubectlWithEnv({}, kubeconfig, ...args);
}

export function kubectlWithEnv(
  env: Record<string, string>,
  kubeconfig: string,
  ...args: string[]
): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      KUBECTL,
      args,
      { env: { ...process.env, ...env, KUBECONFIG: kubeconfig }, timeout: 120_000 },
      (err, stdout, stderr) => {
        const code = err ? (err as { code?: unknown }).code : 0;
        if (typeof code !== 'number') return reject(new Error(err!.message, { cause: err }));
        resolve({ code, out: `${stdout}${stderr}` });
      },
    );
  });
}

/**
 * A PATH on which kubectl finds the plugin as npm installs it: a `kubectl-rk` link to
 * bin/kubectl-rk.js in a bin directory, and node for its #! line.
 */
export function pluginPath(dir: string): string {
  const bin = join(dir, 'plugin-bin');
  mkdirSync(bin, { recursive: true });
  symlinkSync(join(REPO_ROOT, 'bin', 'kubectl-rk.js'), join(bin, 'kubectl-rk'));
  return [bin, dirname(process.execPath), process.env.PATH ?? ''].join(':');
}

/**
 * `kubectl apply -n NS -f examples/FILE`, then `kubectl wait --for=condition=Ready` on the
 * resource, as a user does; `diagnose` (operator logs) goes into a failure's message.
 */
export async function applyExampleUntilReady(
  kubeconfig: string,
  file: string,
  namespace: string,
  name: string,
  diagnose: () => Promise<string>,
): Promise<void> {
  const applied = await kubectl(kubeconfig, 'apply', '-n', namespace, '-f', join(REPO_ROOT, 'examples', file));
  assert.equal(applied.code, 0, applied.out);
  const ready = await kubectl(
    kubeconfig,
    'wait',
    '--for=condition=Ready',
    `rediskubernetes/${name}`,
    '-n',
    namespace,
    '--timeout=180s',
  );
  assert.equal(ready.code, 0, `${ready.out}\n${await diagnose()}`);
}
