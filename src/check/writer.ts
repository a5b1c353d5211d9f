// Continuous unique-key writer that records the outcome of every write, and the read-back that
// proves (or disproves) that no acknowledged write was lost. Bounded by duration or count, every
// operation under a client-side deadline, so it cannot hang while the topology changes under it.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Cluster } from 'iovalkey';
import { errorKind } from '../valkey/errors.js';
import { closeCheckClient, createCheckClient, type CheckClient, type CheckClientOptions } from './clients.js';
import { KeyspaceOutages } from './outage.js';
import { keySlot } from '../valkey/slot.js';
import type { CheckReport, WriterStats } from './report.js';
import { describeTarget, type CheckAuth, type CheckTarget } from './target.js';

export interface WriterOptions {
  target: CheckTarget;
  auth?: CheckAuth;
  /** Keys are `${keyPrefix}:${seq}`; use a fresh prefix per run. */
  keyPrefix: string;
  /** WAIT for this many replicas after each write (0: no WAIT). */
  waitReplicas?: number;
  /** WAIT timeout (default 1000 ms). */
  waitTimeoutMs?: number;
  /** Writes in flight at once (default 4). */
  concurrency?: number;
  /** Max writes per second over all workers (default: unlimited). */
  rateLimit?: number;
  /** Stop after this long. At least one of durationMs / maxWrites is required. */
  durationMs?: number;
  maxWrites?: number;
  /** Client-side deadline per write, on top of the WAIT timeout (default 2000 ms). */
  opTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** Pause after a connection-level failure before the next attempt (default 20 ms). */
  retryPauseMs?: number;
}

export interface VerifyOptions {
  /** Give up reading back after this long (default 30 s); unread keys count as lost. */
  timeoutMs?: number;
  /** Max keys listed in `lost` (default 100). */
  lostListLimit?: number;
  batchSize?: number;
  /** Credentials for the read-back when they changed while writing (a password rotation). */
  auth?: CheckAuth;
}

export interface Writer {
  stats(): WriterStats;
  /** Stops writing, waits for in-flight writes, returns the final stats. Idempotent. */
  stop(): Promise<WriterStats>;
  /** Resolves when the writer stopped by itself (duration / count reached) or via stop(). */
  readonly finished: Promise<WriterStats>;
  /**
   * Waits until the writer has finished (its duration or count; call stop() first to end it
   * early), then reads back every attempted key through a fresh client.
   */
  verify(opts?: VerifyOptions): Promise<CheckReport>;
}

const OUTCOME_FAILED = 0;
const OUTCOME_SET_OK = 1;
const OUTCOME_ACKNOWLEDGED = 2;

class DeadlineError extends Error {
  constructor(ms: number) {
    super(`Command timed out (client deadline ${ms} ms)`);
  }
}

