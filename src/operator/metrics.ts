// Prometheus metrics under controller-runtime's names, so dashboards and alerts written for
// Go operators work unchanged. One registry per operator (tests may run several).
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { PHASES } from './conditions.js';

export const CONTROLLER = 'rediskubernetes';

export class OperatorMetrics {
  readonly registry = new Registry();
  readonly reconcileTotal = new Counter({
    name: 'controller_runtime_reconcile_total',
    help: 'Total number of reconciliations per controller',
    labelNames: ['controller', 'result'] as const,
    registers: [this.registry],
  });
  readonly reconcileErrors = new Counter({
    name: 'controller_runtime_reconcile_errors_total',
    help: 'Total number of reconciliation errors per controller',
    labelNames: ['controller'] as const,
    registers: [this.registry],
  });
  readonly reconcileTime = new Histogram({
    name: 'controller_runtime_reconcile_time_seconds',
    help: 'Length of time per reconciliation per controller',
    labelNames: ['controller'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  readonly queueDepth = new Gauge({
    name: 'workqueue_depth',
    help: 'Current depth of workqueue',
    labelNames: ['name'] as const,
    registers: [this.registry],
  });
  readonly queueRetries = new Counter({
    name: 'workqueue_retries_total',
    help: 'Total number of retries handled by workqueue',
    labelNames: ['name'] as const,
    registers: [this.registry],
  });
  readonly leader = new Gauge({
    name: 'leader_election_master_status',
    help: 'Gauge of if the reporter is master of the relevant lease, 0 indicates backup, 1 indicates master',
    labelNames: ['name'] as const,
    registers: [this.registry],
  });

  /** client-go's name: every request to the API server (watches counted as WATCH when opened). */
  readonly restRequests = new Counter({
    name: 'rest_client_requests_total',
    help: 'Number of HTTP requests, partitioned by status code, method, and host',
    labelNames: ['code', 'method', 'host'] as const,
    registers: [this.registry],
  });

  // Our own, per instance: what a person on call asks first (is it serving? did the master move?).
  /** Every Event the operator records (MasterChanged, Handover, ClusterFormed, blocked steps ...), by reason. */
  readonly instanceEvents = new Counter({
    name: 'rediskubernetes_events_total',
    help: 'Events recorded about RedisKubernetes resources, by type and reason (failovers, handovers, scale and rollout steps, blocked steps)',
    labelNames: ['namespace', 'name', 'type', 'reason'] as const,
    registers: [this.registry],
  });
  readonly instancePhase = new Gauge({
    name: 'rediskubernetes_instance_phase',
    help: 'The phase of each RedisKubernetes resource as of its last reconcile: 1 for the current phase, 0 for the others',
    labelNames: ['namespace', 'name', 'phase'] as const,
    registers: [this.registry],
  });

  readonly slotsMigrated = new Counter({
    name: 'rediskubernetes_slots_migrated_total',
    help: 'Cluster hash slots moved between masters by the operator (resizes, half-moved slots finished)',
    labelNames: ['namespace', 'name'] as const,
    registers: [this.registry],
  });
  readonly podsOutdated = new Gauge({
    name: 'rediskubernetes_rollout_pods_outdated',
    help: 'Data pods still on an older revision than their StatefulSet: the rolling restart still to do',
    labelNames: ['namespace', 'name'] as const,
    registers: [this.registry],
  });

  /** Sets the phase series of one instance: 1 for its phase, 0 for the others, so alerts can match on either. */
  setPhase(namespace: string, name: string, phase: string): void {
    for (const p of PHASES) this.instancePhase.set({ namespace, name, phase: p }, p === phase ? 1 : 0);
  }

  /** The instance is gone: its series go too (no stale Degraded for a deleted resource). */
  forgetInstance(namespace: string, name: string): void {
    for (const phase of PHASES) this.instancePhase.remove({ namespace, name, phase });
    this.podsOutdated.remove({ namespace, name });
    this.slotsMigrated.remove({ namespace, name });
  }

  constructor(leaseName: string) {
    // process_resident_memory_bytes, process_cpu_seconds_total and the like, as a Go operator has.
    collectDefaultMetrics({ register: this.registry });
    // Present from the start at 0, as controller-runtime exports them.
    this.queueDepth.set({ name: CONTROLLER }, 0);
    this.queueRetries.inc({ name: CONTROLLER }, 0);
    this.leader.set({ name: leaseName }, 0);
    for (const result of ['success', 'error', 'requeue', 'requeue_after'] as const)
      this.reconcileTotal.inc({ controller: CONTROLLER, result }, 0);
  }
}
