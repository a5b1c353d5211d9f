// Turning what the API server (or the network) says into one line a person can act on. The CLI
// prints error messages verbatim, so every message built here is single-line and secret-free.

/** A failure with a message that is already fit for the user; main prints it as "error: …". */
export class KubeError extends Error {
  constructor(message: string) {
    super(oneLine(message));
    this.name = 'KubeError';
  }
}

/** The API server answered with a non-2xx status. */
export class KubeApiError extends KubeError {
  constructor(
    readonly status: number,
    readonly reason: string,
    readonly apiMessage: string,
    readonly method: string,
    readonly path: string,
    readonly causes: Array<{ field?: string; message?: string; reason?: string }> = [],
    /** Where and as whom, for 401 messages (the API server cannot tell us who we failed to be). */
    readonly server = '',
    readonly kubeUser = '',
  ) {
    // 401 means the same whatever we asked; anything else gets its wording from explain().
    super(
      status === 401
        ? unauthorized(server, kubeUser, apiMessage)
        : `the API server refused ${method} ${path}: ${status} ${reason}: ${apiMessage}`,
    );
    this.name = 'KubeApiError';
  }
}

/** The request never got an HTTP answer (refused, DNS, TLS, timeout). */
export class KubeUnreachableError extends KubeError {
  constructor(
    readonly server: string,
    readonly detail: string,
  ) {
    super(`cannot reach the Kubernetes API at ${server}: ${detail}`);
    this.name = 'KubeUnreachableError';
  }
}

export const isNotFound = (e: unknown): e is KubeApiError => e instanceof KubeApiError && e.status === 404;

/** One field another manager owns with a different value than the one we apply. */
export interface FieldConflict {
  field: string;
  manager: string;
}
export interface ObjectConflicts {
  object: string;
  conflicts: FieldConflict[];
}

/**
 * The fields a 409 to a server-side apply names, from details.causes. Each cause reads
 * `{"reason":"FieldManagerConflict","field":".data.x","message":"conflict with \"kubectl-edit\" using v1"}`;
 * the top-level message says the same in several lines, harder to take apart.
 */
export function fieldConflicts(e: KubeApiError): FieldConflict[] {
  if (e.status !== 409) return [];
  return e.causes
    .filter((c) => c.reason === 'FieldManagerConflict' && c.field)
    .map((c) => ({ field: c.field!, manager: managerOf(c.message ?? '') }));
}

/** The manager from Go's %q-quoted name; the "using v1" / "with subresource" tail does not help the user. */
function managerOf(message: string): string {
  const quoted = /^conflict with ("(?:[^"\\]|\\.)*")/.exec(message)?.[1];
  if (!quoted) return message.replace(/^conflict with /, '') || 'another field manager';
  try {
    return JSON.parse(quoted) as string;
  } catch {
    return quoted.slice(1, -1);
  }
}

/**
 * Fields of ours that someone else changed (kubectl edit, another controller, another apply).
 * Server-side apply without force refuses to take them over; this says where, who, and how to
 * take them over anyway, for any number of objects, in one line.
 */
export class ConflictError extends KubeError {
  constructor(readonly objects: ObjectConflicts[]) {
    const n = objects.reduce((k, o) => k + o.conflicts.length, 0);
    super(`${describeConflicts(objects)}; re-run with --force-conflicts to take ${n === 1 ? 'it' : 'them'} over`);
    this.name = 'ConflictError';
  }

  static merge(errors: ConflictError[]): ConflictError {
    return new ConflictError(errors.flatMap((e) => e.objects));
  }
}

/** 'field ownership conflict: ConfigMap demo/x has .data.a, .data.b set by field manager "kubectl-edit"; Service demo/y has …'. */
export function describeConflicts(objects: ObjectConflicts[]): string {
  const perObject = objects.map(({ object, conflicts }) => {
    const byManager = new Map<string, string[]>();
    for (const c of conflicts) byManager.set(c.manager, [...(byManager.get(c.manager) ?? []), c.field]);
    const groups = [...byManager].map(
      ([m, fields]) => `${fields.join(', ')} set by field manager ${JSON.stringify(m)}`,
    );
    return `${object} has ${groups.join(' and ')}`;
  });
  return `field ownership conflict: ${perObject.join('; ')}`;
}

export function oneLine(s: string, max = 1000): string {
  const flat = s.replace(/\s*\n\s*/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** Replaces every known secret value (and its base64 form, as it appears in Secret data) with ***. */
export function scrub(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const s of secrets) {
    if (s.length < 4) continue; // too short to scrub without mangling ordinary text
    for (const form of [s, Buffer.from(s).toString('base64')]) out = out.split(form).join('***');
  }
  return out;
}

const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by the server',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed (temporary DNS failure)',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  EPIPE: 'connection closed by the server',
  DEPTH_ZERO_SELF_SIGNED_CERT:
    'TLS: the server certificate is self-signed and not trusted (check certificate-authority-data in the kubeconfig)',
  SELF_SIGNED_CERT_IN_CHAIN:
    'TLS: the server certificate is signed by an unknown authority (check certificate-authority-data in the kubeconfig)',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    'TLS: the server certificate is signed by an unknown authority (check certificate-authority-data in the kubeconfig)',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    'TLS: the server certificate is signed by an unknown authority (check certificate-authority-data in the kubeconfig)',
  CERT_HAS_EXPIRED: 'TLS: the server certificate has expired',
  ERR_TLS_CERT_ALTNAME_INVALID: 'TLS: the server certificate does not match the host name',
};

