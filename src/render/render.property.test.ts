// For every spec that validates, render must not throw, must be deterministic (byte-identical
// YAML for the same input) and must produce objects the apiserver accepts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { allowedDirectives } from '../api/configDirectives.js';
import { validateDocument } from '../api/validate.js';
import { asDocument, BASE_SPECS, mutate, MUTATION, RUNS } from '../api/mutation.test.js';
import { render } from './render.js';
import { renderYaml, schemaProblems } from '../../test/support/rendered.js';

// Mostly well-formed, sometimes anything: both sides of the label syntax check get exercised.
const LABELISH = fc.oneof(
  { weight: 19, arbitrary: fc.stringMatching(/^[a-zA-Z0-9]([-a-zA-Z0-9_.]{0,10}[a-zA-Z0-9])?$/) },
  { weight: 1, arbitrary: fc.string({ maxLength: 70 }) },
);
const LABEL_KEY = fc.oneof(
  LABELISH,
  fc.tuple(fc.stringMatching(/^[a-z]{1,8}(\.[a-z]{2,4})?$/), LABELISH).map(([p, n]) => `${p}/${n}`),
);
const DIRECTIVE_VALUE = fc.stringMatching(/^[a-z0-9]{1,6}( [a-z0-9]{1,6}){0,2}$/);

/** Specs built field by field across every option; the invalid combinations are filtered by validation. */
const SPEC = fc
  .record({
    name: fc.stringMatching(/^[a-z][-a-z0-9]{0,38}[a-z0-9]$/),
    namespace: fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?$/),
    mode: fc.constantFrom('STANDALONE', 'SENTINEL', 'CLUSTER'),
    redisReplicas: fc.integer({ min: 1, max: 6 }),
    sentinelReplicas: fc.integer({ min: 1, max: 7 }),
    quorum: fc.option(fc.integer({ min: 1, max: 7 })),
    masters: fc.integer({ min: 3, max: 6 }),
    replicasPerMaster: fc.integer({ min: 0, max: 3 }),
    memoryMi: fc.integer({ min: 64, max: 64 * 1024 }),
    requestPercent: fc.option(fc.integer({ min: 1, max: 110 })),
    cpu: fc.constantFrom('100m', '1', '2', 1, 0.5, '1500m'),
    persistence: fc.constantFrom('HYBRID', 'RDB', 'AOF', 'NONE', undefined),
    diskSize: fc.option(fc.constantFrom('1Gi', '10Gi', '500Mi', '2T')),
    storageClass: fc.option(fc.constantFrom('standard', 'premium-rwo', 'fast.ssd')),
    tls: fc.constantFrom('off', 'secret', 'issuer'),
    clientAuth: fc.boolean(),
    metrics: fc.boolean(),
    auth: fc.constantFrom('generated', 'existing', 'off'),
    antiAffinity: fc.constantFrom('REQUIRED', 'PREFERRED', 'NONE', undefined),
    zoneSpread: fc.option(fc.boolean()),
    labels: fc.dictionary(LABEL_KEY, LABELISH, { maxKeys: 3 }),
    annotations: fc.dictionary(LABEL_KEY, fc.string({ maxLength: 30 }), { maxKeys: 2 }),
    nodeSelector: fc.dictionary(LABEL_KEY, LABELISH, { maxKeys: 2 }),
    extra: fc.dictionary(fc.constantFrom(...allowedDirectives()), DIRECTIVE_VALUE, { maxKeys: 3 }),
    networkPolicy: fc.boolean(),
    allowNamespaces: fc.array(fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9]$/), { maxLength: 3 }),
    ingress: fc.integer({ min: 0, max: 9 }),
    image: fc.constantFrom(
      undefined,
      { repository: 'redis', tag: '7.2.5' },
      { repository: 'valkey/valkey', tag: '8.0.2' },
      { tag: 'sha256:' + 'a'.repeat(64) },
    ),
    createNamespace: fc.boolean(),
  })
  .map((r) => ({
    apiVersion: 'kubernetes.project-planton.org/v1',
    kind: 'RedisKubernetes',
    metadata: { name: r.name, labels: r.labels, annotations: r.annotations },
    spec: {
      namespace: r.namespace,
      createNamespace: r.createNamespace,
      mode: r.mode,
      ...(r.mode === 'SENTINEL'
        ? {
            sentinel: {
              redisReplicas: r.redisReplicas,
              sentinelReplicas: r.sentinelReplicas,
              ...(r.quorum !== null ? { quorum: 1 + (r.quorum % r.sentinelReplicas) } : {}),
            },
          }
        : {}),
      ...(r.mode === 'CLUSTER' ? { cluster: { masters: r.masters, replicasPerMaster: r.replicasPerMaster } } : {}),
      container: {
        resources: {
          limits: { cpu: r.cpu, memory: `${r.memoryMi}Mi` },
          ...(r.requestPercent !== null
            ? { requests: { memory: `${Math.ceil((r.memoryMi * r.requestPercent) / 100)}Mi` } }
            : {}),
        },
      },
      persistence: {
        ...(r.persistence ? { mode: r.persistence } : {}),
        ...(r.diskSize ? { diskSize: r.diskSize } : {}),
        ...(r.storageClass ? { storageClass: r.storageClass } : {}),
      },
      ...(r.tls !== 'off'
        ? {
            tls: {
              enabled: true,
              clientAuth: r.clientAuth,
              ...(r.tls === 'secret'
                ? { existingSecret: 'my-tls' }
                : { issuerRef: { name: 'ca', kind: 'ClusterIssuer' } }),
            },
          }
        : {}),
      metrics: { enabled: r.metrics },
      auth:
        r.auth === 'off'
          ? { enabled: false }
          : r.auth === 'existing'
            ? { existingSecret: { name: 'pw', key: 'secret' } }
            : {},
      scheduling: {
        ...(r.antiAffinity ? { antiAffinity: r.antiAffinity } : {}),
        ...(r.zoneSpread !== null ? { zoneSpread: r.zoneSpread } : {}),
        nodeSelector: r.nodeSelector,
      },
      config: { extra: r.extra },
      networkPolicy: { enabled: r.networkPolicy, allowNamespaces: r.allowNamespaces },
      // Mostly where it is allowed (STANDALONE); now and then where the rules must refuse it.
      ...(r.ingress === 0 || (r.ingress < 5 && r.mode === 'STANDALONE')
        ? { ingress: { enabled: true, hostname: 'cache.example.com' } }
        : {}),
      ...(r.image ? { image: r.image } : {}),
    },
  }));

