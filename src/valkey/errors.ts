// Errors of the protocol layer. iovalkey attaches the full argument list of a failed command to
// its errors (`err.command.args`), which for AUTH, MIGRATE ... AUTH, CONFIG SET requirepass or
// ACL SETUSER contains a password. Nothing from iovalkey escapes this layer unwrapped: callers
// get these classes, built from the server's message with every known secret blanked out.

/** What went wrong, coarse enough for a retry decision. */
export type ValkeyErrorKind =
  | 'connection' // could not connect, connection lost, or client not connected
  | 'timeout' // no reply in time (the command may still have run)
  | 'auth' // NOAUTH / WRONGPASS / NOPERM
  | 'moved'
  | 'ask'
  | 'tryagain'
  | 'clusterdown'
  | 'crossslot'
  | 'readonly' // wrote to a replica
  | 'masterdown' // replica with replica-serve-stale-data no, link down
  | 'loading'
  | 'busy' // script/function running
  | 'noreplicas' // min-replicas-to-write not met
  | 'busykey'
  | 'nokey'
  | 'oom'
  | 'reply'; // any other error reply

const REPLY_PREFIX_KIND: ReadonlyArray<readonly [string, ValkeyErrorKind]> = [
  ['MOVED', 'moved'],
  ['ASK', 'ask'],
  ['TRYAGAIN', 'tryagain'],
  ['CLUSTERDOWN', 'clusterdown'],
  ['CROSSSLOT', 'crossslot'],
  ['READONLY', 'readonly'],
  ['MASTERDOWN', 'masterdown'],
  ['LOADING', 'loading'],
  ['BUSY', 'busy'],
  ['NOREPLICAS', 'noreplicas'],
  ['BUSYKEY', 'busykey'],
  ['NOKEY', 'nokey'],
  ['OOM', 'oom'],
  ['NOAUTH', 'auth'],
  ['WRONGPASS', 'auth'],
  ['NOPERM', 'auth'],
];

const REDACTED = '<redacted>';

/** `text` with every occurrence of every non-empty secret replaced. */
export function redact(text: string, secrets: readonly (string | undefined | null)[]): string {
  let out = text;
  // Longest first, so a secret that contains another is blanked whole.
  const sorted = secrets
    .filter((s): s is string => typeof s === 'string' && s.length > 0)
    .sort((a, b) => b.length - a.length);
  for (const secret of sorted) out = out.split(secret).join(REDACTED);
  return out;
}

/** Base class: every error thrown by src/valkey is one of these. */
export class ValkeyError extends Error {
  override name = 'ValkeyError';
  constructor(
    message: string,
    readonly kind: ValkeyErrorKind,
  ) {
    super(message);
  }
}

/** Could not reach the server, or the connection dropped, or no reply in time. */
export class ValkeyConnectionError extends ValkeyError {
  override name = 'ValkeyConnectionError';
  constructor(
    message: string,
    readonly endpoint: string | null,
    kind: 'connection' | 'timeout' | 'auth' = 'connection',
  ) {
    super(message, kind);
  }
}

/** The server answered a command with an error reply. */
export class ValkeyReplyError extends ValkeyError {
  override name = 'ValkeyReplyError';
  constructor(
    message: string,
    kind: ValkeyErrorKind,
    /** First word of the reply, e.g. "ERR", "MOVED", "WRONGTYPE". */
    readonly code: string,
    /** Command name and, for container commands, the subcommand: "CLUSTER SETSLOT". Never arguments. */
    readonly command: string,
    /** The server's error text alone (secrets blanked), without our command/endpoint prefix. */
    readonly reply: string = message,
  ) {
    super(message, kind);
  }
}

/** Classifies any error (ours, iovalkey's, a socket error) by its message. */
export function errorKind(err: unknown): ValkeyErrorKind {
  if (err instanceof ValkeyError) return err.kind;
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown } | null)?.code;
  for (const [prefix, kind] of REPLY_PREFIX_KIND) {
    if (message.startsWith(prefix + ' ') || message === prefix) return kind;
  }
  if (message === 'Command timed out' || code === 'ETIMEDOUT' || /\bETIMEDOUT\b/.test(message)) return 'timeout';
  if (
    (typeof code === 'string' && /^E[A-Z]+$/.test(code)) ||
    /Connection is closed|Stream isn't writeable|max retries per request|ECONNREFUSED|ECONNRESET|EPIPE|EHOSTUNREACH|ENOTFOUND|Socket closed|All sentinels are unreachable|Failed to refresh slots cache|None of startup nodes is available/i.test(
      message,
    )
  ) {
    return 'connection';
  }
  if (/^[A-Z]+ /.test(message) || /^ERR\b/.test(message)) return 'reply';
  return 'connection';
}

const CONTAINER_COMMANDS = new Set([
  'CLUSTER',
  'CONFIG',
  'CLIENT',
  'SENTINEL',
  'ACL',
  'COMMAND',
  'OBJECT',
  'MEMORY',
  'SCRIPT',
  'FUNCTION',
  'XINFO',
  'DEBUG',
  'MODULE',
  'SLOWLOG',
  'LATENCY',
  'PUBSUB',
]);

/** "CLUSTER SETSLOT" for container commands, "MIGRATE" otherwise. Never includes arguments. */
export function commandLabel(name: string, args: readonly unknown[]): string {
  const upper = name.toUpperCase();
  const sub = args[0];
  return CONTAINER_COMMANDS.has(upper) && typeof sub === 'string' ? `${upper} ${sub.toUpperCase()}` : upper;
}

/**
 * Converts whatever iovalkey rejected with into a ValkeyError whose message names the command
 * and endpoint but contains none of `secrets`.
 */
export function toValkeyError(
  err: unknown,
  ctx: { command: string; endpoint: string | null; secrets: readonly (string | undefined | null)[] },
): ValkeyError {
  if (err instanceof ValkeyError) return err;
  const raw = err instanceof Error ? err.message : String(err);
  const message = redact(raw, ctx.secrets);
  const kind = errorKind(err);
  const where = ctx.endpoint ? ` on ${ctx.endpoint}` : '';
  if (kind === 'connection' || kind === 'timeout') {
    const what = kind === 'timeout' ? 'timed out' : 'failed';
    return new ValkeyConnectionError(`${ctx.command}${where} ${what}: ${message}`, ctx.endpoint, kind);
  }
  const code = /^([A-Z]+)\b/.exec(message)?.[1] ?? 'ERR';
  return new ValkeyReplyError(`${ctx.command}${where}: ${message}`, kind, code, ctx.command, message);
}