/** The detail part of "cannot reach the Kubernetes API at X: <detail>". */
export function describeNetworkError(e: { code?: string; message?: string }): string {
  const known = e.code ? NETWORK_CODES[e.code] : undefined;
  if (known) return known;
  if (e.code?.startsWith('ERR_SSL') || e.code?.startsWith('ERR_TLS')) return `TLS: ${e.message ?? e.code}`;
  return e.message || e.code || 'unknown network error';
}

/** What we were doing when the API server said no: used to phrase the message. */
export interface Operation {
  verb: 'get' | 'list' | 'patch' | 'create' | 'delete';
  /** Plural resource with group, as kubectl prints it: "statefulsets.apps", "services". */
  resource: string;
  /** Kind and name for messages about one object: "StatefulSet demo/cache". */
  object?: string;
  namespace?: string;
}

function unauthorized(server: string, kubeUser: string, msg: string): string {
  return `unauthorized: the API server${server ? ` at ${server}` : ''} rejected the credentials of kubeconfig user "${kubeUser || '?'}" (${msg || 'Unauthorized'})`;
}

const RBAC_DENIAL = /User "([^"]+)" cannot/;

/** One line for a failed call, e.g. "permission denied: cannot patch statefulsets.apps in namespace demo (as user "jane")". */
export function describeApiError(e: KubeApiError, op: Operation): string {
  const where = op.namespace ? ` in namespace ${op.namespace}` : '';
  const subject = op.object ?? op.resource;
  const msg = e.apiMessage;
  switch (e.status) {
    case 401:
      return unauthorized(e.server, e.kubeUser, msg);
    case 403: {
      const user = RBAC_DENIAL.exec(msg)?.[1];
      if (user) return `permission denied: cannot ${op.verb} ${op.resource}${where} (as user "${user}")`;
      return `forbidden: ${subject}: ${msg}`;
    }
    case 404:
      return `not found: ${subject}: ${msg}`;
    case 409:
      return `conflict: ${subject}: ${msg}`;
    case 422: {
      // The API server's own message already names each invalid field and why.
      const hint = IMMUTABLE_HINTS.find((h) => h.when.test(msg))?.hint;
      return `rejected by the API server: ${shortenValues(msg)}${hint ? `; ${hint}` : ''}`;
    }
    case 400:
      return `bad request: ${subject}: ${msg}`;
    case 429:
      return `the API server is throttling requests (${op.verb} ${subject}): ${msg}`;
    default:
      if (e.status >= 500) return `the API server failed (${e.status} ${e.reason}) on ${op.verb} ${subject}: ${msg}`;
      return `${op.verb} ${subject} failed: ${e.status} ${e.reason}: ${msg}`;
  }
}

/** Changes the API server refuses to make in place, and what to do instead. */
const IMMUTABLE_HINTS: Array<{ when: RegExp; hint: string }> = [
  {
    when: /StatefulSet[\s\S]*(spec\.volumeClaimTemplates|updates to statefulset spec for fields other than)/,
    hint: 'a StatefulSet cannot change its volume claim template (persistence mode, diskSize, storageClass), serviceName or selector in place: rk delete, then rk apply recreates it (kept PVCs are reused as they are: resize them yourself if their StorageClass allows expansion)',
  },
  {
    when: /spec\.clusterIPs?\b.*(immutable|may not change)/,
    hint: 'a Service cannot change between headless and ClusterIP in place: delete the Service and apply again',
  },
];

/**
 * Go's validation messages print the whole rejected value ("Invalid value: [{…200 fields…}]");
 * the field path and the reason are what matters, so long bracketed values are elided.
 */
export function shortenValues(msg: string, max = 80): string {
  const marker = 'Invalid value: ';
  let out = '';
  let i = 0;
  for (;;) {
    const at = msg.indexOf(marker, i);
    if (at < 0) return out + msg.slice(i);
    const start = at + marker.length;
    out += msg.slice(i, start);
    const open = msg[start];
    if (open !== '[' && open !== '{') {
      i = start;
      continue;
    }
    let depth = 0;
    let inString = false;
    let end = -1;
    for (let k = start; k < msg.length; k++) {
      const c = msg[k];
      if (inString) {
        if (c === '\\') k++;
        else if (c === '"') inString = false;
        continue;
      }
      if (c === '"') inString = true;
      else if (c === '[' || c === '{') depth++;
      else if (c === ']' || c === '}') {
        depth--;
        if (depth === 0) {
          end = k;
          break;
        }
      }
    }
    if (end < 0 || end - start + 1 <= max) {
      i = start;
      continue;
    }
    out += open === '[' ? '[…]' : '{…}';
    i = end + 1;
  }
}

/** Wraps anything thrown by a call into a KubeError with a message built for `op`. */
export function explain(e: unknown, op: Operation): KubeError {
  const conflicts = e instanceof KubeApiError ? fieldConflicts(e) : [];
  if (conflicts.length) return new ConflictError([{ object: op.object ?? op.resource, conflicts }]);
  if (e instanceof KubeApiError) return new KubeError(describeApiError(e, op));
  if (e instanceof KubeError) return e;
  return new KubeError(`${op.verb} ${op.object ?? op.resource}: ${(e as Error)?.message ?? String(e)}`);
}
