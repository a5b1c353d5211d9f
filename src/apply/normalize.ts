// What is left of an object once the server's bookkeeping is removed: the part a person changes
// by editing the spec. Diffs compare the live object with the server's dry-run of what we would
// apply, so defaulting and admission show up on both sides and cancel out; only bookkeeping that
// differs between the two (resourceVersion, generation, managedFields timestamps) must go.
import { stringify } from 'yaml';

const NOISE_METADATA = ['managedFields', 'resourceVersion', 'generation', 'uid', 'creationTimestamp', 'selfLink'];

/** Annotations written by controllers and clients, not by the spec. */
const NOISE_ANNOTATIONS = [
  'kubectl.kubernetes.io/last-applied-configuration',
  'deployment.kubernetes.io/revision',
  'deprecated.daemonset.template.generation',
  'endpoints.kubernetes.io/last-change-trigger-time',
  'control-plane.alpha.kubernetes.io/leader',
];

type Json = Record<string, unknown>;

export function normalizeForDiff(obj: unknown): Json {
  const o = JSON.parse(JSON.stringify(obj ?? {})) as Json;
  delete o.status;
  const meta = o.metadata as Json | undefined;
  if (meta) {
    for (const k of NOISE_METADATA) delete meta[k];
    const ann = meta.annotations as Record<string, string> | undefined;
    if (ann) {
      for (const k of NOISE_ANNOTATIONS) delete ann[k];
      if (Object.keys(ann).length === 0) delete meta.annotations;
    }
  }
  return o;
}

/** Secret values as base64 `data`, whether given as data or stringData. */
function secretData(o: Json): Record<string, string> {
  const data = { ...((o.data as Record<string, string> | undefined) ?? {}) };
  for (const [k, v] of Object.entries((o.stringData as Record<string, string> | undefined) ?? {}))
    data[k] = Buffer.from(v).toString('base64');
  return data;
}

/**
 * Replaces Secret values on both sides by markers that still show whether a value changed,
 * is new or is gone — never the value, nor anything derived from it.
 */
export function redactSecretPair(before: Json | null, after: Json | null): [Json | null, Json | null] {
  const isSecret = (o: Json | null) => o !== null && o.kind === 'Secret';
  if (!isSecret(before) && !isSecret(after)) return [before, after];
  const b = before ? secretData(before) : {};
  const a = after ? secretData(after) : {};
  const mark = (own: Record<string, string>, other: Record<string, string>, side: 'old' | 'new') => {
    const out: Record<string, string> = {};
    for (const k of Object.keys(own))
      out[k] = k in other && other[k] === own[k] ? '(redacted)' : `(redacted, ${side} value)`;
    return out;
  };
  const redact = (
    o: Json | null,
    own: Record<string, string>,
    other: Record<string, string>,
    side: 'old' | 'new',
  ): Json | null => {
    if (!o) return o;
    const { stringData: _s, data: _d, ...rest } = o;
    return Object.keys(own).length ? { ...rest, data: mark(own, other, side) } : rest;
  };
  return [redact(before, b, a, 'old'), redact(after, a, b, 'new')];
}

/** Stable YAML lines for diffing: keys sorted so both sides line up whatever order they came in. */
export function diffLines(o: Json): string[] {
  return stringify(o, { sortMapEntries: true, lineWidth: 0, aliasDuplicateObjects: false })
    .replace(/\n$/, '')
    .split('\n');
}
