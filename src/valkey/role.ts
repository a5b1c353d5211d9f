// ROLE: the cheapest authoritative answer to "what is this server right now".
import type { Redis } from 'iovalkey';
import { asArray, asInteger, asString, send, type SendOptions } from './command.js';

export interface MasterRole {
  role: 'master';
  replicationOffset: number;
  replicas: Array<{ host: string; port: number; offset: number }>;
}

export interface ReplicaRole {
  role: 'replica';
  masterHost: string;
  masterPort: number;
  /** "connect" | "connecting" | "sync" | "connected" | "handshake" ... */
  state: string;
  /** Replication offset processed so far; -1 before the first sync. */
  offset: number;
}

export interface SentinelRole {
  role: 'sentinel';
  masterNames: string[];
}

export type Role = MasterRole | ReplicaRole | SentinelRole;

/** Parses a ROLE reply (the server says "slave"; normalised to "replica"). */
export function parseRole(reply: unknown): Role {
  const parts = asArray(reply, 'ROLE');
  const kind = asString(parts[0], 'ROLE kind');
  if (kind === 'master') {
    return {
      role: 'master',
      replicationOffset: asInteger(parts[1], 'ROLE master offset'),
      replicas: asArray(parts[2] ?? [], 'ROLE replicas').map((r) => {
        const [host, port, offset] = asArray(r, 'ROLE replica');
        return {
          host: asString(host, 'replica host'),
          port: asInteger(port, 'replica port'),
          offset: asInteger(offset, 'replica offset'),
        };
      }),
    };
  }
  if (kind === 'slave' || kind === 'replica') {
    return {
      role: 'replica',
      masterHost: asString(parts[1], 'ROLE master host'),
      masterPort: asInteger(parts[2], 'ROLE master port'),
      state: asString(parts[3], 'ROLE state'),
      offset: asInteger(parts[4], 'ROLE offset'),
    };
  }
  if (kind === 'sentinel') {
    return {
      role: 'sentinel',
      masterNames: asArray(parts[1] ?? [], 'ROLE masters').map((n) => asString(n, 'master name')),
    };
  }
  throw new TypeError(`ROLE: unknown role ${JSON.stringify(kind)}`);
}

export async function role(client: Redis, opts: SendOptions = {}): Promise<Role> {
  return parseRole(await send(client, 'ROLE', [], opts));
}
