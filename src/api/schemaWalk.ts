// Walking a value alongside its JSON Schema: folding Project Planton's snake_case keys into
// camelCase (protojson accepts both spellings, so existing manifests use both), reading numeric
// quantities as strings, and finding
// unknown fields with a "did you mean" hint. TypeBox reports unknown fields only as
// "unexpected property" on the parent, which is not precise enough for users.
import type { TSchema } from '@sinclair/typebox';
import { QUANTITY_PATTERN } from './quantity.js';
import { closest, formatPath, type Diagnostic, type PathSegment } from './diagnostics.js';

type Json = Record<string, unknown>;
const isPlainObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function objectMembers(schema: TSchema): TSchema[] {
  if (schema.anyOf) return (schema.anyOf as TSchema[]).flatMap(objectMembers);
  return schema.type === 'object' ? [schema] : [];
}

/** Declared properties, or null for a free-form map (labels, nodeSelector...). */
function propertiesOf(schema: TSchema): Record<string, TSchema> | null {
  const members = objectMembers(schema);
  if (members.length === 0) return null;
  // No prototype: a field named "constructor" or "toString" must read as unknown, not as Object's.
  const props = Object.create(null) as Record<string, TSchema>;
  for (const m of members) {
    if (!m.properties) return null;
    Object.assign(props, m.properties);
  }
  return props;
}

function arrayItems(schema: TSchema): TSchema | null {
  if (schema.type === 'array' && schema.items) return schema.items as TSchema;
  if (schema.anyOf)
    for (const s of schema.anyOf as TSchema[]) {
      const i = arrayItems(s);
      if (i) return i;
    }
  return null;
}

const camel = (k: string) => k.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

export interface Normalized {
  value: unknown;
  /** Maps a normalized path back to the path as written, for messages and line lookup. */
  originalPath(path: readonly PathSegment[]): PathSegment[];
}

export function normalizeKeys(value: unknown, schema: TSchema): Normalized {
  const renames = new Map<string, string>(); // "normalized path" -> original key at that position
  const walk = (v: unknown, s: TSchema, path: PathSegment[]): unknown => {
    // Kubernetes quantities are int-or-string: YAML's `cpu: 1` is the quantity "1".
    if (typeof v === 'number' && s.pattern === QUANTITY_PATTERN) return String(v);
    if (Array.isArray(v)) {
      const items = arrayItems(s);
      return items ? v.map((x, i) => walk(x, items, [...path, i])) : v;
    }
    if (!isPlainObject(v)) return v;
    const props = propertiesOf(s);
    if (!props) return v;
    const out: Json = {};
    for (const [k, x] of Object.entries(v)) {
      const key = !(k in props) && camel(k) in props && !Object.hasOwn(v, camel(k)) ? camel(k) : k;
      if (key !== k) renames.set(formatPath([...path, key]), k);
      // defineProperty: assigning a "__proto__" key would replace the object's prototype
      // (and smuggle inherited fields past validation) instead of adding a field.
      Object.defineProperty(out, key, {
        value: props[key] ? walk(x, props[key], [...path, key]) : x,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  };
  const normalized = walk(value, schema, []);
  return {
    value: normalized,
    originalPath(path) {
      return path.map((seg, i) => {
        if (typeof seg === 'number') return seg;
        return renames.get(formatPath(path.slice(0, i + 1))) ?? seg;
      });
    },
  };
}

export function unknownFields(
  value: unknown,
  schema: TSchema,
  path: PathSegment[] = [],
): Array<Pick<Diagnostic, 'message'> & { path: PathSegment[] }> {
  const out: Array<{ path: PathSegment[]; message: string }> = [];
  if (Array.isArray(value)) {
    const items = arrayItems(schema);
    if (items) value.forEach((x, i) => out.push(...unknownFields(x, items, [...path, i])));
    return out;
  }
  if (!isPlainObject(value)) return out;
  const props = propertiesOf(schema);
  if (!props) return out;
  for (const [k, x] of Object.entries(value)) {
    const sub = props[k];
    if (sub) {
      out.push(...unknownFields(x, sub, [...path, k]));
      continue;
    }
    const hint = closest(k, Object.keys(props));
    out.push({ path: [...path, k], message: `unknown field${hint ? ` (did you mean "${hint}"?)` : ''}` });
  }
  return out;
}
