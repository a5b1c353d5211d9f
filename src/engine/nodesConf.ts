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
