// Validation of one manifest: structure (TypeBox), unknown fields, cross-field rules, then
// the warnings that need resolved values. Never throws on any input: every problem becomes a
// Diagnostic with the field's path.
import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { directiveRejection } from './configDirectives.js';
import { formatPath, type Diagnostic, type PathSegment, type Severity } from './diagnostics.js';
import type { Instance } from './instance.js';
import type { SourceDocument } from './load.js';
import { QUANTITY_PATTERN, quantityToBytes, quantityToMillicores } from './quantity.js';
import { resolveInstance, namespaceOf } from './resolve.js';
import { CROSS_FIELD_RULES } from './rules.js';
import { DNS1123_LABEL_PATTERN, MAX_NAME_LENGTH, ManifestSchema, NAME_PATTERN, type Manifest } from './schema.js';
import { normalizeKeys, unknownFields } from './schemaWalk.js';

export interface ValidationResult {
  instance: Instance | null;
  manifest: Manifest | null;
  diagnostics: Diagnostic[];
}

const DNS1123_LABEL = new RegExp(DNS1123_LABEL_PATTERN);

const describe = (v: unknown) =>
  v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'a mapping' : JSON.stringify(v);

function structuralMessage(schema: TSchema, value: unknown): string {
  if (value === undefined) return 'is required';
  const literals = (schema.anyOf as TSchema[] | undefined)
    ?.map((s): unknown => s.const)
    .filter((c): c is string | number => typeof c === 'string' || typeof c === 'number');
  if (literals && literals.length && literals.length === (schema.anyOf as TSchema[]).length) {
    return `must be one of ${literals.join(', ')} (got ${describe(value)})`;
  }
  if (schema.anyOf)
    return `must be ${(schema.anyOf as TSchema[]).map((s) => (s.type === 'object' ? 'a mapping' : `a ${s.type}`)).join(' or ')} (got ${describe(value)})`;
  if (schema.const !== undefined) return `must be ${JSON.stringify(schema.const)} (got ${describe(value)})`;
  const type = schema.type as string | undefined;
  if (type === 'integer' && (typeof value !== 'number' || !Number.isInteger(value)))
    return `must be a whole number (got ${describe(value)})`;
  if (type === 'integer' || type === 'number') {
    const n = value as number;
    if (schema.minimum !== undefined && n < schema.minimum) return `must be at least ${schema.minimum} (got ${n})`;
    if (schema.maximum !== undefined && n > schema.maximum) return `must be at most ${schema.maximum} (got ${n})`;
  }
  if (type === 'string' && typeof value === 'string') {
    if (schema.pattern === NAME_PATTERN || (schema.maxLength && value.length > schema.maxLength)) {
      return `${JSON.stringify(value)} must be a DNS-1035 label (it names Services): lowercase letters, digits and "-", starting with a letter and ending with a letter or digit, at most ${schema.maxLength ?? MAX_NAME_LENGTH} characters`;
    }
    if (schema.pattern === QUANTITY_PATTERN)
      return `${JSON.stringify(value)} is not a Kubernetes quantity (write e.g. 512Mi, 2Gi or 500m; "GB" is not a unit)`;
    if (schema.minLength && value.length < schema.minLength) return 'must not be empty';
    // A pattern that says in words what it allows (schema.ts), rather than "must be a string".
    if (schema.pattern && typeof schema.patternMessage === 'string')
      return `${JSON.stringify(value)} ${schema.patternMessage}`;
  }
  if (
    type === 'object' &&
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    schema.maxProperties !== undefined &&
    Object.keys(value).length > schema.maxProperties
  ) {
    return `has ${Object.keys(value).length} entries; at most ${schema.maxProperties} are allowed`;
  }
  if (type === 'object') return `must be a mapping (got ${describe(value)})`;
  if (type === 'array') return `must be a list (got ${describe(value)})`;
  return `must be a ${type ?? 'valid value'} (got ${describe(value)})`;
}

function structuralErrors(value: unknown): Array<{ path: PathSegment[]; message: string }> {
  const out: Array<{ path: PathSegment[]; message: string }> = [];
  const seen: string[] = [];
  for (const e of Value.Errors(ManifestSchema, value)) {
    if (e.schema.additionalProperties === false && e.message.includes('Unexpected')) continue; // reported by unknownFields
    if (e.message.toLowerCase().includes('unexpected property')) continue;
    const path = e.path
      .split('/')
      .slice(1)
      .map((p) => (/^\d+$/.test(p) ? Number(p) : p.replace(/~1/g, '/').replace(/~0/g, '~')));
    const key = path.join('\u0000');
    // One message per field: the first error on a path (and none below an already reported path).
    if (seen.some((s) => key === s || key.startsWith(s + '\u0000'))) continue;
    seen.push(key);
    out.push({ path, message: structuralMessage(e.schema, e.value) });
  }
  return out;
}

