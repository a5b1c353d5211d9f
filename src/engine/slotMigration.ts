// Moving slots between masters, fast and without losing a key.
//
// Valkey 9+ (CLUSTER MIGRATESLOTS, asked of the server, never guessed from a version): one atomic
// job per source and target; the server copies and hands over ownership itself.
//
// Older servers (Valkey 8, Redis 7): the legacy protocol, per slot
//   1. target: SETSLOT s IMPORTING <source>   (first, so the target accepts ASK-ed clients)
//   2. source: SETSLOT s MIGRATING <target>   (absent keys are now ASK-ed to the target)
//   3. source: GETKEYSINSLOT + MIGRATE ... KEYS, until the slot is empty on the source
//   4. SETSLOT s NODE <target> on the target, then the source; the others learn it from the
//      target's immediate PONG broadcast (see moveBatch).
// What makes it fast: a whole batch of slots goes through each step together, every command of
// a step pipelined on one connection (the server also writes nodes.conf once per event-loop
// round, not once per SETSLOT), a few batches in flight per (source, target) stream, every
// stream at the same time (in waves without cycles, see streamWaves), one MIGRATE per slot
// with all its keys. valkey-cli does one slot at a time, 10 keys per MIGRATE, one round trip
// per command.
//
// Keys written during the move: the source keeps serving keys it still has; a key it no
// longer (or never) had is answered with ASK and lands on the target. So in step 3 the key
// count of the slot on the source only goes down, and once it is 0 nothing can be left behind.
//
// BUSYKEY (the target already has a key being moved): while the source owns the slot and has it
// MIGRATING, the source's copy is the one every client reads and writes; a copy on the target
// cannot have been reached by any client (a client is only ASK-ed there for keys the source
// lacks). Such a copy is a leftover of an earlier interrupted MIGRATE (identical) or of data the
// target held before (not reachable either). The source's copy is moved with REPLACE, and every
// replaced copy that differed is logged by name. If the target already owns the slot, the roles
// flip: the target's copy is the live one; an identical source copy is deleted, a different one
// stops the migration with an error naming the keys (never a silent choice).
//
// Resuming: the same steps are safe on a half-moved slot ("already the owner" and "not the
// owner" replies are expected there), so an interrupted run is finished by running them again;
// SETSLOT STABLE alone would strand the keys already on the target.
import type { Redis } from 'iovalkey';
import {
  clusterGetKeysInSlotRaw,
  clusterGetSlotMigrations,
  clusterMigrateSlots,
  clusterMigrateSlotsSupported,
  clusterNodes,
  clusterSetSlot,
} from '../valkey/cluster.js';
import { send } from '../valkey/command.js';
import { closeClient, connect, type ConnectOptions, type Endpoint } from '../valkey/connection.js';
import { ValkeyReplyError } from '../valkey/errors.js';
import { compareKeyCopies, migrateKeys } from '../valkey/migrate.js';
import { slotsToRanges } from '../valkey/slotRanges.js';
import { groupMoves, type SlotMove } from './slotPlan.js';
import { sleep } from './wait.js';

export interface MigrationNode {
  name: string;
  id: string;
  endpoint: Endpoint;
}

export interface SlotMigrationOptions {
  /** Every master of the cluster by member name (sources, targets and the others told of the new owner). */
  nodes: ReadonlyMap<string, MigrationNode>;
  moves: readonly SlotMove[];
  conn: ConnectOptions;
  /** The servers' password, for MIGRATE ... AUTH to the target. */
  password: string | null;
  log: (line: string) => void;
  /** Slots that go through the steps together, per stream (default 128). */
  slotsPerBatch?: number;
  /** Keys per GETKEYSINSLOT / MIGRATE (default 1000). */
  keysPerMigrate?: number;
  /** MIGRATE's server-side I/O timeout (default 10 s). */
  migrateTimeoutMs?: number;
  /** Called after every finished batch; throwing aborts (tests use it to interrupt a run). */
  onProgress?: (p: MigrationProgress) => void;
  /** Use the legacy protocol even when the servers have MIGRATESLOTS. */
  forceLegacy?: boolean;
}

