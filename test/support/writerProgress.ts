// "Let writes flow" as a count, not a time: a test waits until the checker's writer has
// acknowledged so many more writes, so a loaded machine waits longer instead of testing less.
import type { WriterStats } from '../../src/check/report.js';
import type { Writer } from '../../src/check/writer.js';
import { waitFor } from '../../src/engine/wait.js';

const describeStats = (s: WriterStats): string =>
  `${s.acknowledged} acknowledged, ${s.notReplicated} not replicated, ${s.attempted} attempted, errors ${JSON.stringify(s.errors)}, ` +
  `${s.running ? 'running' : 'stopped'} after ${s.durationMs} ms`;

/**
 * Resolves with the writer's stats once it has acknowledged `count` more writes than when called
 * while still running. Fails at once if the writer stops short, or after `timeoutMs`.
 */
export async function waitForAcknowledged(writer: Writer, count: number, timeoutMs = 15_000): Promise<WriterStats> {
  const target = writer.stats().acknowledged + count;
  const seen: { stopped?: WriterStats; reached?: WriterStats } = {};
  await waitFor(
    `the writer to acknowledge ${count} more writes (${target} in all) while running`,
    async () => {
      const s = writer.stats();
      if (!s.running) seen.stopped = s;
      else if (s.acknowledged >= target) seen.reached = s;
      else return describeStats(s);
      return true;
    },
    // Polling the writer's counters is cheap: a short interval keeps the overshoot small.
    { timeoutMs, intervalMs: 5 },
  );
  if (!seen.reached)
    throw new Error(`the writer stopped before acknowledging ${target} writes: ${describeStats(seen.stopped!)}`);
  return seen.reached;
}