// Kubernetes' own syntax for what we copy into objects: a spec that passes rk validate must not
// be refused by the apiserver at apply time.
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function keyProblem(key: string): string | null {
  const parts = key.split('/');
  const name = parts[parts.length - 1]!;
  if (parts.length > 2) return 'is not a valid key: at most one "/"';
  if (parts.length === 2 && (parts[0]!.length > 253 || !DNS1123_SUBDOMAIN.test(parts[0]!)))
    return 'is not a valid key: the prefix before "/" must be a lowercase DNS subdomain';
  if (name.length > 63 || !QUALIFIED_NAME.test(name))
    return 'is not a valid key: at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit';
  return null;
}

const labelValueProblem = (v: string) =>
  v === '' || (v.length <= 63 && QUALIFIED_NAME.test(v))
    ? null
    : `${JSON.stringify(v)} is not a valid label value: at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit`;

function kubernetesSyntaxFindings(m: Manifest, err: (path: PathSegment[], message: string) => void) {
  const spec = m.spec ?? {};
  const labelMaps: Array<[PathSegment[], Record<string, string> | undefined, boolean]> = [
    [['metadata', 'labels'], m.metadata.labels, true],
    [['metadata', 'annotations'], m.metadata.annotations, false],
    [['spec', 'metrics', 'labels'], spec.metrics?.labels, true],
    [['spec', 'scheduling', 'nodeSelector'], spec.scheduling?.nodeSelector, true],
  ];
  for (const [path, map, checkValues] of labelMaps) {
    for (const [k, v] of Object.entries(map ?? {})) {
      const why = keyProblem(k) ?? (checkValues ? labelValueProblem(v) : null);
      if (why) err([...path, k], why);
    }
  }
  (spec.scheduling?.tolerations ?? []).forEach((t, i) => {
    const at = ['spec', 'scheduling', 'tolerations', i];
    const why = (t.key !== undefined && keyProblem(t.key)) || (t.value !== undefined && labelValueProblem(t.value));
    if (why) err([...at, t.key !== undefined && keyProblem(t.key) ? 'key' : 'value'], why);
    else if (t.operator === 'Exists' && t.value) err([...at, 'value'], 'must be empty when operator is Exists');
    else if (t.tolerationSeconds !== undefined && t.effect !== 'NoExecute')
      err([...at, 'tolerationSeconds'], 'is only allowed with effect NoExecute');
  });
  const names: Array<[PathSegment[], string | undefined]> = [
    [['spec', 'auth', 'existingSecret', 'name'], spec.auth?.existingSecret?.name],
    [['spec', 'tls', 'existingSecret'], spec.tls?.existingSecret],
    [['spec', 'tls', 'issuerRef', 'name'], spec.tls?.issuerRef?.name],
    [['spec', 'persistence', 'storageClass'], spec.persistence?.storageClass],
    [['spec', 'scheduling', 'priorityClassName'], spec.scheduling?.priorityClassName],
    [['spec', 'ingress', 'hostname'], spec.ingress?.hostname || undefined],
  ];
  for (const [path, v] of names) {
    if (v !== undefined && (v.length > 253 || !DNS1123_SUBDOMAIN.test(v)))
      err(path, `${JSON.stringify(v)} must be a lowercase DNS subdomain (letters, digits, "-" and ".")`);
  }
  for (const field of ['allowNamespaces', 'metricsNamespaces'] as const) {
    (spec.networkPolicy?.[field] ?? []).forEach((ns, i) => {
      if (ns.length > 63 || !DNS1123_LABEL.test(ns))
        err(['spec', 'networkPolicy', field, i], `${JSON.stringify(ns)} is not a namespace name (DNS-1123 label)`);
    });
  }
}