export interface MigrationProgress {
  slotsDone: number;
  slotsTotal: number;
  keysMoved: number;
  elapsedMs: number;
}

export interface MigrationResult extends MigrationProgress {
  method: 'atomic' | 'legacy';
  /** Keys whose differing copy on the target was replaced by the live copy from the source. */
  replacedKeys: number;
}

const PROGRESS_EVERY_MS = 500;

export async function migrateSlots(opts: SlotMigrationOptions): Promise<MigrationResult> {
  const started = Date.now();
  const total = opts.moves.length;
  if (total === 0)
    return { method: 'legacy', slotsDone: 0, slotsTotal: 0, keysMoved: 0, elapsedMs: 0, replacedKeys: 0 };
  const pool = new ConnectionPool(opts.conn);
  try {
    const sources = [...new Set(opts.moves.map((m) => m.from))];
    let atomic = !opts.forceLegacy;
    for (const s of sources)
      if (atomic) atomic = await clusterMigrateSlotsSupported(await pool.get(node(opts, s))).catch(() => false);
    const result = atomic ? await runAtomic(opts, pool, started) : await runLegacy(opts, pool, started);
    const secs = Math.max(result.elapsedMs, 1) / 1000;
    opts.log(
      `moved ${result.slotsDone}/${total} slots, ${result.keysMoved} keys in ${secs.toFixed(2)} s (${Math.round(result.keysMoved / secs)} keys/s, ${result.method})`,
    );
    return result;
  } finally {
    await pool.closeAll();
  }
}

function node(opts: SlotMigrationOptions, name: string): MigrationNode {
  const n = opts.nodes.get(name);
  if (!n) throw new Error(`slot migration: ${name} is not a known master`);
  return n;
}

/** One connection per node and purpose, so pipelines of different streams never interleave. */
class ConnectionPool {
  private readonly clients = new Map<string, Promise<Redis>>();
  constructor(private readonly conn: ConnectOptions) {}
  get(n: MigrationNode, purpose = 'admin'): Promise<Redis> {
    const key = `${n.name}/${purpose}`;
    let c = this.clients.get(key);
    if (!c) {
      // MIGRATE of a large batch can take longer than an admin command's default timeout.
      c = connect(n.endpoint, { ...this.conn, commandTimeoutMs: 60_000 });
      this.clients.set(key, c);
    }
    return c;
  }
  async closeAll(): Promise<void> {
    await Promise.all(
      [...this.clients.values()].map(async (p) =>
        closeClient(await p.catch(() => null as never)).catch(() => undefined),
      ),
    );
  }
}

class ProgressReporter {
  slotsDone = 0;
  keysMoved = 0;
  replacedKeys = 0;
  private lastLog = Date.now();
  constructor(
    private readonly opts: SlotMigrationOptions,
    private readonly started: number,
  ) {}
  snapshot(): MigrationProgress {
    return {
      slotsDone: this.slotsDone,
      slotsTotal: this.opts.moves.length,
      keysMoved: this.keysMoved,
      elapsedMs: Date.now() - this.started,
    };
  }
  batchDone(slots: number): void {
    this.slotsDone += slots;
    const p = this.snapshot();
    if (Date.now() - this.lastLog >= PROGRESS_EVERY_MS && p.slotsDone < p.slotsTotal) {
      this.lastLog = Date.now();
      this.opts.log(
        `moving slots: ${p.slotsDone}/${p.slotsTotal}, ${p.keysMoved} keys, ${Math.round(p.keysMoved / Math.max(p.elapsedMs / 1000, 0.001))} keys/s`,
      );
    }
    this.opts.onProgress?.(p);
  }
}

// ---------------------------------------------------------------------------------------------
// Legacy protocol

async function runLegacy(opts: SlotMigrationOptions, pool: ConnectionPool, started: number): Promise<MigrationResult> {
  const progress = new ProgressReporter(opts, started);
  for (const wave of streamWaves(groupMoves(opts.moves)))
    await Promise.all(wave.map((s) => runStream(opts, pool, progress, s)));
  return { method: 'legacy', ...progress.snapshot(), replacedKeys: progress.replacedKeys };
}

