// Clients for the checker. Unlike the operator's short-lived connections these must ride
// through failovers: reconnect without limit (the writer itself is bounded in time), re-resolve
// the master through sentinels, follow MOVED/ASK, and drop a connection whose server turned
// into a replica. Nothing is queued or replayed, so every write has exactly one outcome.
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'iovalkey';
import { toTlsConnectionOptions } from '../valkey/connection.js';
import { watchSentinelMaster, type SentinelMasterWatch } from './sentinelMasterWatch.js';
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

/** How often a sentinel-mode client checks that it is on the master the sentinels agree on. */
const MASTER_WATCH_INTERVAL_MS = 250;
const watches = new WeakMap<CheckClient, SentinelMasterWatch>();

export function createCheckClient(target: CheckTarget, auth: CheckAuth, o: CheckClientOptions): CheckClient {
  const base = baseOptions(auth, o);
  let client: CheckClient;
  if (target.kind === 'standalone') {
    client = new Redis({
      ...base,
      host: target.endpoint.host,
      port: target.endpoint.port,
      enableOfflineQueue: false,
      enableReadyCheck: false,
      lazyConnect: true,
    });
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
      // No failoverDetector (+switch-master subscription): when its message arrives while the
      // client is asking a sentinel for the master (reconnecting after a crash), it disconnects
      // the connector mid-resolve, connect() rejects with "Connection is closed." and the client
      // ends for good, retryStrategy never consulted. A crashed master drops the connection by
      // itself, READONLY reconnects (reconnectOnError), and watchSentinelMaster moves a ready
      // client off a master that a planned failover left running.
      failoverDetector: false,
      lazyConnect: true,
    };
    if (auth.sentinelPassword !== undefined) options.sentinelPassword = auth.sentinelPassword;
    if (auth.tls) {
      options.enableTLSForSentinelMode = true;
      const tls = toTlsConnectionOptions(auth.tls);
      if (tls) options.sentinelTLS = tls;
    }
    const redis = new Redis(options);
    const sentinelOptions: RedisOptions = {
      connectTimeout: o.connectTimeoutMs,
      commandTimeout: Math.min(500, o.commandTimeoutMs),
      retryStrategy: () => o.reconnectDelayMs * 4,
    };
    if (auth.sentinelPassword !== undefined) sentinelOptions.password = auth.sentinelPassword;
    if (auth.tls) {
      const tls = toTlsConnectionOptions(auth.tls);
      if (tls) sentinelOptions.tls = tls;
    }
    watches.set(
      redis,
      watchSentinelMaster(redis, {
        sentinels: target.sentinels,
        masterName: target.masterName,
        sentinelOptions,
        intervalMs: MASTER_WATCH_INTERVAL_MS,
      }),
    );
    client = redis;
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
      // Few hops: a write to a shard that is down must fail soon, not hold a worker for seconds.
      maxRedirections: 3,
      slotsRefreshTimeout: Math.min(1000, o.commandTimeoutMs),
      // No periodic refresh: iovalkey re-arms that timer from a refresh still in flight when the
      // client is disconnected, which keeps the process alive for ever. MOVED replies and
      // connection errors trigger a refresh anyway, and that is what a failover produces.
      slotsRefreshInterval: 0,
      lazyConnect: true,
      enableAutoPipelining: o.autoPipelining === true,
    };
    client = new Cluster(
      target.nodes.map((e) => ({ host: e.host, port: e.port })),
      options,
    );
  }
  // Errors reach us through the commands; without a listener iovalkey prints them to stderr.
  client.on('error', () => undefined);
  return client;
}

/** Best-effort close that never throws or waits long. */
export function closeCheckClient(client: CheckClient): void {
  watches.get(client)?.stop();
  try {
    client.disconnect();
  } catch {
    // already closed
  }
}
