// What every engine operation works with: the resolved instance, the platform it runs on,
// the credentials, and somewhere to report progress.
import type { Instance } from '../api/instance.js';
import type { Endpoint, MemberPlacement, Platform } from '../platform/platform.js';
import type { TlsOptions } from '../valkey/connection.js';

export interface EngineContext {
  inst: Instance;
  platform: Platform;
  password: string | null;
  /** TLS for the engine's own connections, where the servers require it (the operator's pods). */
  tls?: TlsOptions;
  /** Progress lines for humans; never receives secrets. */
  log: (line: string) => void;
  timeoutMs: number;
}

export const endpointKey = (e: Endpoint) => `${e.host}:${e.port}`;

/** Whether `e` names the member placed at `p`: its address, or the name it announces. */
export const isAt = (p: MemberPlacement, e: Endpoint): boolean =>
  endpointKey(p) === endpointKey(e) ||
  (p.hostname !== undefined && endpointKey({ host: p.hostname, port: p.port }) === endpointKey(e));

/** Which member listens at an address (or announces that name), if any of ours does. */
export function memberAt(ctx: EngineContext, members: readonly string[], e: Endpoint): string | null {
  return members.find((m) => isAt(ctx.platform.placement(m), e)) ?? null;
}