async function withDeadline<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new DeadlineError(ms)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export function startWriter(opts: WriterOptions): Writer {
  if (opts.durationMs === undefined && opts.maxWrites === undefined)
    throw new Error('startWriter needs durationMs or maxWrites');
  const waitReplicas = opts.waitReplicas ?? 0;
  const waitTimeoutMs = opts.waitTimeoutMs ?? 1000;
  const opTimeoutMs = opts.opTimeoutMs ?? 2000;
  const concurrency = Math.max(1, opts.concurrency ?? 4);
  const retryPauseMs = opts.retryPauseMs ?? 20;
  const auth = opts.auth ?? {};
  const clientOptions: CheckClientOptions = {
    connectTimeoutMs: opts.connectTimeoutMs ?? 1000,
    commandTimeoutMs: opTimeoutMs + (waitReplicas > 0 ? waitTimeoutMs : 0),
    reconnectDelayMs: 50,
  };
  const token = randomBytes(6).toString('hex');
  const valueOf = (seq: number): string => `${seq}:${token}`;
  const keyOf = (seq: number): string => `${opts.keyPrefix}:${seq}`;

  // One client per worker: WAIT blocks the connection it runs on, so workers sharing a connection
  // would queue behind each other's WAIT (a shard left without replicas makes every WAIT run to
  // its timeout) and one slow shard would stall writes to all the others.
  const clients = Array.from({ length: concurrency }, () => createCheckClient(opts.target, auth, clientOptions));
  const startedAt = Date.now();
  const outages = new KeyspaceOutages(startedAt);
  // Cluster outages are tracked per slot range: one shard failing over while the others answer.
  const slotOf = opts.target.kind === 'cluster' ? keySlot : (): undefined => undefined;
  const outcomes: number[] = [];
  const errors: Record<string, number> = {};
  let nextSeq = 0;
  let attempted = 0;
  let setOk = 0;
  let acknowledged = 0;
  let notReplicated = 0;
  let stopping = false;
  let stoppedAt: number | null = null;
  let stopTimer: NodeJS.Timeout | undefined;

  const countError = (kind: string): void => {
    errors[kind] = (errors[kind] ?? 0) + 1;
  };

  async function writeOnce(client: CheckClient, seq: number): Promise<void> {
    const key = keyOf(seq);
    const value = valueOf(seq);
    const slot = slotOf(key);
    attempted++;
    outcomes[seq] = OUTCOME_FAILED;
    try {
      if (waitReplicas > 0) {
        // SET and WAIT travel together, so in a cluster WAIT reaches the node that took the SET.
        const results = await withDeadline(
          client.pipeline().set(key, value).wait(waitReplicas, waitTimeoutMs).exec(),
          clientOptions.commandTimeoutMs,
        );
        const [setResult, waitResult] = results ?? [];
        if (!setResult || setResult[0]) throw setResult?.[0] ?? new Error('Connection is closed.');
        if (setResult[1] !== 'OK') throw new Error(`unexpected SET reply ${String(setResult[1])}`);
        setOk++;
        outcomes[seq] = OUTCOME_SET_OK;
        outages.success(Date.now(), slot);
        if (waitResult && !waitResult[0] && Number(waitResult[1]) >= waitReplicas) {
          acknowledged++;
          outcomes[seq] = OUTCOME_ACKNOWLEDGED;
        } else {
          notReplicated++;
          if (waitResult?.[0]) countError(`wait:${errorKind(waitResult[0])}`);
        }
      } else {
        const reply = await withDeadline(client.set(key, value), clientOptions.commandTimeoutMs);
        if (reply !== 'OK') throw new Error(`unexpected SET reply ${String(reply)}`);
        setOk++;
        acknowledged++;
        outcomes[seq] = OUTCOME_ACKNOWLEDGED;
        outages.success(Date.now(), slot);
      }
    } catch (err) {
      const kind = err instanceof DeadlineError ? 'timeout' : errorKind(err);
      countError(kind);
      outages.failure(Date.now(), slot);
      if (kind !== 'moved' && kind !== 'ask') await sleep(retryPauseMs);
    }
  }

  async function worker(client: CheckClient): Promise<void> {
    while (!stopping) {
      const seq = nextSeq;
      if (opts.maxWrites !== undefined && seq >= opts.maxWrites) break;
      nextSeq++;
      if (opts.rateLimit !== undefined && opts.rateLimit > 0) {
        const due = startedAt + (seq * 1000) / opts.rateLimit;
        const wait = due - Date.now();
        if (wait > 0) await sleep(wait);
        if (stopping) {
          nextSeq = Math.min(nextSeq, seq);
          break;
        }
      }
      await writeOnce(client, seq);
    }
  }

  const connectPromise = Promise.all(clients.map((c) => (c.connect() as Promise<unknown>).catch(() => undefined)));
  const finished: Promise<WriterStats> = (async () => {
    await Promise.race([connectPromise, sleep(clientOptions.connectTimeoutMs)]);
    if (opts.durationMs !== undefined) {
      const remaining = Math.max(0, startedAt + opts.durationMs - Date.now());
      stopTimer = setTimeout(() => {
        stopping = true;
      }, remaining);
    }
    await Promise.all(clients.map((c) => worker(c)));
    clearTimeout(stopTimer);
    stopping = true;
    stoppedAt = Date.now();
    outages.finish(stoppedAt);
    for (const c of clients) closeCheckClient(c);
    return stats();
  })();

  function stats(): WriterStats {
    const end = stoppedAt ?? Date.now();
    return {
      target: describeTarget(opts.target),
      keyPrefix: opts.keyPrefix,
      waitReplicas,
      startedAt,
      durationMs: end - startedAt,
      running: stoppedAt === null,
      attempted,
      setOk,
      acknowledged,
      notReplicated,
      failed: attempted - setOk,
      errors: { ...errors },
      longestOutageMs: outages.longestMs(),
      outages: outages.top(5),
    };
  }

  async function stop(): Promise<WriterStats> {
    stopping = true;
    return finished;
  }

  async function verify(vopts: VerifyOptions = {}): Promise<CheckReport> {
    const final = await finished;
    const verifyStart = Date.now();
    const values = await readBack(opts.target, vopts.auth ?? auth, clientOptions, outcomes.length, keyOf, vopts);
    const limit = vopts.lostListLimit ?? 100;
    const lost: string[] = [];
    let lostCount = 0;
    let lostSetOkCount = 0;
    let corruptedCount = 0;
    let unacknowledgedButPresent = 0;
    for (let seq = 0; seq < outcomes.length; seq++) {
      const outcome = outcomes[seq];
      if (outcome === undefined) continue;
      const value = values[seq];
      const intact = value === valueOf(seq);
      if (value !== null && value !== undefined && !intact) corruptedCount++;
      if (outcome === OUTCOME_FAILED) {
        if (intact) unacknowledgedButPresent++;
        continue;
      }
      if (!intact) {
        lostSetOkCount++;
        if (outcome === OUTCOME_ACKNOWLEDGED) {
          lostCount++;
          if (lost.length < limit) lost.push(keyOf(seq));
        }
      }
    }
    return {
      ...final,
      // Nothing acknowledged proves nothing: a check that never got a write through fails.
      ok: lostCount === 0 && final.acknowledged > 0,
      lostCount,
      lost,
      lostSetOkCount,
      corruptedCount,
      unacknowledgedButPresent,
      verifyMs: Date.now() - verifyStart,
    };
  }

  return { stats, stop, finished, verify };
}

