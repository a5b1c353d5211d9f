// SENTINEL commands, replies parsed into typed objects. Field names follow the server's, in
// camelCase, with "slave" spelled "replica"; `fields` keeps the raw reply for anything else.
import type { Redis } from 'iovalkey';
import { asArray, asInteger, asString, expectOk, send, type SendOptions } from './command.js';
import type { Endpoint } from './connection.js';
import { errorKind, ValkeyReplyError } from './errors.js';
import { numberField, pairsToStrings } from './kv.js';

export interface SentinelFlags {
  /** As reported, e.g. ["s_down", "master", "disconnected"]. */
  list: string[];
  master: boolean;
  replica: boolean;
  sentinel: boolean;
  /** Subjectively down (this sentinel's view). */
  sDown: boolean;
  /** Objectively down (quorum agreed). */
  oDown: boolean;
  disconnected: boolean;
  masterDown: boolean;
  failoverInProgress: boolean;
  /** Replica chosen for promotion in the running failover. */
  promoted: boolean;
  reconfSent: boolean;
  reconfInProgress: boolean;
  reconfDone: boolean;
}

export function parseSentinelFlags(text: string): SentinelFlags {
  const list = text.split(',').filter(Boolean);
  const has = (f: string): boolean => list.includes(f);
  return {
    list,
    master: has('master'),
    replica: has('slave') || has('replica'),
    sentinel: has('sentinel'),
    sDown: has('s_down'),
    oDown: has('o_down'),
    disconnected: has('disconnected'),
    masterDown: has('master_down'),
    failoverInProgress: has('failover_in_progress'),
    promoted: has('promoted'),
    reconfSent: has('reconf_sent'),
    reconfInProgress: has('reconf_inprog'),
    reconfDone: has('reconf_done'),
  };
}

interface SentinelInstanceBase {
  name: string;
  ip: string;
  port: number;
  runId: string;
  flags: SentinelFlags;
  linkPendingCommands: number | null;
  lastPingSentMs: number | null;
  lastOkPingReplyMs: number | null;
  lastPingReplyMs: number | null;
  downAfterMs: number | null;
  /** Raw reply, for fields not modelled here. */
  fields: Record<string, string>;
}

export interface SentinelMasterState extends SentinelInstanceBase {
  infoRefreshMs: number | null;
  roleReported: string | null;
  roleReportedTimeMs: number | null;
  configEpoch: number;
  numReplicas: number;
  numOtherSentinels: number;
  quorum: number;
  failoverTimeoutMs: number | null;
  parallelSyncs: number | null;
  /** Present while subjectively down. */
  sDownTimeMs: number | null;
  oDownTimeMs: number | null;
  /** Present during a failover, e.g. "wait_start", "select_slave", "reconf_slaves". */
  failoverState: string | null;
}

export interface SentinelReplicaState extends SentinelInstanceBase {
  infoRefreshMs: number | null;
  roleReported: string | null;
  masterLinkDownTimeMs: number | null;
  /** "ok" or "err". */
  masterLinkStatus: string | null;
  masterHost: string | null;
  masterPort: number | null;
  replicaPriority: number | null;
  replicaReplOffset: number | null;
  replicaAnnounced: boolean | null;
}

export interface SentinelPeerState extends SentinelInstanceBase {
  lastHelloMessageMs: number | null;
  /** Run id this peer voted for as failover leader, or null ("?"). */
  votedLeader: string | null;
  votedLeaderEpoch: number | null;
}

function base(f: Record<string, string>): SentinelInstanceBase {
  return {
    name: f['name'] ?? '',
    ip: f['ip'] ?? '',
    port: numberField(f, 'port') ?? 0,
    runId: f['runid'] ?? '',
    flags: parseSentinelFlags(f['flags'] ?? ''),
    linkPendingCommands: numberField(f, 'link-pending-commands'),
    lastPingSentMs: numberField(f, 'last-ping-sent'),
    lastOkPingReplyMs: numberField(f, 'last-ok-ping-reply'),
    lastPingReplyMs: numberField(f, 'last-ping-reply'),
    downAfterMs: numberField(f, 'down-after-milliseconds'),
    fields: f,
  };
}

