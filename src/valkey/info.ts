// INFO parsing. Valkey 8 and Redis 7 differ in a few names (server_mode vs redis_mode,
// valkey_version next to a frozen redis_version:7.2.4); both still say "slave" in role and
// slaveN lines. The typed views hide those differences; raw sections stay available.
import type { Redis } from 'iovalkey';
import { asString, send } from './command.js';

/** Section name (lower case, e.g. "replication") -> field -> raw value. */
export type InfoSections = Record<string, Record<string, string>>;

/** Parses INFO text. Fields outside any "# Section" header land in section "". */
export function parseInfo(text: string): InfoSections {
  const sections: InfoSections = {};
  let current: Record<string, string> = {};
  sections[''] = current;
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      const name = line.slice(1).trim().toLowerCase();
      current = sections[name] ?? {};
      sections[name] = current;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    current[line.slice(0, colon)] = line.slice(colon + 1);
  }
  if (Object.keys(sections[''] ?? {}).length === 0) delete sections[''];
  return sections;
}

/** Parses "a=1,b=x" values (slaveN, dbN, master0 of sentinels, cmdstat_*). */
export function parseInfoValueList(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return out;
}

function int(fields: Record<string, string>, name: string): number | null {
  const v = fields[name];
  if (v === undefined || v === '') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

function flag(fields: Record<string, string>, name: string): boolean | null {
  const v = fields[name];
  return v === undefined ? null : v === '1';
}

// ---------------------------------------------------------------------------------------------

export type ServerMode = 'standalone' | 'sentinel' | 'cluster';
export type ServerProduct = 'valkey' | 'redis';

export interface ServerInfo {
  product: ServerProduct;
  /** Product version: valkey_version on Valkey (redis_version there is a compatibility constant). */
  version: string;
  /** redis_version as reported (7.2.4 on every Valkey 8). */
  redisCompatVersion: string;
  runId: string;
  tcpPort: number;
  mode: ServerMode;
  executable: string | null;
  configFile: string | null;
  processId: number | null;
  uptimeSeconds: number | null;
}

export function serverInfo(sections: InfoSections): ServerInfo {
  const s = sections['server'] ?? {};
  const valkeyVersion = s['valkey_version'];
  const mode = s['server_mode'] ?? s['redis_mode'] ?? 'standalone';
  if (mode !== 'standalone' && mode !== 'sentinel' && mode !== 'cluster')
    throw new Error(`unknown server mode ${mode}`);
  return {
    product: valkeyVersion !== undefined || s['server_name'] === 'valkey' ? 'valkey' : 'redis',
    version: valkeyVersion ?? s['redis_version'] ?? '',
    redisCompatVersion: s['redis_version'] ?? '',
    runId: s['run_id'] ?? '',
    tcpPort: int(s, 'tcp_port') ?? 0,
    mode,
    executable: s['executable'] || null,
    configFile: s['config_file'] || null,
    processId: int(s, 'process_id'),
    uptimeSeconds: int(s, 'uptime_in_seconds'),
  };
}

export type ReplicationRole = 'master' | 'replica';

export interface ConnectedReplica {
  ip: string;
  port: number;
  /** "online", "wait_bgsave", "send_bulk", ... */
  state: string;
  offset: number;
  lag: number;
}

export interface ReplicationInfo {
  /** INFO says "slave"; normalised to "replica". */
  role: ReplicationRole;
  masterReplid: string;
  masterReplid2: string;
  masterReplOffset: number;
  secondReplOffset: number;
  connectedReplicas: number;
  replicas: ConnectedReplica[];
  /** Replica-only fields; null on masters. */
  masterHost: string | null;
  masterPort: number | null;
  /** "up" or "down" on replicas. */
  masterLinkStatus: 'up' | 'down' | null;
  masterSyncInProgress: boolean | null;
  /** -1 while the link is down. */
  masterLastIoSecondsAgo: number | null;
  masterLinkDownSinceSeconds: number | null;
  slaveReplOffset: number | null;
  slaveReadReplOffset: number | null;
  replicaPriority: number | null;
  replicaReadOnly: boolean | null;
  /** "no-failover", "waiting-for-sync", "failover-in-progress" (FAILOVER command). */
  masterFailoverState: string | null;
}

export function replicationInfo(sections: InfoSections): ReplicationInfo {
  const r = sections['replication'] ?? {};
  const rawRole = r['role'];
  if (rawRole !== 'master' && rawRole !== 'slave' && rawRole !== 'replica') {
    throw new Error(`INFO replication has no usable role (got ${JSON.stringify(rawRole)})`);
  }
  const replicas: ConnectedReplica[] = [];
  for (const [key, value] of Object.entries(r)) {
    if (!/^slave\d+$/.test(key)) continue;
    const f = parseInfoValueList(value);
    replicas.push({
      ip: f['ip'] ?? '',
      port: Number(f['port'] ?? 0),
      state: f['state'] ?? '',
      offset: Number(f['offset'] ?? 0),
      lag: Number(f['lag'] ?? 0),
    });
  }
  const link = r['master_link_status'];
  return {
    role: rawRole === 'master' ? 'master' : 'replica',
    masterReplid: r['master_replid'] ?? '',
    masterReplid2: r['master_replid2'] ?? '',
    masterReplOffset: int(r, 'master_repl_offset') ?? 0,
    secondReplOffset: int(r, 'second_repl_offset') ?? -1,
    connectedReplicas: int(r, 'connected_slaves') ?? replicas.length,
    replicas,
    masterHost: r['master_host'] ?? null,
    masterPort: int(r, 'master_port'),
    masterLinkStatus: link === 'up' || link === 'down' ? link : null,
    masterSyncInProgress: flag(r, 'master_sync_in_progress'),
    masterLastIoSecondsAgo: int(r, 'master_last_io_seconds_ago'),
    masterLinkDownSinceSeconds: int(r, 'master_link_down_since_seconds'),
    slaveReplOffset: int(r, 'slave_repl_offset'),
    slaveReadReplOffset: int(r, 'slave_read_repl_offset'),
    replicaPriority: int(r, 'slave_priority') ?? int(r, 'replica_priority'),
    replicaReadOnly: flag(r, 'slave_read_only') ?? flag(r, 'replica_read_only'),
    masterFailoverState: r['master_failover_state'] ?? null,
  };
}

export interface PersistenceInfo {
  loading: boolean;
  asyncLoading: boolean;
  rdbBgsaveInProgress: boolean;
  rdbLastBgsaveStatus: string | null;
  rdbChangesSinceLastSave: number | null;
  rdbLastSaveTime: number | null;
  aofEnabled: boolean;
  aofRewriteInProgress: boolean;
  aofRewriteScheduled: boolean;
  aofLastWriteStatus: string | null;
  aofLastBgrewriteStatus: string | null;
}

export function persistenceInfo(sections: InfoSections): PersistenceInfo {
  const p = sections['persistence'] ?? {};
  return {
    loading: flag(p, 'loading') ?? false,
    asyncLoading: flag(p, 'async_loading') ?? false,
    rdbBgsaveInProgress: flag(p, 'rdb_bgsave_in_progress') ?? false,
    rdbLastBgsaveStatus: p['rdb_last_bgsave_status'] ?? null,
    rdbChangesSinceLastSave: int(p, 'rdb_changes_since_last_save'),
    rdbLastSaveTime: int(p, 'rdb_last_save_time'),
    aofEnabled: flag(p, 'aof_enabled') ?? false,
    aofRewriteInProgress: flag(p, 'aof_rewrite_in_progress') ?? false,
    aofRewriteScheduled: flag(p, 'aof_rewrite_scheduled') ?? false,
    aofLastWriteStatus: p['aof_last_write_status'] ?? null,
    aofLastBgrewriteStatus: p['aof_last_bgrewrite_status'] ?? null,
  };
}

export interface KeyspaceDb {
  db: number;
  keys: number;
  expires: number;
  avgTtl: number;
}

export function keyspaceInfo(sections: InfoSections): KeyspaceDb[] {
  const k = sections['keyspace'] ?? {};
  const out: KeyspaceDb[] = [];
  for (const [key, value] of Object.entries(k)) {
    const m = /^db(\d+)$/.exec(key);
    if (!m) continue;
    const f = parseInfoValueList(value);
    out.push({
      db: Number(m[1]),
      keys: Number(f['keys'] ?? 0),
      expires: Number(f['expires'] ?? 0),
      avgTtl: Number(f['avg_ttl'] ?? 0),
    });
  }
  return out.sort((a, b) => a.db - b.db);
}

// ---------------------------------------------------------------------------------------------

/**
 * True when a replica is a safe failover target relative to `masterOffset` (the master's
 * master_repl_offset, read after writes were paused): link up, no sync in progress, and every
 * byte up to the master's offset processed.
 */
export function isSyncedReplica(info: ReplicationInfo, masterOffset: number): boolean {
  return (
    info.role === 'replica' &&
    info.masterLinkStatus === 'up' &&
    info.masterSyncInProgress === false &&
    info.slaveReplOffset !== null &&
    info.slaveReplOffset >= masterOffset
  );
}

// ---------------------------------------------------------------------------------------------

export interface FetchOptions {
  timeoutMs?: number;
}

/** INFO [section...], parsed. "everything" or no section for the default set. */
export async function fetchInfo(
  client: Redis,
  sections: readonly string[] = [],
  opts: FetchOptions = {},
): Promise<InfoSections> {
  const reply = await send(client, 'INFO', sections, opts);
  return parseInfo(asString(reply, 'INFO'));
}

export async function fetchReplication(client: Redis, opts: FetchOptions = {}): Promise<ReplicationInfo> {
  return replicationInfo(await fetchInfo(client, ['replication'], opts));
}
