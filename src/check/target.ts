// What the consistency checker writes to, and with which credentials.
import type { Endpoint, TlsOptions } from '../valkey/connection.js';
import { endpointString } from '../valkey/connection.js';

/**
 * Where the checker really reaches an address the servers announce ("host:port"), when it cannot
 * reach it as announced: a pod's DNS name, from outside the cluster. Undefined: as announced.
 */
export type AddressMap = (hostPort: string) => Endpoint | undefined;

export type CheckTarget =
  | { kind: 'standalone'; endpoint: Endpoint }
  | { kind: 'sentinel'; sentinels: Endpoint[]; masterName: string; addressMap?: AddressMap }
  | { kind: 'cluster'; nodes: Endpoint[]; addressMap?: AddressMap };

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