/**
 * Values of keys 0..count-1 (null when missing, undefined when it could not be read before
 * the deadline) through a fresh client that resolves the current master or slot owners.
 */
async function readBack(
  target: CheckTarget,
  auth: CheckAuth,
  base: CheckClientOptions,
  count: number,
  keyOf: (seq: number) => string,
  vopts: VerifyOptions,
): Promise<(string | null | undefined)[]> {
  const deadline = Date.now() + (vopts.timeoutMs ?? 30_000);
  const batchSize = vopts.batchSize ?? 500;
  const client = createCheckClient(target, auth, { ...base, autoPipelining: true });
  const values = new Array<string | null | undefined>(count);
  try {
    // A sentinel client whose sentinels all refuse it (a wrong password) never settles connect():
    // it keeps trying them. The read-back deadline bounds that wait too; the timer is unref'd so
    // it never keeps the process alive once the read-back is done.
    await Promise.race([
      (client.connect() as Promise<unknown>).catch(() => undefined),
      sleep(Math.max(0, deadline - Date.now()), undefined, { ref: false }),
    ]);
    for (let start = 0; start < count; start += batchSize) {
      const seqs = Array.from({ length: Math.min(batchSize, count - start) }, (_, i) => start + i);
      for (;;) {
        try {
          const got = await withDeadline(
            readBatch(client, seqs.map(keyOf)),
            Math.max(1, Math.min(base.commandTimeoutMs * 2, deadline - Date.now())),
          );
          got.forEach((v, i) => (values[start + i] = v));
          break;
        } catch {
          if (Date.now() >= deadline) return values;
          await sleep(100);
        }
      }
    }
    return values;
  } finally {
    closeCheckClient(client);
  }
}

async function readBatch(client: CheckClient, keys: string[]): Promise<(string | null)[]> {
  if (client instanceof Cluster) {
    // Keys span slots: one GET each, auto-pipelined per node by the cluster client.
    return Promise.all(keys.map((k) => client.get(k)));
  }
  return client.mget(keys);
}