/**
 * Streams that may run together. MIGRATE blocks the source until the target answered, and a
 * blocked server answers nobody: A -> B and B -> A at once (or any cycle) stall both until the
 * MIGRATE timeout. In a wave no node is both a source and a target, so no cycle can form.
 * Scale-out (all -> new) and scale-in (drained -> all) are one wave each.
 */
export function streamWaves<T extends { from: string; to: string }>(streams: readonly T[]): T[][] {
  const waves: T[][] = [];
  let rest = [...streams];
  while (rest.length) {
    const wave: T[] = [];
    const sources = new Set<string>();
    const targets = new Set<string>();
    const later: T[] = [];
    for (const st of rest) {
      if (targets.has(st.from) || sources.has(st.to)) later.push(st);
      else {
        wave.push(st);
        sources.add(st.from);
        targets.add(st.to);
      }
    }
    waves.push(wave);
    rest = later;
  }
  return waves;
}

async function runStream(
  opts: SlotMigrationOptions,
  pool: ConnectionPool,
  progress: ProgressReporter,
  stream: { from: string; to: string; slots: number[] },
): Promise<void> {
  const from = node(opts, stream.from);
  const to = node(opts, stream.to);
  const purpose = `${from.name}->${to.name}`;
  const [source, target] = await Promise.all([pool.get(from, purpose), pool.get(to, purpose)]);
  const others = await Promise.all(
    [...opts.nodes.values()].filter((n) => n.name !== from.name && n.name !== to.name).map((n) => pool.get(n, purpose)),
  );
  const perBatch = opts.slotsPerBatch ?? 128;
  const batches: number[][] = [];
  for (let i = 0; i < stream.slots.length; i += perBatch) batches.push(stream.slots.slice(i, i + perBatch));
  // A few batches in flight on the same connections: while one waits for its MIGRATEs, the
  // next one's SETSLOTs are already queued, so neither end idles between round trips. Each
  // batch still awaits its own steps in order, which is all the protocol needs.
  let next = 0;
  const lane = async () => {
    while (next < batches.length) {
      const batch = batches[next++]!;
      await moveBatch(opts, progress, { from, to, source, target, others }, batch);
      progress.batchDone(batch.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(BATCHES_IN_FLIGHT, batches.length) }, lane));
}

const BATCHES_IN_FLIGHT = 4;

interface StreamEnds {
  from: MigrationNode;
  to: MigrationNode;
  source: Redis;
  target: Redis;
  others: Redis[];
}

/**
 * Runs `fn`, whose commands are all sent synchronously, with the connection corked: they leave
 * in one write, the server reads them in one go and saves nodes.conf once for all of them.
 */
function oneWrite<T>(client: Redis, fn: () => Promise<T>): Promise<T> {
  const stream = (client as unknown as { stream?: { cork?: () => void; uncork?: () => void } }).stream;
  stream?.cork?.();
  try {
    return fn();
  } finally {
    process.nextTick(() => stream?.uncork?.());
  }
}

async function moveBatch(
  opts: SlotMigrationOptions,
  progress: ProgressReporter,
  e: StreamEnds,
  slots: number[],
): Promise<void> {
  // 1. IMPORTING on the target. "already the owner": a resumed slot whose ownership moved.
  const targetOwns = new Set<number>();
  await oneWrite(e.target, () =>
    Promise.all(
      slots.map((s) =>
        clusterSetSlot(e.target, s, 'IMPORTING', e.from.id).catch((err) => {
          if (isReply(err, /already the owner/i)) targetOwns.add(s);
          else throw err;
        }),
      ),
    ),
  );
  // 2. MIGRATING on the source. "not the owner": resumed, the source already handed it over.
  const sourceOwns = new Set<number>();
  await oneWrite(e.source, () =>
    Promise.all(
      slots
        .filter((s) => !targetOwns.has(s))
        .map((s) =>
          clusterSetSlot(e.source, s, 'MIGRATING', e.to.id).then(
            () => {
              sourceOwns.add(s);
            },
            (err) => {
              if (!isReply(err, /not the owner/i)) throw err;
            },
          ),
        ),
    ),
  );
  // 3. Drain every slot of the batch from the source.
  await drainSlots(opts, progress, e, slots, sourceOwns);
  // 4. The new owner: target first (it bumps its epoch, starts serving, and at once broadcasts a
  // PONG with its new slots to every node), then the source (which refuses while it still holds
  // a key of the slot: then drain again and retry). The other masters learn it from that PONG;
  // sending them SETSLOT NODE as well, as valkey-cli does, doubles the commands of a move (a
  // quarter slower here) for no gain: moveSlots waits for every node to agree before going on.
  await oneWrite(e.target, () => Promise.all(slots.map((s) => clusterSetSlot(e.target, s, 'NODE', e.to.id))));
  for (let attempt = 0; ; attempt++) {
    const stillHolding: number[] = [];
    await oneWrite(e.source, () =>
      Promise.all(
        slots.map((s) =>
          clusterSetSlot(e.source, s, 'NODE', e.to.id).catch((err) => {
            if (attempt < 3 && isReply(err, /still hold/i)) stillHolding.push(s);
            else throw err;
          }),
        ),
      ),
    );
    if (!stillHolding.length) break;
    await drainSlots(opts, progress, e, stillHolding, new Set());
  }
}

