// What the consistency checker writes to, and with which credentials.
import type { Endpoint, TlsOptions } from '../valkey/connection.js';
import { endpointString } from '../valkey/connection.js';

export type CheckTarget =
  | { kind: 'standalone'; endpoint: Endpoint }
  | { kind: 'sentinel'; sentinels: Endpoint[]; masterName: string }
  | { kind: 'cluster'; nodes: Endpoint[] };

export interface CheckAuth {
  password?: string;
  username?: string;
  /** Password of the sentinels themselves, when they have requirepass. */
  sentinelPassword?: string;
  tls?: TlsOptions;
}

export function describeTarget(target: CheckTarget): string {
  switch (target.kind) {
    case 'standalone':
      return `standalone ${endpointString(target.endpoint)}`;
    case 'sentinel':
      return `sentinel master "${target.masterName}" via ${target.sentinels.map(endpointString).join(',')}`;
    case 'cluster':
      return `cluster via ${target.nodes.map(endpointString).join(',')}`;
  }
}
