// Sentinel and cluster commands answer with flat [key, value, key, value...] arrays.

/** Pairs up a flat key/value array. Values that are not strings are kept as they are. */
export function pairsToObject(reply: unknown, what: string): Record<string, unknown> {
  if (!Array.isArray(reply) || reply.length % 2 !== 0) throw new TypeError(`${what}: expected a flat key/value array`);
  const out: Record<string, unknown> = {};
  for (let i = 0; i < reply.length; i += 2) out[String(reply[i])] = reply[i + 1];
  return out;
}

/** A scalar reply field as text: nil and absent read as ''; an array or map where a scalar belongs is a protocol error. */
export function replyText(v: unknown, what: string): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (Buffer.isBuffer(v)) return v.toString();
  throw new TypeError(`${what}: expected a scalar, got ${Array.isArray(v) ? 'an array' : typeof v}`);
}

/** Like pairsToObject, with every value as a string (sentinel replies are all strings). */
export function pairsToStrings(reply: unknown, what: string): Record<string, string> {
  const obj = pairsToObject(reply, what);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj)) out[k] = replyText(v, `${what} ${k}`);
  return out;
}

export function numberField(fields: Record<string, string>, name: string): number | null {
  const v = fields[name];
  if (v === undefined || v === '' || v === '?') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}
