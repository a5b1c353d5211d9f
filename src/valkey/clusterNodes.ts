// CLUSTER NODES parser. Line format (valkey 8 / redis 7):
//   <id> <ip>:<port>@<bus-port>[,<hostname>[,<aux>=<value>...]] <flags> <master-id|-> <ping-sent>
//   <pong-recv> <config-epoch> <link-state> <slot|start-end|[slot->-id]|[slot-<-id]> ...
// The ip is empty ("":port) while a node does not yet know its own address.
import { parseRange, type SlotRange } from './slotRanges.js';

export interface ClusterNodeFlags {
  /** As reported, e.g. ["myself", "master"]. */
  list: string[];
  myself: boolean;
  master: boolean;
  replica: boolean;
  /** "fail?": this node suspects it is down. */
  pfail: boolean;
  /** "fail": the cluster agreed it is down. */
  fail: boolean;
  handshake: boolean;
  noaddr: boolean;
  nofailover: boolean;
}

export interface SlotMigration {
  slot: number;
  /** The other side of the migration. */
  nodeId: string;
}

export interface ClusterNode {
  id: string;
  /** IP as announced (cluster-announce-ip) or seen; "" when unknown yet. */
  host: string;
  port: number;
  busPort: number;
  /** cluster-announce-hostname, when set. */
  hostname: string | null;
  /** Extra key=value fields after the hostname (shard-id, tls-port ...), if the server sends them. */
  aux: Record<string, string>;
  flags: ClusterNodeFlags;
  role: 'master' | 'replica';
  /** For replicas, the id of their master. */
  masterId: string | null;
  /** Epoch ms of the pending ping, 0 when none. */
  pingSent: number;
  /** Epoch ms of the last pong received. */
  pongRecv: number;
  configEpoch: number;
  linkState: 'connected' | 'disconnected';
  /** Owned slots (migrating/importing markers not included). */
  slots: SlotRange[];
  /** Slots this node is moving out (only reported by the node itself, on its "myself" line). */
  migrating: SlotMigration[];
  /** Slots this node is receiving (only on its "myself" line). */
  importing: SlotMigration[];
}

export function parseClusterNodeFlags(text: string): ClusterNodeFlags {
  const list = text === 'noflags' ? [] : text.split(',').filter(Boolean);
  const has = (f: string): boolean => list.includes(f);
  return {
    list,
    myself: has('myself'),
    master: has('master'),
    replica: has('slave') || has('replica'),
    pfail: has('fail?'),
    fail: has('fail'),
    handshake: has('handshake'),
    noaddr: has('noaddr'),
    nofailover: has('nofailover'),
  };
}

function parseAddress(text: string): Pick<ClusterNode, 'host' | 'port' | 'busPort' | 'hostname' | 'aux'> {
  const [address = '', ...extras] = text.split(',');
  const m = /^(.*):(\d+)@(\d+)$/.exec(address);
  if (!m) throw new Error(`bad CLUSTER NODES address ${JSON.stringify(text)}`);
  let host = m[1] ?? '';
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  let hostname: string | null = null;
  const aux: Record<string, string> = {};
  extras.forEach((extra, i) => {
    const eq = extra.indexOf('=');
    if (i === 0 && eq === -1) hostname = extra === '' ? null : extra;
    else if (eq > 0) aux[extra.slice(0, eq)] = extra.slice(eq + 1);
  });
  return { host, port: Number(m[2]), busPort: Number(m[3]), hostname, aux };
}

/** Parses one CLUSTER NODES line. */
export function parseClusterNodeLine(line: string): ClusterNode {
  const parts = line.trim().split(' ');
  if (parts.length < 8) throw new Error(`bad CLUSTER NODES line ${JSON.stringify(line)}`);
  const [
    id = '',
    address = '',
    flagText = '',
    master = '',
    pingSent = '',
    pongRecv = '',
    epoch = '',
    link = '',
    ...slotTokens
  ] = parts;
  const flags = parseClusterNodeFlags(flagText);
  const node: ClusterNode = {
    id,
    ...parseAddress(address),
    flags,
    role: flags.replica ? 'replica' : 'master',
    masterId: master === '-' ? null : master,
    pingSent: Number(pingSent),
    pongRecv: Number(pongRecv),
    configEpoch: Number(epoch),
    linkState: link === 'connected' ? 'connected' : 'disconnected',
    slots: [],
    migrating: [],
    importing: [],
  };
  for (const token of slotTokens) {
    if (token === '') continue;
    const marker = /^\[(\d+)-([<>])-([0-9a-f]+)\]$/.exec(token);
    if (marker) {
      const entry = { slot: Number(marker[1]), nodeId: marker[3] ?? '' };
      (marker[2] === '>' ? node.migrating : node.importing).push(entry);
    } else {
      node.slots.push(parseRange(token));
    }
  }
  return node;
}

/** Parses the whole CLUSTER NODES reply (CLUSTER REPLICAS uses the same format). */
export function parseClusterNodes(text: string): ClusterNode[] {
  return text
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '')
    .map(parseClusterNodeLine);
}

/** Replicas of `masterId`, in reply order. */
export function replicasOf(nodes: readonly ClusterNode[], masterId: string): ClusterNode[] {
  return nodes.filter((n) => n.role === 'replica' && n.masterId === masterId);
}
