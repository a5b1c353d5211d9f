// The CustomResourceDefinition, derived from the same TypeBox schema `rk validate` uses, with
// the cross-field rules as CEL. Kubernetes wants a *structural* schema, so the TypeBox JSON
// Schema is translated: no additionalProperties:false, enums instead of literal unions,
// int-or-string quantities, preserved free-form fields.
import type { TSchema } from '@sinclair/typebox';
import { QUANTITY_PATTERN } from './quantity.js';
import { CROSS_FIELD_RULES } from './rules.js';
import { API_VERSION, MAX_NAME_LENGTH, MetadataSchema, NAME_PATTERN, SpecSchema } from './schema.js';
import { StackOutputsSchema } from './stackOutputs.js';

export const CRD_GROUP = API_VERSION.split('/')[0]!;
export const CRD_VERSION = API_VERSION.split('/')[1]!;
export const CRD_PLURAL = 'rediskubernetes';
export const CRD_KIND = 'RedisKubernetes';

type Json = Record<string, unknown>;

/** What the CRD keeps of a schema node beyond its type: rules and bounds the schema itself carries. */
function crdExtras(schema: TSchema): Json {
  const out: Json = {};
  for (const k of ['maxProperties', 'x-kubernetes-validations'] as const)
    if (schema[k] !== undefined) out[k] = schema[k];
  return out;
}

function structural(schema: TSchema): Json {
  const description = {
    ...(schema.description ? { description: schema.description } : {}),
    ...crdExtras(schema),
  };
  if (schema.pattern === QUANTITY_PATTERN) {
    return {
      ...description,
      'x-kubernetes-int-or-string': true,
      anyOf: [{ type: 'integer' }, { type: 'string' }],
      pattern: QUANTITY_PATTERN,
    };
  }
  if (schema.anyOf) {
    const members = schema.anyOf as TSchema[];
    if (members.every((m) => m.const !== undefined))
      return { ...description, type: typeof members[0]!.const, enum: members.map((m): unknown => m.const) };
    // string | {value: string}: not expressible structurally; kept as-is and checked by rk.
    return { ...description, 'x-kubernetes-preserve-unknown-fields': true };
  }
  if (schema.const !== undefined) return { ...description, type: typeof schema.const, enum: [schema.const] };
  switch (schema.type) {
    case 'object': {
      if (schema.patternProperties) {
        const value = Object.values(schema.patternProperties as Record<string, TSchema>)[0]!;
        return value.type
          ? { ...description, type: 'object', additionalProperties: structural(value) }
          : { ...description, type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
      }
      const props = (schema.properties ?? {}) as Record<string, TSchema>;
      const required = (schema.required as string[] | undefined) ?? [];
      return {
        ...description,
        type: 'object',
        properties: Object.fromEntries(Object.entries(props).map(([k, v]) => [k, structural(v)])),
        ...(required.length ? { required } : {}),
      };
    }
    case 'array':
      return { ...description, type: 'array', items: structural(schema.items as TSchema) };
    case 'string':
    case 'integer':
    case 'number':
    case 'boolean': {
      const out: Json = { ...description, type: schema.type };
      for (const k of ['minimum', 'maximum', 'minLength', 'maxLength', 'pattern'] as const)
        if (schema[k] !== undefined) out[k] = schema[k];
      return out;
    }
    default:
      return { ...description, 'x-kubernetes-preserve-unknown-fields': true };
  }
}

export function customResourceDefinition(): Json {
  const spec = structural(SpecSchema);
  spec['x-kubernetes-validations'] = CROSS_FIELD_RULES.map((r) => ({ rule: r.cel, message: r.celMessage }));
  // Kubernetes allows only name constraints inside metadata; the rest of ours applies to rk's view.
  const metadataNote = Object.keys(MetadataSchema.properties ?? {}).length;
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${CRD_PLURAL}.${CRD_GROUP}`, labels: { 'app.kubernetes.io/part-of': 'redis-kubernetes' } },
    spec: {
      group: CRD_GROUP,
      scope: 'Namespaced',
      names: {
        kind: CRD_KIND,
        listKind: `${CRD_KIND}List`,
        plural: CRD_PLURAL,
        singular: 'rediskubernetes',
        shortNames: ['rk'],
        categories: ['all', 'redis'],
      },
      versions: [
        {
          name: CRD_VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: [
            { name: 'Mode', type: 'string', jsonPath: '.spec.mode', description: 'STANDALONE, SENTINEL or CLUSTER' },
            { name: 'Ready', type: 'string', jsonPath: '.status.ready', description: 'ready data pods / desired' },
            {
              name: 'Master',
              type: 'string',
              jsonPath: '.status.master',
              description: 'current master pod (masters in CLUSTER mode)',
            },
            {
              name: 'Phase',
              type: 'string',
              jsonPath: '.status.phase',
              description: 'Pending, Forming, Ready, Degraded, Blocked or Failed',
            },
            { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
          ],
          schema: {
            openAPIV3Schema: {
              type: 'object',
              description: `RedisKubernetes: a Valkey or Redis instance (${metadataNote} metadata fields are understood by rk)`,
              required: ['spec'],
              properties: {
                apiVersion: { type: 'string' },
                kind: { type: 'string' },
                metadata: { type: 'object' },
                spec,
                status: {
                  type: 'object',
                  'x-kubernetes-preserve-unknown-fields': true,
                  properties: {
                    phase: { type: 'string' },
                    ready: { type: 'string' },
                    master: { type: 'string' },
                    readyReplicas: { type: 'integer' },
                    observedGeneration: { type: 'integer' },
                    outputs: structural(StackOutputsSchema),
                    promotion: {
                      type: 'object',
                      description: 'The answer to the last kubectl rk promote request',
                      properties: {
                        pod: { type: 'string' },
                        result: { type: 'string', enum: ['Promoted', 'Refused'] },
                        reason: { type: 'string' },
                        message: { type: 'string' },
                        time: { type: 'string', format: 'date-time' },
                      },
                    },
                    conditions: {
                      type: 'array',
                      'x-kubernetes-list-type': 'map',
                      'x-kubernetes-list-map-keys': ['type'],
                      items: {
                        type: 'object',
                        required: ['type', 'status'],
                        properties: {
                          type: { type: 'string' },
                          status: { type: 'string', enum: ['True', 'False', 'Unknown'] },
                          reason: { type: 'string' },
                          message: { type: 'string' },
                          lastTransitionTime: { type: 'string', format: 'date-time' },
                          observedGeneration: { type: 'integer' },
                        },
                      },
                    },
                  },
                },
              },
              'x-kubernetes-validations': [
                {
                  rule: `self.metadata.name.matches('${NAME_PATTERN}') && size(self.metadata.name) <= ${MAX_NAME_LENGTH}`,
                  message: `metadata.name must be a DNS-1035 label (starting with a letter) of at most ${MAX_NAME_LENGTH} characters`,
                },
              ],
            },
          },
        },
      ],
    },
  };
}

// The Helm chart's copy of the CRD (Helm installs crds/ before the templates and never upgrades or
// deletes it, as with any chart's CRDs), and the note on it saying whence it comes.
export const CHART_CRD_FILE = 'charts/redis-kubernetes-operator/crds/rediskubernetes.yaml';
export const CHART_CRD_HEADER =
  '# Generated from src/api/crd.ts by scripts/chart-crd.mjs (after npm run build): edit the source, not this file.\n';