function semanticFindings(m: Manifest): Array<{ path: PathSegment[]; message: string; severity: Severity }> {
  const out: Array<{ path: PathSegment[]; message: string; severity: Severity }> = [];
  const err = (path: PathSegment[], message: string) => out.push({ path, message, severity: 'error' });
  const spec = m.spec ?? {};

  const ns = namespaceOf(m);
  if (!DNS1123_LABEL.test(ns) || ns.length > 63) {
    err(
      spec.namespace !== undefined ? ['spec', 'namespace'] : ['metadata', 'namespace'],
      `${JSON.stringify(ns)} must be a DNS-1123 label (lowercase letters, digits and "-", at most 63 characters)`,
    );
  }
  kubernetesSyntaxFindings(m, err);
  for (const rule of CROSS_FIELD_RULES) {
    const f = rule.check(spec);
    if (f) err(['spec', ...f.path], f.message);
  }
  for (const [key, value] of Object.entries(spec.config?.extra ?? {})) {
    const why = directiveRejection(key);
    if (why) err(['spec', 'config', 'extra', key], `cannot be set: ${why}`);
    else if (!value.trim() || /[\r\n]/.test(value))
      err(['spec', 'config', 'extra', key], 'must be a non-empty single-line value');
  }
  for (const [path, r] of [
    [['spec', 'container', 'resources'], spec.container?.resources],
    [['spec', 'sentinel', 'resources'], spec.sentinel?.resources],
  ] as const) {
    for (const res of ['cpu', 'memory'] as const) {
      const req = r?.requests?.[res];
      const lim = r?.limits?.[res];
      if (!req || !lim) continue;
      const toNum = res === 'cpu' ? quantityToMillicores : quantityToBytes;
      if (toNum(req) > toNum(lim)) err([...path, 'requests', res], `${req} is more than the limit ${lim}`);
    }
  }
  const memLimit = spec.container?.resources?.limits?.memory ?? spec.container?.resources?.requests?.memory;
  if (memLimit && quantityToBytes(memLimit) < 64 * 1024 ** 2)
    err(['spec', 'container', 'resources', 'limits', 'memory'], `${memLimit} is too small: at least 64Mi`);
  const disk = spec.persistence?.diskSize ?? spec.container?.diskSize;
  if (disk && quantityToBytes(disk) < 1024 ** 2)
    err(
      ['spec', spec.persistence?.diskSize ? 'persistence' : 'container', 'diskSize'],
      `${disk} is too small: at least 1Mi`,
    );
  return out;
}

