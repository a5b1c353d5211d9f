// The controller's work queue, with client-go's guarantees: a key is queued at most once however
// many events name it (dirty set), a key being reconciled is never handed to a second worker
// (processing set: an event during its reconcile queues it again once done), delayed adds keep
// only the earliest deadline, and failures back off per key.
import { ItemBackoff } from './backoff.js';

interface QueueHooks {
  /** After every change of the number of keys waiting (workqueue_depth). */
  depth?: (n: number) => void;
  /** On every rate-limited re-add (workqueue_retries_total). */
  retry?: () => void;
}

export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly delayed = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly waiters: Array<(key: string | null) => void> = [];
  private shuttingDown = false;

  constructor(
    readonly backoff = new ItemBackoff(),
    private readonly hooks: QueueHooks = {},
  ) {}

  get length(): number {
    return this.queue.length;
  }

  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return; // queued again by done()
    this.push(key);
  }

  /** Adds after `ms`; a later request for an earlier time replaces the pending one, a later time is ignored. */
  addAfter(key: string, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) return this.add(key);
    const at = Date.now() + ms;
    const pending = this.delayed.get(key);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, ms);
    timer.unref();
    this.delayed.set(key, { at, timer });
  }

  /** Re-adds after the key's next backoff delay. */
  addRateLimited(key: string): number {
    const ms = this.backoff.when(key);
    this.hooks.retry?.();
    this.addAfter(key, ms);
    return ms;
  }

  /** Success: the next failure of this key starts from the base delay again. */
  forget(key: string): void {
    this.backoff.forget(key);
  }

  /** The next key to work on, or null once shut down. Call done(key) when finished with it. */
  get(): Promise<string | null> {
    const key = this.queue.shift();
    if (key !== undefined) return Promise.resolve(this.take(key));
    if (this.shuttingDown) return Promise.resolve(null);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.has(key)) this.push(key);
  }

  shutDown(): void {
    this.shuttingDown = true;
    for (const d of this.delayed.values()) clearTimeout(d.timer);
    this.delayed.clear();
    for (const w of this.waiters.splice(0)) w(null);
  }

  private take(key: string): string {
    this.dirty.delete(key);
    this.processing.add(key);
    this.hooks.depth?.(this.queue.length);
    return key;
  }

  private push(key: string): void {
    const waiter = this.waiters.shift();
    if (waiter) return waiter(this.take(key));
    this.queue.push(key);
    this.hooks.depth?.(this.queue.length);
  }
}
