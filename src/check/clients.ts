// Clients for the checker. Unlike the operator's short-lived connections these must ride
// through failovers: reconnect without limit (the writer itself is bounded in time), re-resolve
// the master through sentinels, follow MOVED/ASK, and drop a connection whose server turned
// into a replica. Nothing is queued or replayed, so every write has exactly one outcome.
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'iovalkey';
import { toTlsConnectionOptions } from '../valkey/connection.js';
import type { CheckAuth, CheckTarget } from './target.js';

export type CheckClient = Redis | Cluster;

export interface CheckClientOptions {
  connectTimeoutMs: number;
  commandTimeoutMs: number;
  /** Delay between reconnect attempts. */
  reconnectDelayMs: number;
  /** Batch concurrent commands per node (used for read-back, not for the writer). */
  autoPipelining?: boolean;
}

function baseOptions(auth: CheckAuth, o: CheckClientOptions): RedisOptions {
  const options: RedisOptions = {
    connectTimeout: o.connectTimeoutMs,
    commandTimeout: o.commandTimeoutMs,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    retryStrategy: () => o.reconnectDelayMs,
    // A master demoted under us answers READONLY: reconnect, which re-resolves the master.
    reconnectOnError: (err) => (/^(READONLY|MASTERDOWN)/.test(err.message) ? 1 : false),
  };
  if (auth.password !== undefined) options.password = auth.password;
  if (auth.username !== undefined) options.username = auth.username;
  const tls = toTlsConnectionOptions(auth.tls);
  if (tls) options.tls = tls;
  return options;
}

export function createCheckClient(target: CheckTarget, auth: CheckAuth, o: CheckClientOptions): CheckClient {
  const base = baseOptions(auth, o);
  let client: CheckClient;
  if (target.kind === 'standalone') {
    client = new Redis({ ...base, host: target.endpoint.host, port: target.endpoint.port, enableOfflineQueue: false, enableReadyCheck: false, lazyConnect: true });
  } else if (target.kind === 'sentinel') {
    const options: RedisOptions = {
      ...base,
      sentinels: target.sentinels.map((e) => ({ host: e.host, port: e.port })),
      name: target.masterName,
      role: 'master',
      enableOfflineQueue: false,
      // The ready check is where iovalkey verifies the resolved server really is a master.
      enableReadyCheck: true,
      sentinelRetryStrategy: () => o.reconnectDelayMs,
      sentinelCommandTimeout: o.commandTimeoutMs,
      // Subscribes to +switch-master so a planned failover is noticed without waiting for an error.
      failoverDetector: true,
      lazyConnect: true,
    };
    if (auth.sentinelPassword !== undefined) options.sentinelPassword = auth.sentinelPassword;
    if (auth.tls) {
      options.enableTLSForSentinelMode = true;
      const tls = toTlsConnectionOptions(auth.tls);
      if (tls) options.sentinelTLS = tls;
    }
    client = new Redis(options);
  } else {
    const { retryStrategy: _r, ...nodeOptions } = base;
    const options: ClusterOptions = {
      redisOptions: nodeOptions,
      clusterRetryStrategy: () => o.reconnectDelayMs,
      enableOfflineQueue: true,
      enableReadyCheck: true,
      retryDelayOnFailover: 50,
      retryDelayOnClusterDown: 50,
      retryDelayOnTryAgain: 20,
      retryDelayOnMoved: 0,
      maxRedirections: 16,
      slotsRefreshTimeout: Math.min(1000, o.commandTimeoutMs),
      slotsRefreshInterval: 1000,
      lazyConnect: true,
      enableAutoPipelining: o.autoPipelining === true,
    };
    client = new Cluster(target.nodes.map((e) => ({ host: e.host, port: e.port })), options);
  }
  // Errors reach us through the commands; without a listener iovalkey prints them to stderr.
  client.on('error', () => undefined);
  return client;
}

/** Best-effort close that never throws or waits long. */
export function closeCheckClient(client: CheckClient): void {
  try {
    client.disconnect();
  } catch {
    // already closed
  }
}
