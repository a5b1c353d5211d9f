// Free loopback ports for local servers. Candidates are drawn at random from below the
// kernel's ephemeral range so neither a server port nor its cluster bus port (+10000) can be
// handed to some outgoing connection in the meantime, and so concurrent test runs rarely pick
// the same numbers. The final word is always a real bind attempt.
import { createServer } from 'node:net';
import { readFileSync } from 'node:fs';

/** Cluster bus port offset used by valkey/redis when `cluster-port` is not set. */
export const CLUSTER_BUS_OFFSET = 10000;

export const LOWEST_CANDIDATE = 10240;
const HIGHEST_PORT = 65535;

export interface FindFreePortsOptions {
  /** Ports that must not be returned (already promised to someone else). */
  avoid?: Iterable<number>;
  /** Also require port + 10000 to be free, for the cluster bus. */
  clusterBus?: boolean;
  /** Give up after this many bind attempts (default 2000). */
  maxAttempts?: number;
}

export class NoFreePortError extends Error {
  override name = 'NoFreePortError';
}

/** True when `port` can be bound on `host` right now. */
export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => {
      server.close(() => resolve(true));
    });
  });
}

function ephemeralRangeStart(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
    const n = Number(low);
    if (Number.isInteger(n) && n > LOWEST_CANDIDATE + CLUSTER_BUS_OFFSET) return n;
  } catch {
    // Not Linux: fall through to the IANA dynamic range start.
  }
  return 49152;
}

/**
 * `count` distinct ports free on `host` (and, with `clusterBus`, whose +10000 bus ports are
 * free too and not among the returned ports). Free means free at the moment of the check:
 * start the servers promptly.
 */
/**
 * Ports from here up may be handed to outgoing connections by the kernel at any moment: a port
 * found free there can be taken before the server binds it. Stay below (with `bus`, so that
 * port + 10000 stays below too).
 */
export function portCeiling(bus: boolean): number {
  return Math.min(ephemeralRangeStart(), HIGHEST_PORT + 1) - (bus ? CLUSTER_BUS_OFFSET : 0);
}

export async function findFreePorts(
  count: number,
  host = '127.0.0.1',
  opts: FindFreePortsOptions = {},
): Promise<number[]> {
  if (!Number.isInteger(count) || count < 0)
    throw new RangeError(`port count must be a non-negative integer, got ${count}`);
  const taken = new Set<number>(opts.avoid ?? []);
  const bus = opts.clusterBus === true;
  const upper = portCeiling(bus);
  const span = upper - LOWEST_CANDIDATE;
  const maxAttempts = opts.maxAttempts ?? 2000;
  const found: number[] = [];
  for (let attempt = 0; found.length < count && attempt < maxAttempts; attempt++) {
    const port = LOWEST_CANDIDATE + Math.floor(Math.random() * span);
    if (taken.has(port) || (bus && taken.has(port + CLUSTER_BUS_OFFSET))) continue;
    if (!(await isPortFree(port, host))) continue;
    if (bus && !(await isPortFree(port + CLUSTER_BUS_OFFSET, host))) continue;
    found.push(port);
    taken.add(port);
    if (bus) taken.add(port + CLUSTER_BUS_OFFSET);
  }
  if (found.length < count) {
    throw new NoFreePortError(
      `found only ${found.length} of ${count} free ports on ${host} after ${maxAttempts} attempts`,
    );
  }
  return found;
}
