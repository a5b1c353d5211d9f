// Connections to one server (or sentinel) with defaults fit for an operator: nothing is queued
// while disconnected, a dropped connection fails in-flight commands at once instead of replaying
// them on reconnect (a replayed write is worse than a failed one), reconnects are few and short,
// and connect() only resolves once the server has accepted our credentials.
import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import { Redis, type RedisOptions } from 'iovalkey';
import { ValkeyConnectionError, errorKind, redact } from './errors.js';

export type Endpoint = { host: string; port: number };

export interface TlsOptions {
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  servername?: string;
  /** Default true. Only for tests against self-signed servers without a CA at hand. */
  rejectUnauthorized?: boolean;
}

export interface ConnectOptions {
  password?: string;
  username?: string;
  tls?: TlsOptions;
  /** Whole connect (TCP + TLS + AUTH + first PING). Default 2000 ms. */
  connectTimeoutMs?: number;
  /** Default per-command reply timeout. Default 10000 ms; individual calls may override. */
  commandTimeoutMs?: number;
  /** Reconnect attempts after an established connection drops. Default 3; 0 disables. */
  reconnectAttempts?: number;
  /** Shown in CLIENT LIST, to tell operator connections apart. */
  connectionName?: string;
}

export type ValkeyClient = Redis;

export const DEFAULT_CONNECT_TIMEOUT_MS = 2000;
export const DEFAULT_COMMAND_TIMEOUT_MS = 10_000;
const DEFAULT_RECONNECT_ATTEMPTS = 3;

/** "host:port", with IPv6 hosts in brackets. */
export function endpointString(endpoint: Endpoint): string {
  return endpoint.host.includes(':') ? `[${endpoint.host}]:${endpoint.port}` : `${endpoint.host}:${endpoint.port}`;
}

export function toTlsConnectionOptions(tls: TlsOptions | undefined): TlsConnectionOptions | undefined {
  if (!tls) return undefined;
  const out: TlsConnectionOptions = {};
  if (tls.ca !== undefined) out.ca = tls.ca;
  if (tls.cert !== undefined) out.cert = tls.cert;
  if (tls.key !== undefined) out.key = tls.key;
  if (tls.servername !== undefined) out.servername = tls.servername;
  if (tls.rejectUnauthorized !== undefined) out.rejectUnauthorized = tls.rejectUnauthorized;
  return out;
}

/** Bounded, short backoff: 50, 100, 200 ... ms, capped at 1 s. */
export function boundedRetryStrategy(maxAttempts: number): (times: number) => number | null {
  return (times) => (times > maxAttempts ? null : Math.min(50 * 2 ** (times - 1), 1000));
}

/**
 * The iovalkey options behind connect(), also the base for the sentinel-aware and cluster
 * clients of other modules, so every client of the product behaves alike.
 */
export function operatorClientOptions(opts: ConnectOptions = {}): RedisOptions {
  const options: RedisOptions = {
    lazyConnect: true,
    enableOfflineQueue: false,
    // With 0, a dropped connection rejects everything in flight immediately ...
    maxRetriesPerRequest: 0,
    // ... and nothing is silently re-sent after a reconnect.
    autoResendUnfulfilledCommands: false,
    // INFO-based ready check would hide LOADING and needs the INFO permission; connect() pings instead.
    enableReadyCheck: false,
    connectTimeout: opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    commandTimeout: opts.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
    retryStrategy: boundedRetryStrategy(opts.reconnectAttempts ?? DEFAULT_RECONNECT_ATTEMPTS),
  };
  if (opts.password !== undefined) options.password = opts.password;
  if (opts.username !== undefined) options.username = opts.username;
  if (opts.connectionName !== undefined) options.connectionName = opts.connectionName;
  const tls = toTlsConnectionOptions(opts.tls);
  if (tls) options.tls = tls;
  return options;
}

interface ClientContext {
  endpoint: string;
  secrets: string[];
  lastError: Error | null;
}

const contexts = new WeakMap<object, ClientContext>();

/** Endpoint and secrets of a client made here, for error messages. */
export function clientContext(client: object): ClientContext {
  return contexts.get(client) ?? { endpoint: 'unknown', secrets: [], lastError: null };
}

