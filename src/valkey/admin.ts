// Server administration: config, pauses, replication control, durability waits, shutdown.
import type { Redis } from 'iovalkey';
import { asInteger, asString, expectOk, send, type SendOptions } from './command.js';
import type { Endpoint } from './connection.js';
import { errorKind } from './errors.js';
import { pairsToStrings } from './kv.js';

export async function ping(client: Redis, opts: SendOptions = {}): Promise<void> {
  const reply = await send(client, 'PING', [], opts);
  if (reply !== 'PONG') throw new TypeError(`PING: unexpected reply ${JSON.stringify(reply)}`);
}

export async function dbsize(client: Redis, opts: SendOptions = {}): Promise<number> {
  return asInteger(await send(client, 'DBSIZE', [], opts), 'DBSIZE');
}

/** Config parameters whose values are credentials. */
const SECRET_PARAMETERS = new Set([
  'requirepass',
  'masterauth',
  'masteruser',
  'tls-key-file-pass',
  'tls-client-key-file-pass',
]);

/** CONFIG GET for one or more patterns; values are strings exactly as the server reports them. */
export async function configGet(
  client: Redis,
  patterns: string | readonly string[],
  opts: SendOptions = {},
): Promise<Record<string, string>> {
  const list = typeof patterns === 'string' ? [patterns] : [...patterns];
  return pairsToStrings(await send(client, 'CONFIG', ['GET', ...list], opts), 'CONFIG GET');
}

/** CONFIG SET of several parameters at once (atomic: all or none, 7.0+). */
export async function configSet(
  client: Redis,
  settings: Record<string, string | number>,
  opts: SendOptions = {},
): Promise<void> {
  const entries = Object.entries(settings);
  if (entries.length === 0) return;
  const args: (string | number)[] = ['SET'];
  const secrets: string[] = [];
  for (const [k, v] of entries) {
    args.push(k, v);
    if (SECRET_PARAMETERS.has(k.toLowerCase())) secrets.push(String(v));
  }
  expectOk(
    await send(client, 'CONFIG', args, { ...opts, secrets: [...(opts.secrets ?? []), ...secrets] }),
    'CONFIG SET',
  );
}

/** Persists the running config into the config file the server was started with. */
export async function configRewrite(client: Redis, opts: SendOptions = {}): Promise<void> {
  expectOk(await send(client, 'CONFIG', ['REWRITE'], opts), 'CONFIG REWRITE');
}

/** Blocks write commands from normal clients for `ms` (replication keeps flowing). */
export async function clientPauseWrite(client: Redis, ms: number, opts: SendOptions = {}): Promise<void> {
  expectOk(await send(client, 'CLIENT', ['PAUSE', Math.max(0, Math.round(ms)), 'WRITE'], opts), 'CLIENT PAUSE');
}

export async function clientUnpause(client: Redis, opts: SendOptions = {}): Promise<void> {
  expectOk(await send(client, 'CLIENT', ['UNPAUSE'], opts), 'CLIENT UNPAUSE');
}

/**
 * WAIT numreplicas timeout: how many replicas acknowledged every write this connection made so
 * far. timeoutMs must be > 0 (0 would block forever).
 */
export async function waitReplicas(
  client: Redis,
  numReplicas: number,
  timeoutMs: number,
  opts: SendOptions = {},
): Promise<number> {
  if (!(timeoutMs > 0)) throw new RangeError('waitReplicas needs a positive timeout (WAIT 0 blocks forever)');
  return asInteger(
    await send(client, 'WAIT', [numReplicas, Math.round(timeoutMs)], { timeoutMs: timeoutMs + 2000, ...opts }),
    'WAIT',
  );
}

/** REPLICAOF host port, or REPLICAOF NO ONE for null (promote). */
export async function replicaOf(client: Redis, master: Endpoint | null, opts: SendOptions = {}): Promise<void> {
  const args = master ? [master.host, master.port] : ['NO', 'ONE'];
  const reply = asString(await send(client, 'REPLICAOF', args, opts), 'REPLICAOF');
  // "OK", or "OK Already connected to specified master".
  if (!reply.startsWith('OK')) throw new TypeError(`REPLICAOF: unexpected reply ${reply}`);
}

export interface FailoverOptions {
  /** Replica to promote; default: the server picks one. */
  to?: Endpoint;
  /** With `to` and timeoutMs: promote even if not caught up when the timeout hits. */
  force?: boolean;
  /** Give up (or force) after this long. */
  timeoutMs?: number;
}

/**
 * FAILOVER (6.2+), sent to a master: pauses writes, waits for a replica to catch up, swaps roles.
 * Returns once started; the swap completes asynchronously (watch ROLE / master_failover_state).
 */
export async function failover(client: Redis, opts: FailoverOptions = {}, sendOpts: SendOptions = {}): Promise<void> {
  const args: (string | number)[] = [];
  if (opts.to) {
    args.push('TO', opts.to.host, opts.to.port);
    if (opts.force) args.push('FORCE');
  }
  if (opts.timeoutMs !== undefined) args.push('TIMEOUT', Math.round(opts.timeoutMs));
  expectOk(await send(client, 'FAILOVER', args, sendOpts), 'FAILOVER');
}

/**
 * ACL SETUSER with the given rules, e.g. ["on", ">secret", "~*", "+@all"]. Password rules
 * (>pw, <pw, #hash, !hash) are blanked from any error.
 */
export async function aclSetUser(
  client: Redis,
  username: string,
  rules: readonly string[],
  opts: SendOptions = {},
): Promise<void> {
  const secrets = rules.filter((r) => /^[<>#!]/.test(r)).flatMap((r) => [r, r.slice(1)]);
  expectOk(
    await send(client, 'ACL', ['SETUSER', username, ...rules], {
      ...opts,
      secrets: [...(opts.secrets ?? []), ...secrets],
    }),
    'ACL SETUSER',
  );
}

export interface ShutdownOptions {
  /** SAVE forces an RDB save even without save points; NOSAVE skips it. Default: config decides. */
  save?: 'SAVE' | 'NOSAVE';
  /** Skip waiting for lagging replicas (shutdown-timeout). */
  now?: boolean;
  /** Ignore errors that would stop the shutdown (e.g. failed save). */
  force?: boolean;
}

/**
 * SHUTDOWN. A successful shutdown closes the connection without a reply; that close is the
 * success signal. Rejects with the server's error when it refuses (e.g. cannot save).
 */
export async function shutdown(client: Redis, opts: ShutdownOptions = {}, sendOpts: SendOptions = {}): Promise<void> {
  const args: string[] = [];
  if (opts.save) args.push(opts.save);
  if (opts.now) args.push('NOW');
  if (opts.force) args.push('FORCE');
  try {
    await send(client, 'SHUTDOWN', args, sendOpts);
  } catch (err) {
    if (errorKind(err) === 'connection') return;
    throw err;
  }
}