async function drainSlots(
  opts: SlotMigrationOptions,
  progress: ProgressReporter,
  e: StreamEnds,
  slots: number[],
  sourceOwns: ReadonlySet<number>,
): Promise<void> {
  const count = opts.keysPerMigrate ?? 1000;
  const migrateTimeoutMs = opts.migrateTimeoutMs ?? 10_000;
  const auth = opts.password ? { password: opts.password } : undefined;
  const idleRounds = new Map<number, number>();
  let pending = slots;
  while (pending.length) {
    const keysOf = (
      await oneWrite(e.source, () => Promise.all(pending.map((s) => clusterGetKeysInSlotRaw(e.source, s, count))))
    ).map((ks) => ks.map(compactKey));
    const next: number[] = [];
    await oneWrite(e.source, () =>
      Promise.all(
        pending.map(async (slot, i) => {
          const keys = keysOf[i]!;
          if (keys.length === 0) return;
          const r = await migrateKeys(e.source, e.to.endpoint, keys, {
            timeoutMs: migrateTimeoutMs,
            ...(auth ? { auth } : {}),
          });
          if (r.outcome === 'migrated') {
            progress.keysMoved += keys.length;
            // Fewer keys than asked for, all moved: the slot is empty. No key can appear on the
            // source meanwhile (MIGRATING sends writes of absent keys to the target), and the
            // source's SETSLOT NODE double-checks.
            if (keys.length === count) next.push(slot);
            return;
          }
          next.push(slot);
          // Keys that moved before the refusal are gone from the source; the next round re-reads.
          if (r.outcome === 'busykey') await resolveBusyKeys(opts, progress, e, slot, keys, sourceOwns.has(slot));
          // NOKEY: every listed key expired meanwhile (and is deleted now). Listed again and again
          // without moving would be a bug somewhere: stop rather than spin.
          else if ((idleRounds.set(slot, (idleRounds.get(slot) ?? 0) + 1).get(slot) ?? 0) > 100) {
            throw new Error(`slot ${slot}: ${e.from.name} keeps listing keys that MIGRATE does not find`);
          }
        }),
      ),
    );
    pending = next.sort((a, b) => a - b);
  }
}

/**
 * An ASCII key as a string (written as the same bytes, and far cheaper to send than a Buffer:
 * one write chunk per command instead of one per key); any other key stays raw bytes.
 */
function compactKey(k: Buffer): string | Buffer {
  for (let i = 0; i < k.length; i++) if (k[i]! >= 0x80) return k;
  return k.toString('latin1');
}

