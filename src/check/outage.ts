// Availability as the writer saw it: an outage is the time between two successful writes while
// writes kept being attempted (and failing) in between. Idle gaps without attempts are not outages.

export interface OutageWindow {
  /** ms since the writer started. */
  startMs: number;
  endMs: number;
  durationMs: number;
  /** Failed attempts inside the window. */
  failedAttempts: number;
  /** Cluster: the slot range the window applies to (first, last). */
  slots?: [number, number];
}

export class OutageTracker {
  private lastSuccessAt: number | null = null;
  private failuresSinceSuccess = 0;
  private firstFailureAt: number | null = null;
  private readonly windows: OutageWindow[] = [];

  constructor(
    private readonly startedAt: number,
    private readonly slots?: [number, number],
  ) {}

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
      ...(this.slots ? { slots: this.slots } : {}),
    });
  }
}

/** Slots per part of a cluster's keyspace tracked on its own: 64 parts, each well inside one master's range. */
export const SLOTS_PER_PART = 256;

/**
 * Outages per part of the keyspace. In a cluster one shard can be down while the others keep
 * answering: a single tracker would see the other shards' successes and report no outage at
 * all. Each part is a run of SLOTS_PER_PART slots; without slots (one master) there is one part.
 */
export class KeyspaceOutages {
  private readonly parts = new Map<number, OutageTracker>();

  constructor(private readonly startedAt: number) {}

  success(at: number, slot?: number): void {
    this.part(slot).success(at);
  }

  failure(at: number, slot?: number): void {
    this.part(slot).failure(at);
  }

  finish(at: number): void {
    for (const t of this.parts.values()) t.finish(at);
  }

  longestMs(): number {
    let max = 0;
    for (const t of this.parts.values()) max = Math.max(max, t.longestMs());
    return max;
  }

  top(n: number): OutageWindow[] {
    return [...this.parts.values()]
      .flatMap((t) => t.top(n))
      .sort((a, b) => b.durationMs - a.durationMs)
      .slice(0, n);
  }

  private part(slot: number | undefined): OutageTracker {
    const index = slot === undefined ? -1 : Math.floor(slot / SLOTS_PER_PART);
    let t = this.parts.get(index);
    if (!t) {
      t = new OutageTracker(
        this.startedAt,
        index < 0 ? undefined : [index * SLOTS_PER_PART, index * SLOTS_PER_PART + SLOTS_PER_PART - 1],
      );
      this.parts.set(index, t);
    }
    return t;
  }
}
