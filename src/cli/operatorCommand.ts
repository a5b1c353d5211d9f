// rk operator: runs the controller in this process against the cluster of a kubeconfig (or the
// in-cluster service account). Runs until SIGINT/SIGTERM (exit 0) or until the lease it held is
// lost (exit 1: a fresh process is the safe way back, as with controller-runtime).
import { runOperator } from '../operator/operator.js';
import { CliError } from './input.js';

export interface OperatorFlags {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  leaseNamespace: string;
  healthPort: string;
  workers: string;
}

function positiveInt(flag: string, v: string, min: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min)
    throw new CliError(`${flag} must be a whole number >= ${min}, got ${JSON.stringify(v)}`, 2);
  return n;
}

export async function operatorCommand(o: OperatorFlags): Promise<number> {
  const log = (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);
  const op = await runOperator({
    ...(o.kubeconfig ? { kubeconfig: o.kubeconfig } : {}),
    ...(o.context ? { context: o.context } : {}),
    ...(o.namespace ? { namespace: o.namespace } : {}),
    leaseNamespace: o.leaseNamespace,
    healthPort: positiveInt('--health-port', o.healthPort, 0),
    workers: positiveInt('--workers', o.workers, 1),
    log,
  });
  log(`operator started; /healthz, /readyz and /metrics on port ${op.healthPort}`);
  const onSignal = () => void op.stop();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await op.done;
    log('operator stopped');
    return 0;
  } catch (e) {
    log(`operator stopped: ${(e as Error).message}`);
    return 1;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}