export function parseSentinelMaster(reply: unknown): SentinelMasterState {
  const f = pairsToStrings(reply, 'SENTINEL MASTER');
  return {
    ...base(f),
    infoRefreshMs: numberField(f, 'info-refresh'),
    roleReported: f['role-reported'] ?? null,
    roleReportedTimeMs: numberField(f, 'role-reported-time'),
    configEpoch: numberField(f, 'config-epoch') ?? 0,
    numReplicas: numberField(f, 'num-slaves') ?? 0,
    numOtherSentinels: numberField(f, 'num-other-sentinels') ?? 0,
    quorum: numberField(f, 'quorum') ?? 0,
    failoverTimeoutMs: numberField(f, 'failover-timeout'),
    parallelSyncs: numberField(f, 'parallel-syncs'),
    sDownTimeMs: numberField(f, 's-down-time'),
    oDownTimeMs: numberField(f, 'o-down-time'),
    failoverState: f['failover-state'] ?? null,
  };
}

export function parseSentinelReplica(reply: unknown): SentinelReplicaState {
  const f = pairsToStrings(reply, 'SENTINEL REPLICAS entry');
  const announced = f['replica-announced'];
  return {
    ...base(f),
    infoRefreshMs: numberField(f, 'info-refresh'),
    roleReported: f['role-reported'] ?? null,
    masterLinkDownTimeMs: numberField(f, 'master-link-down-time'),
    masterLinkStatus: f['master-link-status'] ?? null,
    masterHost: f['master-host'] || null,
    masterPort: numberField(f, 'master-port'),
    replicaPriority: numberField(f, 'slave-priority') ?? numberField(f, 'replica-priority'),
    replicaReplOffset: numberField(f, 'slave-repl-offset') ?? numberField(f, 'replica-repl-offset'),
    replicaAnnounced: announced === undefined ? null : announced === '1',
  };
}

export function parseSentinelPeer(reply: unknown): SentinelPeerState {
  const f = pairsToStrings(reply, 'SENTINEL SENTINELS entry');
  const voted = f['voted-leader'];
  return {
    ...base(f),
    lastHelloMessageMs: numberField(f, 'last-hello-message'),
    votedLeader: voted && voted !== '?' ? voted : null,
    votedLeaderEpoch: numberField(f, 'voted-leader-epoch'),
  };
}

export interface QuorumCheck {
  ok: boolean;
  /** Usable sentinels counted by the answering sentinel, when it says. */
  usable: number | null;
  message: string;
}

/** Parses the CKQUORUM reply text (the OK status or the NOQUORUM error message). */
export function parseCkquorum(message: string): QuorumCheck {
  const m = /^(OK|NOQUORUM) (\d+) usable/.exec(message);
  return { ok: message.startsWith('OK'), usable: m?.[2] !== undefined ? Number(m[2]) : null, message };
}

// ---------------------------------------------------------------------------------------------

/** Start monitoring a master. Fails with a reply error if `name` is already monitored. */
export async function sentinelMonitor(
  client: Redis,
  name: string,
  host: string,
  port: number,
  quorum: number,
  opts: SendOptions = {},
): Promise<void> {
  expectOk(await send(client, 'SENTINEL', ['MONITOR', name, host, port, quorum], opts), 'SENTINEL MONITOR');
}

/** Sentinel options whose values are credentials and must not show in errors. */
const SECRET_SENTINEL_OPTIONS = new Set(['auth-pass', 'auth-user']);

/**
 * SENTINEL SET name k1 v1 k2 v2 ... in one command (down-after-milliseconds, failover-timeout,
 * parallel-syncs, quorum, auth-pass, auth-user, notification-script ...).
 */
export async function sentinelSet(
  client: Redis,
  name: string,
  settings: Record<string, string | number>,
  opts: SendOptions = {},
): Promise<void> {
  const entries = Object.entries(settings);
  if (entries.length === 0) return;
  const args: (string | number)[] = ['SET', name];
  const secrets: string[] = [];
  for (const [k, v] of entries) {
    args.push(k, v);
    if (SECRET_SENTINEL_OPTIONS.has(k.toLowerCase())) secrets.push(String(v));
  }
  expectOk(
    await send(client, 'SENTINEL', args, { ...opts, secrets: [...(opts.secrets ?? []), ...secrets] }),
    'SENTINEL SET',
  );
}

/** Sentinel's own global options whose values are credentials. */
const SECRET_SENTINEL_CONFIG = new Set(['sentinel-pass', 'sentinel-user']);

/**
 * SENTINEL CONFIG SET for the sentinel's global options (sentinel-pass, sentinel-user,
 * announce-ip, resolve-hostnames, ...). Credential values are blanked from any error.
 */
