// rk apply: server-side apply of the rendered objects, prune, wait for the rollout. With -o json
// stdout holds one JSON document per instance (what was applied, and the Planton stack outputs
// the next layer of infrastructure reads); the per-object lines then go to stderr.
import { applyInstance } from '../apply/applyInstance.js';
import { connect } from '../apply/session.js';
import { stackOutputs } from '../render/outputs.js';
import { CliError, loadInstances, textOrJson } from './input.js';

export interface ClusterFlags {
  kubeconfig?: string;
  context?: string;
}

export interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
}
export const stdio: Io = { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) };

export function parseSeconds(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0)
    throw new CliError(`--timeout must be a positive number of seconds, got ${JSON.stringify(v)}`, 2);
  return n;
}

export function dryRunMode(v: string | boolean | undefined): boolean {
  if (v === undefined || v === false) return false;
  // Only the server can dry-run these objects faithfully (defaults, admission, CRD validation).
  if (v !== 'server') throw new CliError(`--dry-run must be "server", got ${JSON.stringify(v)}`, 2);
  return true;
}

export const target = (o: ClusterFlags) => ({
  ...(o.kubeconfig ? { kubeconfig: o.kubeconfig } : {}),
  ...(o.context !== undefined ? { context: o.context } : {}),
});

export async function applyCommand(
  o: ClusterFlags & {
    file: string;
    dryRun?: string | boolean;
    timeout: number;
    wait: boolean;
    forceConflicts?: boolean;
    output?: string;
  },
  io: Io = stdio,
): Promise<number> {
  const dryRun = dryRunMode(o.dryRun);
  const json = textOrJson(o.output) === 'json';
  const instances = loadInstances(o.file);
  const s = connect(target(o));
  for (const { instance } of instances) {
    const objects = await applyInstance(s, instance, {
      dryRun,
      forceConflicts: o.forceConflicts === true,
      wait: o.wait,
      timeoutMs: o.timeout * 1000,
      out: json ? io.err : io.out,
      progress: io.err,
    });
    if (json) {
      const doc = {
        name: instance.name,
        namespace: instance.namespace,
        dryRun,
        objects,
        outputs: stackOutputs(instance),
      };
      io.out(JSON.stringify(doc, null, 2));
    }
  }
  return 0;
}
