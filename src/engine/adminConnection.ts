// Connection options the engine uses for its own short administrative connections: fail fast
// (a member that does not answer within a second is treated as down), never queue, never
// reconnect behind our back.
import type { ConnectOptions } from '../valkey/connection.js';
import type { EngineContext } from './context.js';

export function adminConnection(ctx: EngineContext): ConnectOptions {
  return {
    ...(ctx.password ? { password: ctx.password } : {}),
    ...(ctx.tls ? { tls: ctx.tls } : {}),
    connectTimeoutMs: 1000,
    commandTimeoutMs: 3000,
    reconnectAttempts: 0,
  };
}
