// Shared render-test helpers: the specs to render and a Kubernetes schema check that is
// stricter than kubernetes-models alone (which ignores unknown fields, so a misspelled
// `_from` or `automountToken` would pass it and be dropped by the apiserver).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as models from '@kubernetes/client-node/dist/gen/models/all.js';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { Certificate } from '@kubernetes-models/cert-manager/cert-manager.io/v1/Certificate';
import type { Instance } from '../../src/api/instance.js';
import { EXAMPLES, exampleInstance, instanceOf, ROOT } from './specs.js';
import { toYaml } from '../../src/cli/renderCommand.js';
import type { KubeObject } from '../../src/render/objects.js';
import { render, type RenderContext } from '../../src/render/render.js';

export const FIXTURES_DIR = `${ROOT}test/fixtures/specs/`;
export const EDGE_FIXTURES = readdirSync(FIXTURES_DIR)
  .filter((f) => f.startsWith('edge-') && f.endsWith('.yaml'))
  .map((f) => f.replace(/\.yaml$/, ''))
  .sort();
export const fixtureInstance = (name: string): Instance =>
  instanceOf(readFileSync(`${FIXTURES_DIR}${name}.yaml`, 'utf8'));

/** Every spec the render tests look at: the examples and the edge fixtures, by name. */
export const ALL_SPECS: Array<[string, () => Instance]> = [
  ...EXAMPLES.map((e): [string, () => Instance] => [e, () => exampleInstance(e)]),
  ...EDGE_FIXTURES.map((f): [string, () => Instance] => [f, () => fixtureInstance(f)]),
];

export const renderYaml = (inst: Instance, ctx?: RenderContext) => toYaml(render(inst, ctx));

export const byKind = (objs: KubeObject[], kind: string) => objs.filter((o) => o.kind === kind);
export function one(objs: KubeObject[], kind: string, name?: string): any {
  const found = objs.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  assert.equal(
    found.length,
    1,
    `expected one ${kind}${name ? ` ${name}` : ''}, found ${found.map((o) => o.metadata.name).join(', ') || 'none'}`,
  );
  return found[0];
}

/** Pod templates of all StatefulSets, with the StatefulSet's name. */
export function podSpecs(objs: KubeObject[]): Array<{ sts: string; spec: any; meta: any }> {
  return byKind(objs, 'StatefulSet').map((s: any) => ({
    sts: s.metadata.name,
    spec: s.spec.template.spec,
    meta: s.spec.template.metadata,
  }));
}

/** A rendered server/sentinel config file as the server reads it: the last occurrence of a directive wins. */
export function parseConf(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    if (!line.trim() || line.startsWith('#')) continue;
    const [k, ...args] = line.trim().split(/\s+/);
    out.set(k!, args);
  }
  return out;
}

export function configFile(objs: KubeObject[], file: 'valkey.conf' | 'sentinel.conf'): Map<string, string[]> {
  const cm = one(objs, 'ConfigMap', `${objs.find((o) => o.kind === 'ServiceAccount')!.metadata.name}-config`);
  const text = cm.data[file];
  assert.equal(typeof text, 'string', `${file} is missing`);
  return parseConf(text);
}

export function script(objs: KubeObject[], name: string): string {
  const cm = one(objs, 'ConfigMap', `${objs.find((o) => o.kind === 'ServiceAccount')!.metadata.name}-scripts`);
  assert.equal(typeof cm.data[name], 'string', `script ${name} is missing`);
  return cm.data[name];
}

const MODELS: Record<string, new (data: any) => { validate(): void }> = {
  ConfigMap,
  Namespace,
  Secret,
  Service,
  ServiceAccount,
  StatefulSet,
  PodDisruptionBudget,
  NetworkPolicy,
  ServiceMonitor,
  PrometheusRule,
  Certificate,
};

type AttributeMap = Array<{ baseName: string; type: string }>;
const modelClass = (type: string): { getAttributeTypeMap(): AttributeMap } | undefined => (models as any)[type];

/** Fields the Kubernetes API does not know, found by walking client-node's generated type map. */
function unknownFields(value: unknown, type: string, path: string): string[] {
  if (value === null || value === undefined) return [];
  const arr = /^Array<(.+)>$/.exec(type);
  if (arr) return Array.isArray(value) ? value.flatMap((v, i) => unknownFields(v, arr[1]!, `${path}[${i}]`)) : [];
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) return Object.entries(value).flatMap(([k, v]) => unknownFields(v, map[1]!, `${path}.${k}`));
  const cls = modelClass(type);
  if (!cls || typeof value !== 'object') return [];
  const known = new Map(cls.getAttributeTypeMap().map((a) => [a.baseName, a.type]));
  return Object.entries(value).flatMap(([k, v]) =>
    known.has(k) ? unknownFields(v, known.get(k)!, `${path}.${k}`) : [`${path}.${k}`],
  );
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function labelProblems(labels: Record<string, string> | undefined, where: string): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    const slash = k.lastIndexOf('/');
    const prefix = slash >= 0 ? k.slice(0, slash) : null;
    const name = slash >= 0 ? k.slice(slash + 1) : k;
    if (prefix !== null && (!DNS1123_SUBDOMAIN.test(prefix) || prefix.length > 253))
      out.push(`${where}: label key prefix ${JSON.stringify(k)}`);
    if (!LABEL_NAME.test(name) || name.length > 63) out.push(`${where}: label key ${JSON.stringify(k)}`);
    if (typeof v !== 'string' || v.length > 63 || (v !== '' && !LABEL_NAME.test(v)))
      out.push(`${where}: label value ${JSON.stringify(v)}`);
  }
  return out;
}

/** Everything the apiserver would refuse (or silently drop) in one rendered object; [] when fine. */
export function schemaProblems(o: KubeObject): string[] {
  const where = `${o.kind}/${o.metadata.name}`;
  const Model = MODELS[o.kind];
  if (!Model) return [`${where}: no schema for kind ${o.kind}`];
  const out: string[] = [];
  try {
    new Model(structuredClone(o)).validate();
  } catch (e) {
    out.push(`${where}: ${(e as Error).message}`);
  }
  if (modelClass(`V1${o.kind}`)) out.push(...unknownFields(o, `V1${o.kind}`, where).map((p) => `${p}: unknown field`));
  const nameOk = (
    o.kind === 'Service' ? DNS1035_LABEL : o.kind === 'Namespace' ? DNS1123_LABEL : DNS1123_SUBDOMAIN
  ).test(o.metadata.name);
  if (!nameOk || o.metadata.name.length > (o.kind === 'Namespace' || o.kind === 'Service' ? 63 : 253))
    out.push(`${where}: invalid name`);
  out.push(...labelProblems(o.metadata.labels, `${where} metadata.labels`));
  const spec = (o as any).spec;
  out.push(...labelProblems(spec?.template?.metadata?.labels, `${where} pod labels`));
  out.push(...labelProblems(o.kind === 'Service' ? spec?.selector : spec?.selector?.matchLabels, `${where} selector`));
  // StatefulSet pods are labelled controller-revision-hash=<name>-<10 chars>: the name must leave room.
  if (o.kind === 'StatefulSet' && o.metadata.name.length > 52)
    out.push(`${where}: name too long for controller-revision-hash`);
  return out;
}
