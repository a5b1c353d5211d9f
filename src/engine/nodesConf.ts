// nodes.conf, the file a cluster node keeps its view of the cluster in. When every member
// comes back on a new address, the file still lists the old ones and nobody can reach anybody:
// the most common way clusters are lost. Rewriting the addresses from what we know (each
// node's id is in its own file) lets the cluster reform by itself, keys and roles intact.

export interface NodeAddress {
  host: string;
  port: number;
  busPort: number;
}

/** The id on the line flagged `myself`, or null. */
export function myselfId(text: string | null): string | null {
  if (!text) return null;
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length >= 3 && f[2]!.split(',').includes('myself')) return f[0]!;
  }
  return null;
}

/** Replaces the ip:port@bus of every node whose id is in `addresses`; keeps hostnames and aux fields. */
export function rewriteNodesConf(text: string, addresses: ReadonlyMap<string, NodeAddress>): string {
  return text
    .split('\n')
    .map((line) => {
      const f = line.split(' ');
      if (f.length < 3 || f[0] === 'vars') return line;
      const addr = addresses.get(f[0]!);
      if (!addr) return line;
      const [, ...aux] = f[1]!.split(',');
      f[1] = [`${addr.host}:${addr.port}@${addr.busPort}`, ...aux].join(',');
      return f.join(' ');
    })
    .join('\n');
}

const SHARD_ID = 'shard-id=';

/**
 * Gives every replica line the shard-id of its primary's line. Valkey 8.0 refuses to start
 * ("corrupted cluster config file") when a replica's persisted shard-id differs from its
 * primary's, which happens when a node is stopped before shard ids have converged by gossip
 * (valkey-io/valkey#774, #2171; fixed at load time upstream by #2174, after the 8.0 that
 * Debian ships). A replica always belongs to its primary's shard, so this loses nothing.
 */
export function alignShardIds(text: string): string {
  const lines = text.split('\n').map((line) => line.split(' '));
  const shardOf = new Map<string, string>();
  for (const f of lines) {
    const shard = f[1]?.split(',').find((a) => a.startsWith(SHARD_ID));
    if (f.length >= 4 && shard && !f[2]!.split(',').includes('slave')) shardOf.set(f[0]!, shard);
  }
  return lines
    .map((f) => {
      const primaryShard = f.length >= 4 && f[2]!.split(',').includes('slave') ? shardOf.get(f[3]!) : undefined;
      if (!primaryShard) return f.join(' ');
      f[1] = f[1]!
        .split(',')
        .map((a) => (a.startsWith(SHARD_ID) ? primaryShard : a))
        .join(',');
      return f.join(' ');
    })
    .join('\n');
}
