// The one way helpers of this layer talk to a server: a per-call timeout (iovalkey only has a
// per-client one, too short for WAIT or MIGRATE and too long for PING), and errors converted to
// ValkeyError with secrets blanked.
import { Command, type Cluster, type Redis } from 'iovalkey';
import { clientContext } from './connection.js';
import { commandLabel, toValkeyError } from './errors.js';

export type CommandArg = string | number | Buffer;

export interface SendOptions {
  /** Reply timeout for this call; defaults to the client's commandTimeout. */
  timeoutMs?: number;
  /** Extra values to blank from error messages (e.g. a password passed as an argument). */
  secrets?: readonly (string | undefined)[];
  /** Return bulk strings as Buffers instead of UTF-8 strings. */
  buffers?: boolean;
}

/**
 * Sends `name args...` and resolves with the raw reply (strings, numbers, arrays, null).
 * Rejects with ValkeyReplyError / ValkeyConnectionError.
 */
export async function send<T = unknown>(
  client: Redis | Cluster,
  name: string,
  args: readonly CommandArg[] = [],
  opts: SendOptions = {},
): Promise<T> {
  const command = new Command(name.toLowerCase(), [...args], { replyEncoding: opts.buffers ? null : 'utf8' });
  // Command.setTimeout keeps the first timer it is given, so ours wins over the client default.
  if (opts.timeoutMs !== undefined) command.setTimeout(opts.timeoutMs);
  const ctx = clientContext(client);
  try {
    void client.sendCommand(command);
    return (await command.promise) as T;
  } catch (err) {
    const label = commandLabel(name, args);
    const wrapped = toValkeyError(err, {
      command: label,
      endpoint: ctx.endpoint,
      secrets: [...ctx.secrets, ...(opts.secrets ?? [])],
    });
    if (
      wrapped.kind === 'connection' &&
      ctx.lastError &&
      /Stream isn't writeable|Connection is closed/.test(String((err as Error)?.message))
    ) {
      wrapped.message += ` (last connection error: ${toValkeyError(ctx.lastError, { command: label, endpoint: null, secrets: ctx.secrets }).message.replace(/^[^:]*: /, '')})`;
    }
    throw wrapped;
  }
}

/** Reply as a string; throws when the server sent something else. */
export function asString(reply: unknown, what: string): string {
  if (typeof reply === 'string') return reply;
  if (Buffer.isBuffer(reply)) return reply.toString('utf8');
  throw new TypeError(`${what}: expected a string reply, got ${describe(reply)}`);
}

export function asInteger(reply: unknown, what: string): number {
  if (typeof reply === 'number' && Number.isInteger(reply)) return reply;
  if (typeof reply === 'string' && /^-?\d+$/.test(reply)) return Number(reply);
  throw new TypeError(`${what}: expected an integer reply, got ${describe(reply)}`);
}

export function asArray(reply: unknown, what: string): unknown[] {
  if (Array.isArray(reply)) return reply;
  throw new TypeError(`${what}: expected an array reply, got ${describe(reply)}`);
}

export function expectOk(reply: unknown, what: string): void {
  if (reply !== 'OK') throw new TypeError(`${what}: expected OK, got ${describe(reply)}`);
}

function describe(reply: unknown): string {
  if (reply === null) return 'nil';
  if (Array.isArray(reply)) return `an array of ${reply.length}`;
  const text = JSON.stringify(reply) ?? typeof reply;
  return text.length > 80 ? `${text.slice(0, 80)}...` : text;
}
