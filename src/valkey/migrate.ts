// MIGRATE of a batch of keys (legacy slot migration moves keys this way between SETSLOT steps).
// The server pipelines the batch to the target and deletes each key from the source as soon as
// the target accepted it, so a failed batch can be partly done: re-read the slot and retry.
import type { Redis } from 'iovalkey';
import { send } from './command.js';
import type { Endpoint } from './connection.js';
import { ValkeyReplyError } from './errors.js';

export interface MigrateOptions {
  /** Max idle time of the transfer (server side), ms. */
  timeoutMs: number;
  /** Overwrite keys that already exist on the target (else BUSYKEY). */
  replace?: boolean;
  /** Keep the keys on the source. */
  copy?: boolean;
  /** Credentials of the target (AUTH2 when a username is given). */
  auth?: { password: string; username?: string };
  /** Client-side reply timeout; defaults to timeoutMs + 5 s. */
  replyTimeoutMs?: number;
}

export type MigrateResult =
  /** Every existing key of the batch was transferred (missing ones skipped). */
  | { outcome: 'migrated' }
  /** None of the keys existed on the source. */
  | { outcome: 'nokey' }
  /** A key already exists on the target and `replace` was not set; earlier keys may have moved. */
  | { outcome: 'busykey'; message: string };

export function migrateArgs(
  target: Endpoint,
  keys: readonly (string | Buffer)[],
  opts: MigrateOptions,
): (string | number | Buffer)[] {
  const args: (string | number | Buffer)[] = [target.host, target.port, '', 0, opts.timeoutMs];
  if (opts.copy) args.push('COPY');
  if (opts.replace) args.push('REPLACE');
  if (opts.auth) {
    if (opts.auth.username !== undefined) args.push('AUTH2', opts.auth.username, opts.auth.password);
    else args.push('AUTH', opts.auth.password);
  }
  args.push('KEYS', ...keys);
  return args;
}

/**
 * MIGRATE host port "" 0 timeout [COPY] [REPLACE] [AUTH pw | AUTH2 user pw] KEYS k1 k2 ...
 * Other failures (IOERR on timeout or unreachable target, ERR Target instance replied with
 * error: NOAUTH ...) are thrown as ValkeyReplyError with the target password blanked.
 */
export async function migrateKeys(
  client: Redis,
  target: Endpoint,
  keys: readonly (string | Buffer)[],
  opts: MigrateOptions,
): Promise<MigrateResult> {
  if (keys.length === 0) return { outcome: 'nokey' };
  try {
    const reply = await send(client, 'MIGRATE', migrateArgs(target, keys, opts), {
      timeoutMs: opts.replyTimeoutMs ?? opts.timeoutMs + 5000,
      secrets: [opts.auth?.password],
    });
    if (reply === 'OK') return { outcome: 'migrated' };
    if (reply === 'NOKEY') return { outcome: 'nokey' };
    throw new TypeError(`MIGRATE: unexpected reply ${JSON.stringify(reply)}`);
  } catch (err) {
    // The target's refusal comes wrapped: "ERR Target instance replied with error: BUSYKEY ...".
    if (err instanceof ValkeyReplyError && (err.kind === 'busykey' || /\bBUSYKEY\b/.test(err.message)))
      return { outcome: 'busykey', message: err.message };
    throw err;
  }
}

export type KeyCopyComparison = 'absent-on-target' | 'absent-on-source' | 'same' | 'different';

/**
 * How each key's copy on `source` compares with its copy on `target` (DUMP payloads, so type,
 * value and encoding all count), in the order of `keys`. Reads on the target are sent with
 * ASKING: during a migration the target serves an importing slot only to clients sent there.
 */
export async function compareKeyCopies(
  source: Redis,
  target: Redis,
  keys: readonly (string | Buffer)[],
): Promise<KeyCopyComparison[]> {
  const dumps = async (c: Redis, asking: boolean) =>
    Promise.all(
      keys.map(async (k) => {
        if (asking) void send(c, 'ASKING').catch(() => undefined);
        return send<Buffer | null>(c, 'DUMP', [k], { buffers: true });
      }),
    );
  const [s, t] = await Promise.all([dumps(source, false), dumps(target, true)]);
  return keys.map((_, i) => {
    const a = s[i] ?? null;
    const b = t[i] ?? null;
    return a === null
      ? 'absent-on-source'
      : b === null
        ? 'absent-on-target'
        : Buffer.compare(a, b) === 0
          ? 'same'
          : 'different';
  });
}
