// The checker's verdict, as data (JSON) and as one human line.
import type { OutageWindow } from './outage.js';

export interface WriterStats {
  target: string;
  keyPrefix: string;
  waitReplicas: number;
  /** Epoch ms. */
  startedAt: number;
  durationMs: number;
  running: boolean;
  attempted: number;
  /** SET answered OK. */
  setOk: number;
  /** SET answered OK and, with waitReplicas > 0, WAIT reported at least that many replicas. */
  acknowledged: number;
  /** SET OK but WAIT reported fewer replicas (or failed). */
  notReplicated: number;
  /** SET failed or its outcome is unknown (timeout, connection lost). */
  failed: number;
  /** Failures by kind (connection, timeout, readonly, clusterdown, moved ...); WAIT failures as "wait:<kind>". */
  errors: Record<string, number>;
  /** Longest time between two successful writes while writes kept failing in between. */
  longestOutageMs: number;
  /** Longest outage windows, longest first (at most 5). */
  outages: OutageWindow[];
}

export interface CheckReport extends WriterStats {
  /** True when every acknowledged write was read back intact. */
  ok: boolean;
  /** Acknowledged writes missing or changed. */
  lostCount: number;
  /** Their keys (at most `lostListLimit`, lowest sequence numbers first). */
  lost: string[];
  /** SET-OK writes missing, acknowledged or not (counts async-replication loss even with WAIT). */
  lostSetOkCount: number;
  /** Keys present with a value that is not the one written. */
  corruptedCount: number;
  /** Writes that failed or timed out for us but did land (not a loss; shows ambiguity). */
  unacknowledgedButPresent: number;
  verifyMs: number;
}

export function summarizeReport(r: CheckReport): string {
  const verdict = r.ok ? 'PASS' : 'FAIL';
  const acked =
    r.waitReplicas > 0
      ? `${r.acknowledged} acknowledged with WAIT ${r.waitReplicas} (${r.setOk} SET OK)`
      : `${r.acknowledged} acknowledged`;
  const lost =
    r.acknowledged === 0
      ? 'nothing acknowledged, so nothing proven'
      : r.lostCount === 0
        ? '0 lost'
        : `${r.lostCount} LOST (e.g. ${r.lost.slice(0, 3).join(', ')})`;
  const extraLoss = r.lostSetOkCount > r.lostCount ? `, ${r.lostSetOkCount} SET-OK writes missing` : '';
  const errors = Object.entries(r.errors)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  return (
    `${verdict} ${r.target}: ${r.attempted} writes in ${(r.durationMs / 1000).toFixed(1)} s, ${acked}, ${lost}${extraLoss}; ` +
    `longest outage ${r.longestOutageMs} ms` +
    (errors ? `; errors: ${errors}` : '')
  );
}
