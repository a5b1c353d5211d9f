// CLUSTER commands with typed replies. All act on the node `client` is connected to: the engine
// decides which node that must be (e.g. SETSLOT IMPORTING goes to the target, MIGRATING to the source).
import type { Redis } from 'iovalkey';
import { asArray, asInteger, asString, expectOk, send, type SendOptions } from './command.js';
import { parseClusterNodes, type ClusterNode } from './clusterNodes.js';
import {
  parseClusterInfo,
  parseClusterShards,
  parseClusterSlots,
  type ClusterInfo,
  type ClusterShard,
  type SlotsRange,
} from './clusterReplies.js';
import { isValidSlot } from './slot.js';
import type { SlotRange } from './slotRanges.js';

function assertSlot(slot: number): void {
  if (!isValidSlot(slot)) throw new RangeError(`invalid slot ${slot}`);
}

/** Introduces another node. Asynchronous: the handshake completes over the bus afterwards. */
export async function clusterMeet(
  client: Redis,
  host: string,
  port: number,
  busPort?: number,
  opts: SendOptions = {},
): Promise<void> {
  const args: (string | number)[] = ['MEET', host, port];
  if (busPort !== undefined) args.push(busPort);
  expectOk(await send(client, 'CLUSTER', args, opts), 'CLUSTER MEET');
}

/** CLUSTER ADDSLOTSRANGE (7.0+). Fails if any slot is already assigned, to this node or another. */
export async function clusterAddSlotsRange(
  client: Redis,
  ranges: readonly SlotRange[],
  opts: SendOptions = {},
): Promise<void> {
  if (ranges.length === 0) return;
  const args: (string | number)[] = ['ADDSLOTSRANGE'];
  for (const r of ranges) {
    assertSlot(r.start);
    assertSlot(r.end);
    args.push(r.start, r.end);
  }
  expectOk(await send(client, 'CLUSTER', args, opts), 'CLUSTER ADDSLOTSRANGE');
}

/** Makes this node a replica of `nodeId` (which it must already know via gossip). */
export async function clusterReplicate(client: Redis, nodeId: string, opts: SendOptions = {}): Promise<void> {
  expectOk(await send(client, 'CLUSTER', ['REPLICATE', nodeId], opts), 'CLUSTER REPLICATE');
}

export async function clusterMyId(client: Redis, opts: SendOptions = {}): Promise<string> {
  return asString(await send(client, 'CLUSTER', ['MYID'], opts), 'CLUSTER MYID');
}

/** Valkey 8 / Redis 7.2+ only; Redis 7.0 answers "unknown subcommand". */
export async function clusterMyShardId(client: Redis, opts: SendOptions = {}): Promise<string> {
  return asString(await send(client, 'CLUSTER', ['MYSHARDID'], opts), 'CLUSTER MYSHARDID');
}

export async function clusterNodes(client: Redis, opts: SendOptions = {}): Promise<ClusterNode[]> {
  return parseClusterNodes(asString(await send(client, 'CLUSTER', ['NODES'], opts), 'CLUSTER NODES'));
}

/** Replicas of `nodeId` as this node knows them (same line format as CLUSTER NODES). */
export async function clusterReplicas(client: Redis, nodeId: string, opts: SendOptions = {}): Promise<ClusterNode[]> {
  const reply = asArray(await send(client, 'CLUSTER', ['REPLICAS', nodeId], opts), 'CLUSTER REPLICAS');
  return parseClusterNodes(reply.map((l) => asString(l, 'CLUSTER REPLICAS line')).join('\n'));
}

export async function clusterInfo(client: Redis, opts: SendOptions = {}): Promise<ClusterInfo> {
  return parseClusterInfo(asString(await send(client, 'CLUSTER', ['INFO'], opts), 'CLUSTER INFO'));
}

export async function clusterShards(client: Redis, opts: SendOptions = {}): Promise<ClusterShard[]> {
  return parseClusterShards(await send(client, 'CLUSTER', ['SHARDS'], opts));
}

