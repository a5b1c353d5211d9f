// Per-key exponential backoff, as client-go's ItemExponentialFailureRateLimiter: a key that keeps
// failing waits base, 2*base, 4*base ... up to max; one success (forget) starts it over. Keys are
// independent, so one broken resource never slows the reconcile of the others.
export class ItemBackoff {
  private readonly failures = new Map<string, number>();

  constructor(
    readonly baseMs = 500,
    readonly maxMs = 300_000,
  ) {}

  /** The delay before the next retry of `key`, counting this failure. */
  when(key: string): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    // 2 ** n overflows to Infinity long before n is large; min() keeps it at the cap.
    return Math.min(this.baseMs * 2 ** n, this.maxMs);
  }

  retries(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  forget(key: string): void {
    this.failures.delete(key);
  }
}
