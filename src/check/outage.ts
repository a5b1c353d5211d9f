// Availability as the writer saw it: an outage is the time between two successful writes while
// writes kept being attempted (and failing) in between. Idle gaps without attempts are not outages.

export interface OutageWindow {
  /** ms since the writer started. */
  startMs: number;
  endMs: number;
  durationMs: number;
  /** Failed attempts inside the window. */
  failedAttempts: number;
}

export class OutageTracker {
  private lastSuccessAt: number | null = null;
  private failuresSinceSuccess = 0;
  private firstFailureAt: number | null = null;
  private readonly windows: OutageWindow[] = [];

  constructor(private readonly startedAt: number) {}

  success(at: number): void {
    if (this.failuresSinceSuccess > 0) {
      // Before the first success the window opens at the first failed attempt.
      const from = this.lastSuccessAt ?? this.firstFailureAt ?? at;
      this.record(from, at);
    }
    this.lastSuccessAt = at;
    this.failuresSinceSuccess = 0;
    this.firstFailureAt = null;
  }

  failure(at: number): void {
    if (this.failuresSinceSuccess === 0) this.firstFailureAt = at;
    this.failuresSinceSuccess++;
  }

  /** Closes a window still open when the writer stops (failures after the last success). */
  finish(at: number): void {
    if (this.failuresSinceSuccess > 0) this.record(this.lastSuccessAt ?? this.firstFailureAt ?? at, at);
    this.failuresSinceSuccess = 0;
  }

  longestMs(): number {
    return this.windows.reduce((max, w) => Math.max(max, w.durationMs), 0);
  }

  /** The longest windows, longest first. */
  top(n: number): OutageWindow[] {
    return [...this.windows].sort((a, b) => b.durationMs - a.durationMs).slice(0, n);
  }

  private record(from: number, to: number): void {
    this.windows.push({
      startMs: from - this.startedAt,
      endMs: to - this.startedAt,
      durationMs: to - from,
      failedAttempts: this.failuresSinceSuccess,
    });
  }
}
