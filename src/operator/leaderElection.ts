// Lease-based leader election on coordination.k8s.io/v1 Leases, with client-go's timings: a
// 15 s lease, renewed every 2 s (retry period), given up when no renewal succeeded for 10 s
// (renew deadline) so a partitioned leader stops before another can take over at 15 s. Every
// write carries the resourceVersion it was decided on: of two replicas racing, one gets a 409.
import { KubeApiError } from '../apply/errors.js';
import type { Transport } from '../apply/kubeHttp.js';
import { decideLease, type LeaseSpec } from './leaseDecision.js';

interface LeaderElectionOptions {
  namespace: string;
  name: string;
  identity: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  log: (line: string) => void;
  onLeading: (leading: boolean) => void;
}

interface Lease {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec?: LeaseSpec;
}

export class LeaderElector {
  private leading = false;
  private stopped = false;
  private lastRenewMs = 0;
  private observed: { key: string; atMs: number } | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly durationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryMs: number;

  constructor(
    private readonly http: Transport,
    private readonly o: LeaderElectionOptions,
  ) {
    this.durationMs = o.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = o.renewDeadlineMs ?? 10_000;
    this.retryMs = o.retryPeriodMs ?? 2_000;
  }

  get isLeader(): boolean {
    return this.leading;
  }

  private get path(): string {
    return `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(this.o.namespace)}/leases/${encodeURIComponent(this.o.name)}`;
  }

  start(): void {
    void this.tick();
  }

  /** Releases the lease (empty holder) when we hold it, so a successor need not wait for expiry. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (!this.leading) return;
    this.setLeading(false);
    try {
      const lease = await this.http.request<Lease>('GET', this.path, { timeoutMs: 2000 });
      if (lease.spec?.holderIdentity !== this.o.identity) return;
      await this.http.request('PUT', this.path, {
        body: { ...lease, spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1 } },
        timeoutMs: 2000,
      });
    } catch {
      // best effort: the lease expires by itself
    }
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.tryAcquireOrRenew();
    } catch (e) {
      this.o.log(`leader election: ${(e as Error).message}`);
    }
    if (this.leading && Date.now() - this.lastRenewMs > this.renewDeadlineMs) {
      this.o.log(`leader election: no renewal for ${this.renewDeadlineMs / 1000} s, giving up the lease`);
      this.setLeading(false);
    }
    if (!this.stopped) {
      this.timer = setTimeout(() => void this.tick(), this.retryMs);
      this.timer.unref();
    }
  }

  private async tryAcquireOrRenew(): Promise<void> {
    let lease: Lease | null = null;
    try {
      lease = await this.http.request<Lease>('GET', this.path, { timeoutMs: this.retryMs * 2 });
    } catch (e) {
      if (!(e instanceof KubeApiError && e.status === 404)) throw e;
    }
    const now = Date.now();
    const key = lease ? `${lease.spec?.holderIdentity ?? ''}|${lease.spec?.renewTime ?? ''}` : '';
    if (!this.observed || this.observed.key !== key) this.observed = { key, atMs: now };
    const d = decideLease(lease?.spec ?? null, this.observed.atMs, now, this.o.identity, this.durationMs / 1000);
    if (d.action === 'wait') {
      if (this.leading) this.setLeading(false); // someone else holds it: we lost it
      return;
    }
    const body: Lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: this.o.name,
        namespace: this.o.namespace,
        ...(lease?.metadata.resourceVersion ? { resourceVersion: lease.metadata.resourceVersion } : {}),
      },
      spec: d.spec,
    };
    try {
      if (d.action === 'create')
        await this.http.request('POST', this.path.slice(0, this.path.lastIndexOf('/')), {
          body,
          timeoutMs: this.retryMs * 2,
        });
      else await this.http.request('PUT', this.path, { body, timeoutMs: this.retryMs * 2 });
    } catch (e) {
      if (e instanceof KubeApiError && e.status === 409) return; // another replica wrote first
      throw e;
    }
    this.lastRenewMs = Date.now();
    if (!this.leading) {
      this.o.log(
        `leader election: ${this.o.identity} ${d.action === 'renew' ? 'holds' : 'acquired'} lease ${this.o.namespace}/${this.o.name}`,
      );
      this.setLeading(true);
    }
  }

  private setLeading(v: boolean): void {
    if (this.leading === v) return;
    this.leading = v;
    this.o.onLeading(v);
  }
}
