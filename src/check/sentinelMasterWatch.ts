// Keeps a sentinel-mode checker client on the master the sentinels agree on. A planned failover
// (SENTINEL FAILOVER) leaves the old master running and writable: Sentinel converts it to a
// replica, killing its clients, only some 8 s later, and until then a client that only reacts
// to errors keeps writing to it. iovalkey's own answer, failoverDetector, can end the client for
// good (see clients.ts), so this asks the sentinels instead, every intervalMs, and reconnects only
// a client that is ready: never one in the middle of resolving the master, which is the race.
import { isIP } from 'node:net';
import { Redis, type RedisOptions } from 'iovalkey';
import type { Endpoint } from '../valkey/connection.js';

export interface SentinelMasterWatchOptions {
  sentinels: Endpoint[];
  masterName: string;
  /** Options for the connections to the sentinels (auth, TLS, timeouts). */
  sentinelOptions: RedisOptions;
  intervalMs: number;
}

export interface SentinelMasterWatch {
  /** Times the client was sent to re-resolve because the sentinels moved the master. */
  switches(): number;
  stop(): void;
}

/** The address a majority of all sentinels reports as master, or null without a majority. */
export function majorityMaster(reports: (Endpoint | null)[], sentinelCount: number): Endpoint | null {
  const counts = new Map<string, { at: Endpoint; n: number }>();
  for (const r of reports) {
    if (!r) continue;
    const key = `${r.host}:${r.port}`;
    const entry = counts.get(key) ?? { at: r, n: 0 };
    entry.n++;
    counts.set(key, entry);
  }
  for (const { at, n } of counts.values()) if (n > sentinelCount / 2) return at;
  return null;
}

/**
 * Whether the socket is connected to `master`. Sentinels may announce hostnames, which the
 * socket does not know: then only the port is compared.
 */
export function connectedTo(
  socket: { remoteAddress?: string | undefined; remotePort?: number | undefined },
  master: Endpoint,
): boolean {
  if (socket.remotePort !== master.port) return false;
  if (!isIP(master.host) || !socket.remoteAddress) return true;
  return socket.remoteAddress.replace(/^::ffff:/, '') === master.host;
}

export function watchSentinelMaster(client: Redis, o: SentinelMasterWatchOptions): SentinelMasterWatch {
  const sentinels = o.sentinels.map((e) => {
    const c = new Redis({
      ...o.sentinelOptions,
      host: e.host,
      port: e.port,
      lazyConnect: false,
      enableOfflineQueue: false,
      enableReadyCheck: false,
      maxRetriesPerRequest: 0,
    });
    c.on('error', () => undefined);
    return c;
  });
  let stopped = false;
  let switches = 0;
  let timer: NodeJS.Timeout | undefined;

  const ask = async (c: Redis): Promise<Endpoint | null> => {
    try {
      const reply = await c.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', o.masterName);
      return Array.isArray(reply) && reply.length >= 2 ? { host: String(reply[0]), port: Number(reply[1]) } : null;
    } catch {
      return null;
    }
  };

  const tick = async (): Promise<void> => {
    const master = majorityMaster(await Promise.all(sentinels.map(ask)), sentinels.length);
    if (stopped || !master) return;
    // Only a ready client: disconnecting one that is resolving the master would end it for good.
    if (client.status === 'ready' && !connectedTo(client.stream, master)) {
      switches++;
      client.disconnect(true);
    }
  };

  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(() => void tick().finally(schedule), o.intervalMs);
  };
  schedule();

  return {
    switches: () => switches,
    stop() {
      stopped = true;
      clearTimeout(timer);
      for (const c of sentinels) c.disconnect();
    },
  };
}