export async function sentinelConfigSet(
  client: Redis,
  option: string,
  value: string,
  opts: SendOptions = {},
): Promise<void> {
  const secrets = SECRET_SENTINEL_CONFIG.has(option.toLowerCase()) ? [value] : [];
  expectOk(
    await send(client, 'SENTINEL', ['CONFIG', 'SET', option, value], {
      ...opts,
      secrets: [...(opts.secrets ?? []), ...secrets],
    }),
    'SENTINEL CONFIG SET',
  );
}

/**
 * Forces a failover without asking other sentinels. Resolves when the failover has been
 * started (not finished): watch getMasterAddrByName for the switch. Rejects with kind 'reply'
 * and code NOGOODSLAVE when no replica qualifies, INPROG when one is already running.
 */
export async function sentinelFailover(client: Redis, name: string, opts: SendOptions = {}): Promise<void> {
  expectOk(await send(client, 'SENTINEL', ['FAILOVER', name], opts), 'SENTINEL FAILOVER');
}

/** Forgets replicas/sentinels of matching masters (glob pattern). Returns how many masters were reset. */
export async function sentinelReset(client: Redis, pattern: string, opts: SendOptions = {}): Promise<number> {
  return asInteger(await send(client, 'SENTINEL', ['RESET', pattern], opts), 'SENTINEL RESET');
}

export async function sentinelRemove(client: Redis, name: string, opts: SendOptions = {}): Promise<void> {
  expectOk(await send(client, 'SENTINEL', ['REMOVE', name], opts), 'SENTINEL REMOVE');
}

/** Current master address as this sentinel sees it, or null if the name is unknown. */
export async function getMasterAddrByName(
  client: Redis,
  name: string,
  opts: SendOptions = {},
): Promise<Endpoint | null> {
  const reply = await send(client, 'SENTINEL', ['GET-MASTER-ADDR-BY-NAME', name], opts);
  if (reply === null) return null;
  const [host, port] = asArray(reply, 'SENTINEL GET-MASTER-ADDR-BY-NAME');
  return { host: asString(host, 'master host'), port: asInteger(port, 'master port') };
}

export async function sentinelMaster(
  client: Redis,
  name: string,
  opts: SendOptions = {},
): Promise<SentinelMasterState> {
  return parseSentinelMaster(await send(client, 'SENTINEL', ['MASTER', name], opts));
}

export async function sentinelMasters(client: Redis, opts: SendOptions = {}): Promise<SentinelMasterState[]> {
  return asArray(await send(client, 'SENTINEL', ['MASTERS'], opts), 'SENTINEL MASTERS').map(parseSentinelMaster);
}

export async function sentinelReplicas(
  client: Redis,
  name: string,
  opts: SendOptions = {},
): Promise<SentinelReplicaState[]> {
  return asArray(await send(client, 'SENTINEL', ['REPLICAS', name], opts), 'SENTINEL REPLICAS').map(
    parseSentinelReplica,
  );
}

/** The other sentinels this one knows for `name` (never includes itself). */
export async function sentinelSentinels(
  client: Redis,
  name: string,
  opts: SendOptions = {},
): Promise<SentinelPeerState[]> {
  return asArray(await send(client, 'SENTINEL', ['SENTINELS', name], opts), 'SENTINEL SENTINELS').map(
    parseSentinelPeer,
  );
}

/** Whether the sentinels can currently reach quorum and authorise a failover for `name`. */
export async function sentinelCkquorum(client: Redis, name: string, opts: SendOptions = {}): Promise<QuorumCheck> {
  try {
    return parseCkquorum(asString(await send(client, 'SENTINEL', ['CKQUORUM', name], opts), 'SENTINEL CKQUORUM'));
  } catch (err) {
    if (err instanceof ValkeyReplyError && err.code === 'NOQUORUM') return parseCkquorum(err.reply);
    throw err;
  }
}

/** Rewrites the sentinel config file with the current state. */
export async function sentinelFlushConfig(client: Redis, opts: SendOptions = {}): Promise<void> {
  expectOk(await send(client, 'SENTINEL', ['FLUSHCONFIG'], opts), 'SENTINEL FLUSHCONFIG');
}

/** This sentinel's id (the run id other sentinels know it by). */
export async function sentinelMyId(client: Redis, opts: SendOptions = {}): Promise<string> {
  return asString(await send(client, 'SENTINEL', ['MYID'], opts), 'SENTINEL MYID');
}

/** True when the error means the sentinel does not monitor that master name. */
export function isUnknownMasterError(err: unknown): boolean {
  return errorKind(err) === 'reply' && /No such master with that name/i.test(err instanceof Error ? err.message : '');
}
