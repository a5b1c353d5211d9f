// A list-watch cache of one resource type. The watch comes from @kubernetes/client-node; the
// list goes through our raw transport (client-node's typed models rename fields). A watch that
// ends cleanly resumes from the last resourceVersion; one that ends with an error, or whose
// resourceVersion expired (410), relists after a backoff: the cache is replaced by the list and
// a delete is reported for everything that vanished while we were not watching.
import type { KubeConfig } from '@kubernetes/client-node';
import { Watch } from '@kubernetes/client-node';
import type { Transport } from '../apply/kubeHttp.js';
import { ItemBackoff } from './backoff.js';

/** client-node's Watch.watch, the one call the informer makes (tests drive it by hand). */
export type WatchFn = (
  path: string,
  query: Record<string, string | number | boolean>,
  onEvent: (type: string, obj: KubeItem & { code?: number }) => void,
  done: (err: unknown) => void,
) => Promise<AbortController>;

export interface KubeItem {
  metadata: { name: string; namespace?: string; resourceVersion?: string; [k: string]: unknown };
  [k: string]: unknown;
}

type InformerEvent = 'add' | 'update' | 'delete';

interface InformerOptions {
  /** Collection path, e.g. /apis/apps/v1/statefulsets (every namespace). */
  path: string;
  labelSelector?: string;
  onEvent: (type: InformerEvent, obj: KubeItem) => void;
  log: (line: string) => void;
  /** Delay before a relist after an error (default 1 s doubling to 30 s). */
  relistBackoff?: ItemBackoff;
  /** Called when a watch request is answered (lists go through the transport, counted there). */
  onWatch?: () => void;
}

const keyOf = (o: KubeItem) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

export class Informer {
  private readonly cache = new Map<string, KubeItem>();
  private readonly watch: WatchFn;
  private readonly backoff: ItemBackoff;
  private resourceVersion = '';
  private abort: AbortController | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private hasSynced = false;

  constructor(
    kc: KubeConfig,
    private readonly http: Transport,
    private readonly o: InformerOptions,
    watch?: WatchFn,
  ) {
    this.backoff = o.relistBackoff ?? new ItemBackoff(1000, 30_000);
    const w = new Watch(kc);
    this.watch = watch ?? ((path, query, onEvent, done) => w.watch(path, query, onEvent, done));
  }

  /** True once the first list has been loaded. */
  get synced(): boolean {
    return this.hasSynced;
  }

  list(): KubeItem[] {
    return [...this.cache.values()];
  }

  get(namespace: string, name: string): KubeItem | undefined {
    return this.cache.get(`${namespace}/${name}`);
  }

  start(): void {
    void this.relist();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.abort?.abort();
  }

  private retryLater(why: string): void {
    if (this.stopped) return;
    const ms = this.backoff.when('list');
    this.o.log(`informer ${this.o.path}: ${why}; relisting in ${ms} ms`);
    this.timer = setTimeout(() => void this.relist(), ms);
    this.timer.unref();
  }

  private async relist(): Promise<void> {
    if (this.stopped) return;
    let list: { metadata?: { resourceVersion?: string }; items?: KubeItem[] };
    try {
      list = await this.http.request('GET', this.o.path, {
        query: this.o.labelSelector ? { labelSelector: this.o.labelSelector } : {},
      });
    } catch (e) {
      return this.retryLater(`list failed: ${(e as Error).message}`);
    }
    if (this.stopped) return;
    const seen = new Set<string>();
    for (const item of list.items ?? []) {
      const k = keyOf(item);
      seen.add(k);
      const had = this.cache.get(k);
      this.cache.set(k, item);
      if (!had) this.o.onEvent('add', item);
      else if (had.metadata.resourceVersion !== item.metadata.resourceVersion) this.o.onEvent('update', item);
    }
    for (const [k, item] of [...this.cache]) {
      if (seen.has(k)) continue;
      this.cache.delete(k);
      this.o.onEvent('delete', item);
    }
    this.resourceVersion = list.metadata?.resourceVersion ?? '';
    this.hasSynced = true;
    this.backoff.forget('list');
    await this.startWatch();
  }

  private async startWatch(): Promise<void> {
    if (this.stopped) return;
    let expired = false;
    const query: Record<string, string | number | boolean> = {
      resourceVersion: this.resourceVersion,
      allowWatchBookmarks: true,
      // The server ends the watch well before client-node's 30 s request timeout would.
      timeoutSeconds: 20,
    };
    if (this.o.labelSelector) query.labelSelector = this.o.labelSelector;
    this.abort = await this.watch(
      this.o.path,
      query,
      (type, obj) => {
        if (type === 'ERROR') {
          if (obj.code === 410) expired = true;
          return;
        }
        const rv = obj.metadata?.resourceVersion;
        if (rv) this.resourceVersion = rv;
        if (type === 'BOOKMARK') return;
        const k = keyOf(obj);
        if (type === 'DELETED') {
          this.cache.delete(k);
          this.o.onEvent('delete', obj);
        } else {
          const had = this.cache.has(k);
          this.cache.set(k, obj);
          this.o.onEvent(had ? 'update' : 'add', obj);
        }
      },
      (err: unknown) => {
        if (this.stopped) return;
        if (err) this.retryLater(`watch failed: ${err instanceof Error ? err.message : JSON.stringify(err)}`);
        else if (expired) void this.relist();
        else void this.startWatch();
      },
    );
    this.o.onWatch?.();
    // stop() while the watch was being opened aborted the previous one, not this one.
    if (this.stopped) this.abort.abort();
  }
}