function instanceWarnings(
  m: Manifest,
  inst: Instance,
): Array<{ path: PathSegment[]; message: string; severity: Severity }> {
  const out: Array<{ path: PathSegment[]; message: string; severity: Severity }> = [];
  const warn = (path: PathSegment[], message: string) => out.push({ path, message, severity: 'warning' });
  const spec = m.spec ?? {};
  const res = inst.resources;
  if (quantityToBytes(res.requests.memory) !== quantityToBytes(res.limits.memory)) {
    warn(
      ['spec', 'container', 'resources', 'requests', 'memory'],
      `${res.requests.memory} differs from the limit ${res.limits.memory}: the pod is not Guaranteed QoS and is among the first evicted under memory pressure`,
    );
  }
  if (inst.persistence.mode !== 'NONE' && inst.persistence.diskBytes < 2 * inst.maxmemoryBytes) {
    const p = spec.persistence?.diskSize ? ['spec', 'persistence', 'diskSize'] : ['spec', 'container', 'diskSize'];
    warn(
      p,
      `${inst.persistence.diskSize} is less than twice maxmemory (${Math.round(inst.maxmemoryBytes / 1024 ** 2)}Mi): an AOF rewrite or RDB snapshot next to the existing files may fill the disk`,
    );
  }
  if (inst.sentinel) {
    const s = inst.sentinel;
    const replicasPath =
      spec.sentinel?.redisReplicas === undefined && spec.container?.replicas !== undefined
        ? ['spec', 'container', 'replicas']
        : ['spec', 'sentinel', 'redisReplicas'];
    if (inst.dataReplicas < 2)
      warn(
        replicasPath,
        `${inst.dataReplicas} data pod has no replica to fail over to: use at least 2 (3 recommended)`,
      );
    if (s.replicas < 3)
      warn(
        ['spec', 'sentinel', 'sentinelReplicas'],
        `${s.replicas} sentinel(s) cannot survive the loss of one: use 3 or 5`,
      );
    else if (s.replicas % 2 === 0)
      warn(
        ['spec', 'sentinel', 'sentinelReplicas'],
        `${s.replicas} is even: it tolerates no more failures than ${s.replicas - 1}; use an odd number`,
      );
    if (s.quorum * 2 <= s.replicas)
      warn(
        ['spec', 'sentinel', 'quorum'],
        `${s.quorum} of ${s.replicas} is not a majority: a partitioned minority can agree the master is down (failover still needs a majority to be authorized)`,
      );
  }
  if (inst.cluster && inst.cluster.replicasPerMaster === 0) {
    warn(
      ['spec', 'cluster', 'replicasPerMaster'],
      '0: losing any master loses its slots and takes the cluster down; use at least 1',
    );
  }
  const legacyReplicas = spec.container?.replicas;
  if (legacyReplicas !== undefined && legacyReplicas > 1 && !spec.mode) {
    warn(
      ['spec', 'container', 'replicas'],
      `${legacyReplicas} without spec.mode renders a single STANDALONE pod (no replicas, no failover); for ${legacyReplicas} data pods with automatic failover set mode: SENTINEL (container.replicas then sets sentinel.redisReplicas)`,
    );
  }
  if (legacyReplicas !== undefined && inst.mode === 'CLUSTER') {
    warn(
      ['spec', 'container', 'replicas'],
      'is ignored in CLUSTER mode: the pod count is cluster.masters x (1 + cluster.replicasPerMaster)',
    );
  }
  if (!inst.auth.enabled)
    warn(['spec', 'auth', 'enabled'], 'false: anyone who can reach the pods can read and change all data');
  if (inst.persistence.mode === 'NONE' && inst.mode !== 'STANDALONE') {
    warn(
      ['spec', 'persistence', 'mode'],
      'NONE: a restart of every pod at once (node drain, zone outage) loses all data',
    );
  }
  if (!/\d+\.\d+\.\d+/.test(inst.image.tag) && !inst.image.tag.includes('sha256:')) {
    warn(
      ['spec', 'image', 'tag'],
      `${JSON.stringify(inst.image.tag)} floats between releases: pin a full version (e.g. 8.1.11) so restarts never change versions silently`,
    );
  }
  if (inst.image.flavor === 'redis') {
    const [maj, min] = inst.image.tag.split('.').map(Number);
    if (maj !== undefined && min !== undefined && (maj > 7 || (maj === 7 && min >= 4))) {
      warn(
        ['spec', 'image', 'tag'],
        `Redis ${inst.image.tag} is licensed RSALv2/SSPLv1 (or AGPLv3 from 8.0), not BSD; valkey/valkey is the BSD-licensed drop-in`,
      );
    }
  }
  if (inst.metrics.enabled && inst.networkPolicy.enabled && !inst.networkPolicy.metricsNamespaces.length) {
    warn(
      ['spec', 'metrics', 'enabled'],
      'true without spec.networkPolicy.metricsNamespaces: the exporter port 9121 is open to pods of every namespace; list the namespace Prometheus runs in there',
    );
  }
  if (spec.metrics && !inst.metrics.enabled && (spec.metrics.serviceMonitor || spec.metrics.prometheusRule)) {
    warn(['spec', 'metrics', 'enabled'], 'is false, so serviceMonitor and prometheusRule are not rendered');
  }
  return out;
}

export function validateDocument(doc: SourceDocument): ValidationResult {
  const diagnostics: Diagnostic[] = [];
  if (typeof doc.value !== 'object' || doc.value === null || Array.isArray(doc.value)) {
    return {
      instance: null,
      manifest: null,
      diagnostics: [
        {
          severity: 'error',
          path: '(document)',
          message: `must be a mapping with apiVersion, kind, metadata and spec (got ${describe(doc.value)})`,
          location: `${doc.source}:${doc.lineOf([]) ?? 1}`,
        },
      ],
    };
  }
  const normalized = normalizeKeys(doc.value, ManifestSchema);
  const add = (severity: Severity, path: readonly PathSegment[], message: string) => {
    const original = normalized.originalPath(path);
    const line = doc.lineOf(original);
    diagnostics.push({
      severity,
      path: formatPath(original),
      message,
      ...(line ? { location: `${doc.source}:${line}` } : {}),
    });
  };
  for (const f of unknownFields(normalized.value, ManifestSchema)) add('error', f.path, f.message);
  for (const f of structuralErrors(normalized.value)) add('error', f.path, f.message);
  if (diagnostics.length) return { instance: null, manifest: null, diagnostics };

  const manifest = normalized.value as Manifest;
  for (const f of semanticFindings(manifest)) add(f.severity, f.path, f.message);
  if (diagnostics.some((d) => d.severity === 'error')) return { instance: null, manifest, diagnostics };

  const instance = resolveInstance(manifest);
  for (const f of instanceWarnings(manifest, instance)) add(f.severity, f.path, f.message);
  return { instance, manifest, diagnostics };
}
