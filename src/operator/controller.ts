// The RedisKubernetes controller: informers on the resources and on the StatefulSets and Pods
// they own feed one deduplicating queue of "namespace/name" keys; workers reconcile them, one
// reconcile at a time per key, only while this replica leads. A failure backs off per key; a
// success forgets the backoff and comes back at the time the reconcile asked for.
import type { KubeConfig } from '@kubernetes/client-node';
import { CRD_GROUP, CRD_PLURAL, CRD_VERSION } from '../api/crd.js';
import type { Session } from '../apply/session.js';
import { LABEL, MANAGER } from '../render/names.js';
import { eventSink, type EventSink } from './events.js';
import { Informer, type KubeItem } from './informer.js';
import { CONTROLLER, type OperatorMetrics } from './metrics.js';
import { reconcile } from './reconcile.js';
import { SentinelEvents } from './sentinelEvents.js';
import { WorkQueue } from './workQueue.js';

interface ControllerOptions {
  kc: KubeConfig;
  session: Session;
  metrics: OperatorMetrics;
  /** Watch one namespace only; every namespace when unset. */
  namespace?: string;
  workers?: number;
  /** This replica's name in events (the leader-election identity). */
  identity: string;
  /** A watch was opened (for the request counter). */
  onWatch?: () => void;
  log: (line: string) => void;
}

const keyOf = (namespace: string | undefined, name: string) => `${namespace ?? ''}/${name}`;

/** What of a resource, when it changes, asks for a reconcile: not its status (ours), the rest yes. */
const fingerprint = (o: KubeItem) =>
  JSON.stringify([o.metadata.generation, o.metadata.labels, o.metadata.annotations, o.metadata.deletionTimestamp]);

export class Controller {
  readonly queue: WorkQueue;
  private readonly informers: Informer[];
  private readonly pods: Informer;
  private readonly statefulSets: Informer;
  private readonly seen = new Map<string, string>();
  private readonly sentinelEvents: SentinelEvents;
  private readonly applied = new Map<string, { fingerprint: string; atMs: number }>();
  private readonly event: EventSink;
  private leading = false;
  private workersRunning: Promise<void>[] = [];

  constructor(private readonly o: ControllerOptions) {
    const m = o.metrics;
    this.queue = new WorkQueue(undefined, {
      depth: (n) => m.queueDepth.set({ name: CONTROLLER }, n),
      retry: () => m.queueRetries.inc({ name: CONTROLLER }),
    });
    const record = eventSink(o.session, o.identity, o.log);
    this.event = (res, type, reason, action, note) => {
      m.instanceEvents.inc({ namespace: res.metadata.namespace, name: res.metadata.name, type, reason });
      return record(res, type, reason, action, note);
    };
    this.sentinelEvents = new SentinelEvents((key) => this.queue.add(key), o.log);
    const ns = o.namespace ? `/namespaces/${encodeURIComponent(o.namespace)}` : '';
    const owned = `${LABEL.managedBy}=${MANAGER}`;
    const watchHook = o.onWatch ? { onWatch: o.onWatch } : {};
    const toOwner = (_t: string, obj: KubeItem) => {
      const instance = (obj.metadata.labels as Record<string, string> | undefined)?.[LABEL.instance];
      if (instance) this.queue.add(keyOf(obj.metadata.namespace, instance));
    };
    const resources = new Informer(o.kc, o.session.http, {
      path: `/apis/${CRD_GROUP}/${CRD_VERSION}${ns}/${CRD_PLURAL}`,
      log: o.log,
      ...watchHook,
      onEvent: (type, obj) => {
        const key = keyOf(obj.metadata.namespace, obj.metadata.name);
        if (type === 'delete') {
          o.metrics.forgetInstance(obj.metadata.namespace ?? '', obj.metadata.name);
          this.seen.delete(key);
          this.sentinelEvents.drop(key);
          this.applied.delete(key);
          this.queue.forget(key);
          return;
        }
        const f = fingerprint(obj);
        if (type === 'update' && this.seen.get(key) === f) return; // only our status changed
        this.seen.set(key, f);
        this.queue.add(key);
      },
    });
    this.statefulSets = new Informer(o.kc, o.session.http, {
      path: `/apis/apps/v1${ns}/statefulsets`,
      labelSelector: owned,
      log: o.log,
      ...watchHook,
      onEvent: (type, obj) => {
        // A StatefulSet deleted from under us is applied again at once, not at the next re-apply.
        const instance = (obj.metadata.labels as Record<string, string> | undefined)?.[LABEL.instance];
        if (type === 'delete' && instance) this.applied.delete(keyOf(obj.metadata.namespace, instance));
        toOwner(type, obj);
      },
    });
    this.pods = new Informer(o.kc, o.session.http, {
      path: `/api/v1${ns}/pods`,
      labelSelector: owned,
      log: o.log,
      ...watchHook,
      onEvent: toOwner,
    });
    this.informers = [resources, this.statefulSets, this.pods];
  }

  get synced(): boolean {
    return this.informers.every((i) => i.synced);
  }

  start(): void {
    for (const i of this.informers) i.start();
  }

  /** Starts the workers; call once this replica leads. */
  lead(): void {
    if (this.leading) return;
    this.leading = true;
    const n = this.o.workers ?? 2;
    for (let i = 0; i < n; i++) this.workersRunning.push(this.work());
  }

  async stop(): Promise<void> {
    for (const i of this.informers) i.stop();
    this.queue.shutDown();
    this.sentinelEvents.stop();
    await Promise.all(this.workersRunning);
  }

  private async work(): Promise<void> {
    const m = this.o.metrics;
    for (;;) {
      const key = await this.queue.get();
      if (key === null) return;
      const [namespace, name] = key.split('/') as [string, string];
      const end = m.reconcileTime.startTimer({ controller: CONTROLLER });
      try {
        const r = await reconcile(
          {
            session: this.o.session,
            pods: () => this.pods.list(),
            statefulSets: () => this.statefulSets.list(),
            log: this.o.log,
            applied: this.applied,
            event: this.event,
          },
          namespace,
          name,
        );
        this.queue.forget(key);
        if (r.phase) m.setPhase(namespace, name, r.phase);
        if (r.slotsMigrated) m.slotsMigrated.inc({ namespace, name }, r.slotsMigrated);
        if (r.podsOutdated !== undefined) m.podsOutdated.set({ namespace, name }, r.podsOutdated);
        if (r.sentinels) this.sentinelEvents.ensure(key, r.sentinels);
        else this.sentinelEvents.drop(key);
        if (r.requeueAfterMs) {
          m.reconcileTotal.inc({ controller: CONTROLLER, result: 'requeue_after' });
          this.queue.addAfter(key, r.requeueAfterMs);
        } else m.reconcileTotal.inc({ controller: CONTROLLER, result: 'success' });
      } catch (e) {
        m.reconcileTotal.inc({ controller: CONTROLLER, result: 'error' });
        m.reconcileErrors.inc({ controller: CONTROLLER });
        const ms = this.queue.addRateLimited(key);
        this.o.log(`${key}: reconcile failed (retrying in ${ms} ms): ${(e as Error).message}`);
      } finally {
        end();
        this.queue.done(key);
      }
    }
  }
}
