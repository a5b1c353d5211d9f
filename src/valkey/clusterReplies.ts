// Parsers for CLUSTER INFO, CLUSTER SHARDS and CLUSTER SLOTS replies.
import { asArray } from './command.js';
import { pairsToObject, replyText } from './kv.js';
import type { SlotRange } from './slotRanges.js';

export interface ClusterInfo {
  state: 'ok' | 'fail';
  slotsAssigned: number;
  slotsOk: number;
  slotsPfail: number;
  slotsFail: number;
  knownNodes: number;
  /** Masters serving at least one slot. */
  size: number;
  currentEpoch: number;
  myEpoch: number;
  /** Every field as reported (stats counters, cluster_my_shard_id ...). */
  fields: Record<string, string>;
}

export function parseClusterInfo(text: string): ClusterInfo {
  const fields: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) fields[line.slice(0, colon)] = line.slice(colon + 1).trim();
  }
  const n = (name: string): number => Number(fields[name] ?? 0);
  return {
    state: fields['cluster_state'] === 'ok' ? 'ok' : 'fail',
    slotsAssigned: n('cluster_slots_assigned'),
    slotsOk: n('cluster_slots_ok'),
    slotsPfail: n('cluster_slots_pfail'),
    slotsFail: n('cluster_slots_fail'),
    knownNodes: n('cluster_known_nodes'),
    size: n('cluster_size'),
    currentEpoch: n('cluster_current_epoch'),
    myEpoch: n('cluster_my_epoch'),
    fields,
  };
}

export interface ShardNode {
  id: string;
  port: number | null;
  tlsPort: number | null;
  ip: string;
  /** What clients are told to use (ip, hostname or "?" depending on cluster-preferred-endpoint-type). */
  endpoint: string;
  hostname: string | null;
  role: 'master' | 'replica';
  replicationOffset: number;
  health: 'online' | 'failed' | 'loading';
}

export interface ClusterShard {
  slots: SlotRange[];
  nodes: ShardNode[];
}

function num(v: unknown): number | null {
  if (v === undefined || v === null) return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

export function parseClusterShards(reply: unknown): ClusterShard[] {
  return asArray(reply, 'CLUSTER SHARDS').map((shardReply) => {
    const shard = pairsToObject(shardReply, 'CLUSTER SHARDS entry');
    const flat = asArray(shard['slots'] ?? [], 'CLUSTER SHARDS slots').map(Number);
    const slots: SlotRange[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) slots.push({ start: flat[i] as number, end: flat[i + 1] as number });
    const nodes = asArray(shard['nodes'] ?? [], 'CLUSTER SHARDS nodes').map((nodeReply): ShardNode => {
      const f = pairsToObject(nodeReply, 'CLUSTER SHARDS node');
      const health = replyText(f['health'], 'CLUSTER SHARDS health') || 'failed';
      return {
        id: replyText(f['id'], 'CLUSTER SHARDS id'),
        port: num(f['port']),
        tlsPort: num(f['tls-port']),
        ip: replyText(f['ip'], 'CLUSTER SHARDS ip'),
        endpoint: replyText(f['endpoint'], 'CLUSTER SHARDS endpoint'),
        hostname: replyText(f['hostname'], 'CLUSTER SHARDS hostname') || null,
        role: f['role'] === 'master' ? 'master' : 'replica',
        replicationOffset: num(f['replication-offset']) ?? 0,
        health: health === 'online' || health === 'loading' ? health : 'failed',
      };
    });
    return { slots, nodes };
  });
}

export interface SlotsNode {
  /** Preferred endpoint (ip, hostname, or "?"/"" when unknown). */
  host: string;
  port: number;
  id: string;
  /** Extra networking metadata, e.g. { ip: "10.0.0.1" } when the endpoint is a hostname. */
  metadata: Record<string, string>;
}

export interface SlotsRange extends SlotRange {
  master: SlotsNode;
  replicas: SlotsNode[];
}

export function parseClusterSlots(reply: unknown): SlotsRange[] {
  return asArray(reply, 'CLUSTER SLOTS').map((entry) => {
    const [start, end, ...nodeReplies] = asArray(entry, 'CLUSTER SLOTS entry');
    const nodes = nodeReplies.map((n): SlotsNode => {
      const [host, port, id, meta] = asArray(n, 'CLUSTER SLOTS node');
      const metadata: Record<string, string> = {};
      if (Array.isArray(meta))
        for (const [k, v] of Object.entries(pairsToObject(meta, 'CLUSTER SLOTS metadata')))
          metadata[k] = replyText(v, `CLUSTER SLOTS metadata ${k}`);
      return {
        host: replyText(host, 'CLUSTER SLOTS host'),
        port: Number(port),
        id: replyText(id, 'CLUSTER SLOTS id'),
        metadata,
      };
    });
    const [master, ...replicas] = nodes;
    if (!master) throw new TypeError('CLUSTER SLOTS entry without a master');
    return { start: Number(start), end: Number(end), master, replicas };
  });
}
