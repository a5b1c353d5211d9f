// Subscriptions to +switch-master on every sentinel of every SENTINEL instance, so a failover
// queues the instance at once and the role labels (the master Service) follow within a
// reconcile, not within the next resync. A subscription that ends (sentinel gone, new IP) is
// dropped and made again from the next reconcile's view of the sentinels.
import { createHash } from 'node:crypto';
import { Redis } from 'iovalkey';
import type { Endpoint } from '../platform/platform.js';
import { operatorClientOptions, type TlsOptions } from '../valkey/connection.js';

export interface SentinelTargets {
  endpoints: Endpoint[];
  password: string | null;
  tls?: TlsOptions;
}

export class SentinelEvents {
  private readonly subs = new Map<string, { signature: string; clients: Redis[] }>();
  private stopped = false;

  constructor(
    private readonly onSwitch: (key: string) => void,
    private readonly log: (line: string) => void,
  ) {}

  /** Watches these sentinels for `key`, replacing what watched other addresses before. */
  ensure(key: string, t: SentinelTargets): void {
    // A reconcile that was running when the operator stopped must not open new connections.
    if (this.stopped) return;
    // A rotated password is a new subscription too: a reconnect with the old one would be refused.
    const signature = [
      ...t.endpoints.map((e) => `${e.host}:${e.port}`).sort(),
      createHash('sha256')
        .update(t.password ?? '')
        .digest('hex'),
    ].join(',');
    const current = this.subs.get(key);
    if (current?.signature === signature) return;
    this.drop(key);
    const clients = t.endpoints.map((e) => {
      const c = new Redis({
        ...operatorClientOptions({
          ...(t.password ? { password: t.password } : {}),
          ...(t.tls ? { tls: t.tls } : {}),
          connectionName: 'rk-operator-events',
        }),
        host: e.host,
        port: e.port,
        lazyConnect: false,
        // SUBSCRIBE is sent while the connection is still being made (a sentinel pod may not
        // listen yet): it waits for the connection, across reconnects, which go on until the
        // subscription is dropped (a new set of sentinel addresses, or stop).
        enableOfflineQueue: true,
        maxRetriesPerRequest: null,
        retryStrategy: (times: number) => Math.min(times * 200, 2000),
        // A subscriber waits for messages: no command timeout.
        commandTimeout: undefined,
      });
      c.on('error', () => undefined); // reconnects are bounded; an ended client is dropped below
      c.on('end', () => {
        if (this.subs.get(key)?.clients.includes(c)) this.drop(key);
      });
      c.on('message', (channel: string) => {
        if (channel === '+switch-master') {
          this.log(`${key}: +switch-master from ${e.host}:${e.port}`);
          this.onSwitch(key);
        }
      });
      c.subscribe('+switch-master').catch((err: unknown) => {
        this.log(`${key}: cannot subscribe to ${e.host}:${e.port}: ${(err as Error).message}`);
        // Made again from the next reconcile.
        if (this.subs.get(key)?.clients.includes(c)) this.drop(key);
      });
      return c;
    });
    this.subs.set(key, { signature, clients });
  }

  drop(key: string): void {
    const s = this.subs.get(key);
    if (!s) return;
    this.subs.delete(key);
    for (const c of s.clients) c.disconnect();
  }

  stop(): void {
    this.stopped = true;
    for (const key of [...this.subs.keys()]) this.drop(key);
  }
}