async function resolveBusyKeys(
  opts: SlotMigrationOptions,
  progress: ProgressReporter,
  e: StreamEnds,
  slot: number,
  keys: (string | Buffer)[],
  sourceIsOwner: boolean,
): Promise<void> {
  const copies = await compareKeyCopies(e.source, e.target, keys);
  const pick = (...kinds: string[]) => keys.filter((_, i) => kinds.includes(copies[i]!));
  const conflicting = pick('same', 'different');
  const differing = pick('different');
  const sample = (ks: (string | Buffer)[]) =>
    ks
      .slice(0, 5)
      .map((k) => JSON.stringify(k.toString('utf8')))
      .join(', ') + (ks.length > 5 ? ', ...' : '');
  if (!sourceIsOwner) {
    // The target owns the slot: its copies are the live ones.
    if (differing.length) {
      throw new Error(
        `slot ${slot}: ${differing.length} key(s) exist on both ${e.from.name} and ${e.to.name} (the owner) with different values (${sample(differing)}); nothing was overwritten: inspect them, delete the stale copy on ${e.from.name}, and run again`,
      );
    }
    const same = pick('same');
    await Promise.all(same.map((k) => send(e.source, 'DEL', [k])));
    opts.log(
      `slot ${slot}: ${same.length} key(s) were already on ${e.to.name} with the same value; removed the duplicate from ${e.from.name}`,
    );
    return;
  }
  if (differing.length) {
    opts.log(
      `slot ${slot}: ${differing.length} key(s) on ${e.to.name} were unreachable leftovers that differ from the live copy on ${e.from.name}; replaced them with the live copy (${sample(differing)})`,
    );
  }
  const auth = opts.password ? { password: opts.password } : undefined;
  const r = await migrateKeys(e.source, e.to.endpoint, conflicting, {
    timeoutMs: opts.migrateTimeoutMs ?? 10_000,
    replace: true,
    ...(auth ? { auth } : {}),
  });
  if (r.outcome === 'migrated') {
    progress.keysMoved += conflicting.length;
    progress.replacedKeys += differing.length;
  }
}

function isReply(err: unknown, re: RegExp): boolean {
  return err instanceof ValkeyReplyError && re.test(err.message);
}

// ---------------------------------------------------------------------------------------------
// Atomic slot migration (Valkey 9+)

const TERMINAL_STATE = /success|fail|cancel/i;

async function runAtomic(opts: SlotMigrationOptions, pool: ConnectionPool, started: number): Promise<MigrationResult> {
  const progress = new ProgressReporter(opts, started);
  const bySource = new Map<string, Array<{ to: string; slots: number[] }>>();
  for (const g of groupMoves(opts.moves))
    bySource.set(g.from, [...(bySource.get(g.from) ?? []), { to: g.to, slots: g.slots }]);
  await Promise.all(
    [...bySource].map(async ([from, jobs]) => {
      const src = await pool.get(node(opts, from));
      // A job left running by an interrupted run would refuse overlapping slots: let it finish first.
      let earlier = await clusterGetSlotMigrations(src);
      while (earlier.some((m) => !TERMINAL_STATE.test(m['state'] ?? 'success'))) {
        await sleep(100);
        earlier = await clusterGetSlotMigrations(src);
      }
      const known = new Set(earlier.map((m) => m['name']));
      await clusterMigrateSlots(
        src,
        jobs.map((j) => ({ ranges: slotsToRanges(j.slots), nodeId: node(opts, j.to).id })),
      );
      const wanted = new Map(jobs.flatMap((j) => j.slots.map((s) => [s, node(opts, j.to).id] as const)));
      let reported = 0;
      for (;;) {
        const ours = (await clusterGetSlotMigrations(src)).filter((m) => !known.has(m['name']));
        const failed = ours.filter((m) => /fail|cancel/i.test(m['state'] ?? ''));
        if (failed.length)
          throw new Error(
            `atomic slot migration from ${from} failed: ${failed.map((m) => `${m['slot_ranges'] ?? '?'} ${m['state']} ${m['message'] ?? ''}`.trim()).join('; ')}`,
          );
        // Done = the source itself sees every slot owned by its target.
        let done = 0;
        for (const n of await clusterNodes(src))
          for (const r of n.slots) for (let s = r.start; s <= r.end; s++) if (wanted.get(s) === n.id) done++;
        if (done > reported) {
          progress.batchDone(done - reported);
          reported = done;
        }
        if (done === wanted.size) return;
        await sleep(50);
      }
    }),
  );
  // Keys move server side and are not counted per job on every version: keysMoved stays 0.
  return { method: 'atomic', ...progress.snapshot(), replacedKeys: 0 };
}
