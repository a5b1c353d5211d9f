// Polling until a condition holds, with a deadline and a reason when it does not.

export class WaitTimeoutError extends Error {
  constructor(what: string, ms: number, lastReason: string | null) {
    super(`timed out after ${(ms / 1000).toFixed(1)} s waiting for ${what}${lastReason ? `: ${lastReason}` : ''}`);
    this.name = 'WaitTimeoutError';
  }
}

/**
 * Calls `check` until it returns true. A string (or a thrown error) is the reason it is not
 * there yet, kept for the timeout message. Short intervals: the whole bootstrap of a local
 * sentinel group is meant to take a few seconds.
 */
export async function waitFor(
  what: string,
  check: () => Promise<true | string>,
  opts: { timeoutMs: number; intervalMs?: number; onWait?: (reason: string) => void },
): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  let reason: string;
  let lastReported: string | null = null;
  for (;;) {
    try {
      const r = await check();
      if (r === true) return;
      reason = r;
    } catch (e) {
      reason = (e as Error).message;
    }
    if (reason && reason !== lastReported) {
      opts.onWait?.(reason);
      lastReported = reason;
    }
    if (Date.now() >= deadline) throw new WaitTimeoutError(what, opts.timeoutMs, reason);
    await sleep(opts.intervalMs ?? 50);
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