export async function clusterSlots(client: Redis, opts: SendOptions = {}): Promise<SlotsRange[]> {
  return parseClusterSlots(await send(client, 'CLUSTER', ['SLOTS'], opts));
}

export type SetSlotState = 'IMPORTING' | 'MIGRATING' | 'NODE' | 'STABLE';

/**
 * CLUSTER SETSLOT. IMPORTING <source-id> on the target, MIGRATING <target-id> on the source,
 * NODE <owner-id> on both (target first) to finish, STABLE to clear a marker.
 */
export async function clusterSetSlot(
  client: Redis,
  slot: number,
  state: 'STABLE',
  nodeId?: undefined,
  opts?: SendOptions,
): Promise<void>;
export async function clusterSetSlot(
  client: Redis,
  slot: number,
  state: 'IMPORTING' | 'MIGRATING' | 'NODE',
  nodeId: string,
  opts?: SendOptions,
): Promise<void>;
export async function clusterSetSlot(
  client: Redis,
  slot: number,
  state: SetSlotState,
  nodeId?: string,
  opts: SendOptions = {},
): Promise<void> {
  assertSlot(slot);
  const args: (string | number)[] = ['SETSLOT', slot, state];
  if (state !== 'STABLE') {
    if (!nodeId) throw new TypeError(`CLUSTER SETSLOT ${state} needs a node id`);
    args.push(nodeId);
  }
  expectOk(await send(client, 'CLUSTER', args, opts), 'CLUSTER SETSLOT');
}

/** Up to `count` key names of `slot` stored on this node. */
export async function clusterGetKeysInSlot(
  client: Redis,
  slot: number,
  count: number,
  opts: SendOptions = {},
): Promise<string[]> {
  assertSlot(slot);
  return asArray(await send(client, 'CLUSTER', ['GETKEYSINSLOT', slot, count], opts), 'CLUSTER GETKEYSINSLOT').map(
    (k) => asString(k, 'key'),
  );
}

export async function clusterCountKeysInSlot(client: Redis, slot: number, opts: SendOptions = {}): Promise<number> {
  assertSlot(slot);
  return asInteger(await send(client, 'CLUSTER', ['COUNTKEYSINSLOT', slot], opts), 'CLUSTER COUNTKEYSINSLOT');
}

/** The server's own slot computation for a key (see slot.ts for the local one). */
export async function clusterKeySlot(client: Redis, key: string | Buffer, opts: SendOptions = {}): Promise<number> {
  return asInteger(await send(client, 'CLUSTER', ['KEYSLOT', key], opts), 'CLUSTER KEYSLOT');
}

/**
 * Sent to a replica: promote it. Plain waits for the master to agree and catch the replica up
 * (no data loss); FORCE skips the master handshake (master down) but still needs a majority
 * vote; TAKEOVER needs nobody (bumps the epoch unilaterally). Returns once started, not done.
 */
export async function clusterFailover(
  client: Redis,
  mode?: 'FORCE' | 'TAKEOVER',
  opts: SendOptions = {},
): Promise<void> {
  expectOk(await send(client, 'CLUSTER', mode ? ['FAILOVER', mode] : ['FAILOVER'], opts), 'CLUSTER FAILOVER');
}

/** Removes a node from this node's table for 60 s. Send to every remaining node. */
export async function clusterForget(client: Redis, nodeId: string, opts: SendOptions = {}): Promise<void> {
  expectOk(await send(client, 'CLUSTER', ['FORGET', nodeId], opts), 'CLUSTER FORGET');
}

/** SOFT keeps the node id; HARD also picks a new id and zeroes the epochs. Masters must hold no keys. */
export async function clusterReset(
  client: Redis,
  mode: 'SOFT' | 'HARD' = 'SOFT',
  opts: SendOptions = {},
): Promise<void> {
  expectOk(await send(client, 'CLUSTER', ['RESET', mode], opts), 'CLUSTER RESET');
}