function checkRender(value: unknown): boolean {
  const parsed = asDocument(value);
  if (!parsed) return false;
  const r = validateDocument(parsed.doc);
  if (!r.instance) return false;
  const first = renderYaml(r.instance, { generatedPassword: 'pw' });
  // Same input, separately parsed and resolved: byte-identical output.
  const again = validateDocument(asDocument(value)!.doc).instance!;
  assert.equal(renderYaml(again, { generatedPassword: 'pw' }), first);
  assert.deepEqual(render(r.instance, { generatedPassword: 'pw' }).flatMap(schemaProblems), []);
  return true;
}

test('specs built from every option: valid ones render deterministically into valid objects', () => {
  let rendered = 0;
  fc.assert(
    fc.property(SPEC, (value) => {
      if (checkRender(value)) rendered++;
    }),
    { numRuns: RUNS },
  );
  // Guards against a generator whose output validation always refuses.
  assert.ok(rendered > RUNS / 4, `only ${rendered} of ${RUNS} generated specs were valid`);
});

test('damaged specs that still validate render deterministically into valid objects', () => {
  fc.assert(
    fc.property(fc.constantFrom(...BASE_SPECS), fc.array(MUTATION, { minLength: 1, maxLength: 3 }), (base, muts) => {
      checkRender(mutate(base, muts));
    }),
    { numRuns: RUNS },
  );
});