/**
 * Registers `client` so errors can name its endpoint without leaking `secrets`, and installs the
 * error listener iovalkey needs to not print unhandled errors to stderr. Errors still reach
 * callers through the commands that fail.
 */
export function trackClient(
  client: Redis | import('iovalkey').Cluster,
  endpoint: string,
  secrets: (string | undefined)[],
): void {
  const ctx: ClientContext = { endpoint, secrets: secrets.filter((s): s is string => !!s), lastError: null };
  contexts.set(client, ctx);
  client.on('error', (err: Error) => {
    ctx.lastError = err;
  });
}

/**
 * A connected, authenticated client. Rejects with ValkeyConnectionError (kind 'connection',
 * 'timeout' or 'auth') within connectTimeoutMs. A server that is still loading its dataset
 * counts as connected: its LOADING state is for the caller to inspect.
 */
export async function connect(endpoint: Endpoint, opts: ConnectOptions = {}): Promise<ValkeyClient> {
  const where = endpointString(endpoint);
  const secrets = [opts.password];
  const client = new Redis({ ...operatorClientOptions(opts), host: endpoint.host, port: endpoint.port });
  trackClient(client, where, secrets);
  const timeoutMs = opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new ValkeyConnectionError(`connect to ${where} timed out after ${timeoutMs} ms`, where, 'timeout')),
      timeoutMs,
    );
  });
  try {
    await Promise.race([client.connect(), deadline]);
    // AUTH is pipelined ahead of this PING, so a bad password fails the PING.
    await Promise.race([
      client.ping().catch((err: unknown) => {
        if (errorKind(err) !== 'loading') throw err;
      }),
      deadline,
    ]);
    return client;
  } catch (err) {
    client.disconnect();
    throw connectError(err, client, where, secrets);
  } finally {
    clearTimeout(timer);
  }
}

function connectError(
  err: unknown,
  client: object,
  where: string,
  secrets: (string | undefined)[],
): ValkeyConnectionError {
  if (err instanceof ValkeyConnectionError) return err;
  const kind = errorKind(err);
  const lastError = clientContext(client).lastError;
  // "Connection is closed." says nothing, and a PING refused with NOAUTH hides the WRONGPASS
  // that AUTH got: the error event carries the cause.
  const underlying =
    lastError &&
    (/Connection is closed/.test(err instanceof Error ? err.message : '') ||
      (kind === 'auth' && errorKind(lastError) === 'auth'))
      ? lastError
      : err;
  const message = redact(underlying instanceof Error ? underlying.message : String(underlying), secrets);
  if (kind === 'auth') return new ValkeyConnectionError(`authentication to ${where} failed: ${message}`, where, 'auth');
  return new ValkeyConnectionError(
    `cannot connect to ${where}: ${message}`,
    where,
    errorKind(underlying) === 'timeout' ? 'timeout' : 'connection',
  );
}

/**
 * QUIT, falling back to a hard disconnect when the server does not answer within `timeoutMs`.
 * Resolves once the client has reached status "end" (socket closed, no reconnect pending).
 */
export async function closeClient(client: Redis, timeoutMs = 1000): Promise<void> {
  if (client.status === 'end') return;
  if (client.status !== 'ready' && client.status !== 'connect' && client.status !== 'connecting') {
    // Between reconnect attempts no socket is open and no 'end' event would come.
    client.disconnect();
    return;
  }
  const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
  let timer: NodeJS.Timeout | undefined;
  const giveUp = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
  });
  try {
    if (client.status === 'ready') await Promise.race([client.quit().catch(() => undefined), giveUp]);
    client.disconnect();
    await Promise.race([ended, giveUp]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs `fn` with a fresh connection that is always closed afterwards, whatever `fn` does. */
export async function withClient<T>(
  endpoint: Endpoint,
  opts: ConnectOptions,
  fn: (client: ValkeyClient) => Promise<T>,
): Promise<T> {
  const client = await connect(endpoint, opts);
  try {
    return await fn(client);
  } finally {
    await closeClient(client);
  }
}
