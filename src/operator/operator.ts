// The operator process: informers from the start (so /readyz reflects synced caches on every
// replica), workers only while this replica holds the Lease. Losing the lease after holding it
// ends the run, as controller-runtime does: a fresh process is the one safe way back.
import { hostname } from 'node:os';
import { connect } from '../apply/session.js';
import { loadKubeConfig, type ClusterTarget } from '../apply/kubeConfig.js';
import { Controller } from './controller.js';
import { serveHealth } from './health.js';
import { LeaderElector } from './leaderElection.js';
import { OperatorMetrics } from './metrics.js';

interface OperatorOptions extends ClusterTarget {
  /** Watch one namespace only (every namespace when unset). */
  namespace?: string;
  leaseNamespace: string;
  leaseName?: string;
  identity?: string;
  healthHost?: string;
  healthPort: number;
  workers?: number;
  log: (line: string) => void;
}

interface RunningOperator {
  healthPort: number;
  /** Resolves when the operator stops: after stop(), or with an error when the lease was lost. */
  done: Promise<void>;
  stop(): Promise<void>;
}

export async function runOperator(o: OperatorOptions): Promise<RunningOperator> {
  const kc = loadKubeConfig(o);
  const session = connect(o);
  const leaseName = o.leaseName ?? 'redis-kubernetes-operator';
  const metrics = new OperatorMetrics(leaseName);
  const host = new URL(session.http.server).host;
  session.http.onResponse = (method, code) => metrics.restRequests.inc({ code, method, host });
  const identity = o.identity ?? `${hostname()}_${process.pid}`;
  const controller = new Controller({
    kc,
    identity,
    session,
    metrics,
    onWatch: () => metrics.restRequests.inc({ code: '200', method: 'WATCH', host }),
    log: o.log,
    ...(o.namespace ? { namespace: o.namespace } : {}),
    ...(o.workers ? { workers: o.workers } : {}),
  });
  let finish: (err?: Error) => void = () => undefined;
  const done = new Promise<void>((resolve, reject) => {
    finish = (err) => (err ? reject(err) : resolve());
  });
  let led = false;
  // Set before anything stops: releasing the lease on the way out is not losing it.
  let stopRequested = false;
  let stopping: Promise<void> | null = null;
  const elector = new LeaderElector(session.http, {
    namespace: o.leaseNamespace,
    name: leaseName,
    identity,
    log: o.log,
    onLeading: (leading) => {
      metrics.leader.set({ name: leaseName }, leading ? 1 : 0);
      if (leading) {
        led = true;
        controller.lead();
      } else if (led && !stopRequested) {
        void stop().then(() => finish(new Error('leader election lost')));
      }
    },
  });
  const health = await serveHealth(o.healthHost ?? '0.0.0.0', o.healthPort, () => controller.synced, metrics.registry);
  controller.start();
  elector.start();
  const stop = () => {
    stopRequested = true;
    return (stopping ??= (async () => {
      await elector.stop();
      await controller.stop();
      await health.close();
    })());
  };
  return {
    healthPort: health.port,
    done,
    stop: async () => {
      await stop();
      finish();
    },
  };
}