export async function clusterCountFailureReports(
  client: Redis,
  nodeId: string,
  opts: SendOptions = {},
): Promise<number> {
  return asInteger(
    await send(client, 'CLUSTER', ['COUNT-FAILURE-REPORTS', nodeId], opts),
    'CLUSTER COUNT-FAILURE-REPORTS',
  );
}

/** Only accepted by a fresh node (no other known node, epoch 0). */
export async function clusterSetConfigEpoch(client: Redis, epoch: number, opts: SendOptions = {}): Promise<void> {
  expectOk(await send(client, 'CLUSTER', ['SET-CONFIG-EPOCH', epoch], opts), 'CLUSTER SET-CONFIG-EPOCH');
}

/**
 * Whether the server has atomic slot migration (CLUSTER MIGRATESLOTS, Valkey 9+). Asked of the
 * server itself via COMMAND INFO rather than inferred from a version string.
 */
export async function clusterMigrateSlotsSupported(client: Redis, opts: SendOptions = {}): Promise<boolean> {
  const reply = asArray(await send(client, 'COMMAND', ['INFO', 'CLUSTER|MIGRATESLOTS'], opts), 'COMMAND INFO');
  return reply.length > 0 && reply[0] !== null;
}

/**
 * CLUSTER MIGRATESLOTS (Valkey 9+, atomic slot migration), sent to the source: one job per
 * target, each moving whole ranges; the server copies, then hands ownership over atomically.
 * Returns once the jobs started; follow them with clusterGetSlotMigrations.
 */
export async function clusterMigrateSlots(
  client: Redis,
  jobs: ReadonlyArray<{ ranges: readonly SlotRange[]; nodeId: string }>,
  opts: SendOptions = {},
): Promise<void> {
  if (jobs.length === 0) return;
  const args: (string | number)[] = ['MIGRATESLOTS'];
  for (const job of jobs) {
    args.push('SLOTSRANGE');
    for (const r of job.ranges) {
      assertSlot(r.start);
      assertSlot(r.end);
      args.push(r.start, r.end);
    }
    args.push('NODE', job.nodeId);
  }
  expectOk(await send(client, 'CLUSTER', args, opts), 'CLUSTER MIGRATESLOTS');
}

/** One entry of CLUSTER GETSLOTMIGRATIONS (Valkey 9+), every field as the server names it (name, operation, state, ...). */
export type SlotMigrationEntry = Record<string, string>;

export async function clusterGetSlotMigrations(client: Redis, opts: SendOptions = {}): Promise<SlotMigrationEntry[]> {
  const reply = asArray(await send(client, 'CLUSTER', ['GETSLOTMIGRATIONS'], opts), 'CLUSTER GETSLOTMIGRATIONS');
  return reply.map((entry) => {
    // RESP2 flat [field, value, ...]; RESP3 would be a map, which iovalkey also hands over flat.
    const fields = asArray(entry, 'slot migration entry');
    const out: SlotMigrationEntry = {};
    for (let i = 0; i + 1 < fields.length; i += 2) out[String(fields[i])] = String(fields[i + 1]);
    return out;
  });
}

/** clusterGetKeysInSlot with the names as raw bytes: a binary key survives the round trip into MIGRATE. */
export async function clusterGetKeysInSlotRaw(
  client: Redis,
  slot: number,
  count: number,
  opts: SendOptions = {},
): Promise<Buffer[]> {
  assertSlot(slot);
  return asArray(
    await send(client, 'CLUSTER', ['GETKEYSINSLOT', slot, count], { ...opts, buffers: true }),
    'CLUSTER GETKEYSINSLOT',
  ).map((k) => {
    if (!Buffer.isBuffer(k)) throw new TypeError('CLUSTER GETKEYSINSLOT: expected bulk strings');
    return k;
  });
}
