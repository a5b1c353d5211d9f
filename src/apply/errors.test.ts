import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ConflictError,
  describeApiError,
  describeNetworkError,
  explain,
  fieldConflicts,
  KubeApiError,
  KubeError,
  oneLine,
  scrub,
  shortenValues,
} from './errors.js';

const apiErr = (status: number, reason: string, message: string) =>
  new KubeApiError(
    status,
    reason,
    message,
    'PATCH',
    '/apis/apps/v1/namespaces/demo/statefulsets/cache',
    [],
    'https://127.0.0.1:6443',
    'admin',
  );
const patchSts = {
  verb: 'patch' as const,
  resource: 'statefulsets.apps',
  object: 'StatefulSet demo/cache',
  namespace: 'demo',
};

test('403 from RBAC names the verb, resource, namespace and user', () => {
  const e = apiErr(
    403,
    'Forbidden',
    'statefulsets.apps "cache" is forbidden: User "jane" cannot patch resource "statefulsets" in API group "apps" in the namespace "demo"',
  );
  assert.equal(
    describeApiError(e, patchSts),
    'permission denied: cannot patch statefulsets.apps in namespace demo (as user "jane")',
  );
});

test('403 that is not RBAC (namespace terminating) keeps the server message', () => {
  const e = apiErr(403, 'Forbidden', 'unable to create new content in namespace demo because it is being terminated');
  assert.equal(
    describeApiError(e, patchSts),
    'forbidden: StatefulSet demo/cache: unable to create new content in namespace demo because it is being terminated',
  );
});

test('401 names the server and the kubeconfig user', () => {
  assert.equal(
    describeApiError(apiErr(401, 'Unauthorized', 'Unauthorized'), patchSts),
    'unauthorized: the API server at https://127.0.0.1:6443 rejected the credentials of kubeconfig user "admin" (Unauthorized)',
  );
});

test('409 and 404 name the object', () => {
  assert.equal(
    describeApiError(apiErr(409, 'Conflict', 'Operation cannot be fulfilled'), patchSts),
    'conflict: StatefulSet demo/cache: Operation cannot be fulfilled',
  );
  assert.equal(
    describeApiError(apiErr(404, 'NotFound', 'namespaces "demo" not found'), patchSts),
    'not found: StatefulSet demo/cache: namespaces "demo" not found',
  );
});

test('422 shows the field message, elides huge values and adds a hint for immutable StatefulSet fields', () => {
  const big = JSON.stringify([
    { name: 'data', spec: { resources: { requests: { storage: '3Gi' } }, extra: 'x'.repeat(200) } },
  ]);
  const e = apiErr(
    422,
    'Invalid',
    `StatefulSet.apps "cache" is invalid: spec.volumeClaimTemplates: Invalid value: ${big}: field is immutable`,
  );
  const m = describeApiError(e, patchSts);
  assert.match(
    m,
    /^rejected by the API server: StatefulSet\.apps "cache" is invalid: spec\.volumeClaimTemplates: Invalid value: \[…\]: field is immutable; /,
  );
  assert.match(m, /rk delete, then rk apply/);
  assert.ok(!m.includes('xxxx'));
  // CEL messages from our CRD come through unchanged.
  const cel = apiErr(
    422,
    'Invalid',
    'RedisKubernetes.kubernetes.project-planton.org "x" is invalid: spec: Invalid value: "object": sentinel.quorum must be between 1 and sentinel.sentinelReplicas',
  );
  assert.equal(describeApiError(cel, patchSts), `rejected by the API server: ${cel.apiMessage}`);
});

test('5xx and 429', () => {
  assert.match(
    describeApiError(apiErr(503, 'ServiceUnavailable', 'etcd down'), patchSts),
    /^the API server failed \(503 ServiceUnavailable\) on patch StatefulSet demo\/cache: etcd down$/,
  );
  assert.match(describeApiError(apiErr(429, 'TooManyRequests', 'slow down'), patchSts), /throttling/);
});

test('shortenValues keeps short values and strings with brackets inside', () => {
  assert.equal(shortenValues('a: Invalid value: "x": bad'), 'a: Invalid value: "x": bad');
  assert.equal(shortenValues('a: Invalid value: [1,2]: bad'), 'a: Invalid value: [1,2]: bad');
  const tricky = `Invalid value: {"s":"]}${'y'.repeat(100)}"}: bad; b: Invalid value: 3: worse`;
  assert.equal(shortenValues(tricky), 'Invalid value: {…}: bad; b: Invalid value: 3: worse');
  assert.equal(shortenValues('Invalid value: [unterminated'), 'Invalid value: [unterminated');
});

test('network errors read like a person wrote them', () => {
  assert.equal(
    describeNetworkError({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:1' }),
    'connection refused',
  );
  assert.equal(describeNetworkError({ code: 'ENOTFOUND' }), 'host not found');
  assert.match(describeNetworkError({ code: 'SELF_SIGNED_CERT_IN_CHAIN' }), /^TLS: .*unknown authority/);
  assert.equal(
    describeNetworkError({ code: 'RK_TIMEOUT', message: 'no response within 30s' }),
    'no response within 30s',
  );
  assert.equal(describeNetworkError({}), 'unknown network error');
});

test('messages are one line and secret values are scrubbed, raw and base64', () => {
  assert.equal(oneLine('a\n  b\n\nc'), 'a b c');
  assert.equal(oneLine('x'.repeat(2000)).length, 1000);
  const secret = 'hunter2-very-secret';
  const b64 = Buffer.from(secret).toString('base64');
  assert.equal(scrub(`value ${secret} and ${b64}`, [secret]), 'value *** and ***');
  assert.equal(new KubeError('two\nlines').message, 'two lines');
});

test('explain wraps API errors and keeps our own', () => {
  const mine = new KubeError('already clear');
  assert.equal(explain(mine, patchSts), mine);
  assert.equal(explain(apiErr(409, 'Conflict', 'x'), patchSts).message, 'conflict: StatefulSet demo/cache: x');
  assert.equal(explain(new Error('boom'), patchSts).message, 'patch StatefulSet demo/cache: boom');
});

// Status bodies as kube-apiserver v1.37 sends them for a server-side apply without force.
const ONE_CONFLICT = {
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  message: 'Apply failed with 1 conflict: conflict with "someone-else": .data.x',
  reason: 'Conflict',
  details: { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "someone-else"', field: '.data.x' }] },
  code: 409,
};
const TWO_CONFLICTS = {
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  message:
    'Apply failed with 2 conflicts: conflicts with "kubectl-patch" using v1:\n- .metadata.labels.a\nconflicts with "someone-else":\n- .data.x',
  reason: 'Conflict',
  details: {
    causes: [
      { reason: 'FieldManagerConflict', message: 'conflict with "someone-else"', field: '.data.x' },
      {
        reason: 'FieldManagerConflict',
        message: 'conflict with "kubectl-patch" using v1',
        field: '.metadata.labels.a',
      },
    ],
  },
  code: 409,
};
const fromStatus = (b: typeof ONE_CONFLICT) =>
  new KubeApiError(b.code, b.reason, b.message, 'PATCH', '/api/v1/namespaces/demo/configmaps/c1', b.details.causes);
const patchCm = { verb: 'patch' as const, resource: 'configmaps', object: 'ConfigMap demo/c1', namespace: 'demo' };

test('409 from server-side apply: the fields and managers come from details.causes, without "using v1"', () => {
  assert.deepEqual(fieldConflicts(fromStatus(TWO_CONFLICTS)), [
    { field: '.data.x', manager: 'someone-else' },
    { field: '.metadata.labels.a', manager: 'kubectl-patch' },
  ]);
  const subresource = new KubeApiError(409, 'Conflict', '', 'PATCH', '/x', [
    {
      reason: 'FieldManagerConflict',
      message: 'conflict with "kube-controller-manager" with subresource "scale" using apps/v1',
      field: '.spec.replicas',
    },
  ]);
  assert.deepEqual(fieldConflicts(subresource), [{ field: '.spec.replicas', manager: 'kube-controller-manager' }]);
  // Other 409s (an update racing another, AlreadyExists) have no such causes.
  assert.deepEqual(
    fieldConflicts(
      apiErr(
        409,
        'Conflict',
        'Operation cannot be fulfilled on statefulsets.apps "cache": the object has been modified',
      ),
    ),
    [],
  );
});

test('a field conflict is one line naming object, fields and managers, and the way out', () => {
  const one = explain(fromStatus(ONE_CONFLICT), patchCm);
  assert.ok(one instanceof ConflictError);
  assert.equal(
    one.message,
    'field ownership conflict: ConfigMap demo/c1 has .data.x set by field manager "someone-else"; re-run with --force-conflicts to take it over',
  );
  const two = explain(fromStatus(TWO_CONFLICTS), patchCm) as ConflictError;
  const sts = explain(
    new KubeApiError(409, 'Conflict', '', 'PATCH', '/x', [
      { reason: 'FieldManagerConflict', message: 'conflict with "hpa"', field: '.spec.replicas' },
      {
        reason: 'FieldManagerConflict',
        message: 'conflict with "hpa"',
        field: '.spec.template.spec.containers[name="valkey"].resources.limits.cpu',
      },
    ]),
    patchSts,
  ) as ConflictError;
  assert.equal(
    ConflictError.merge([two, sts]).message,
    'field ownership conflict: ConfigMap demo/c1 has .data.x set by field manager "someone-else" and .metadata.labels.a set by field manager "kubectl-patch"; ' +
      'StatefulSet demo/cache has .spec.replicas, .spec.template.spec.containers[name="valkey"].resources.limits.cpu set by field manager "hpa"; re-run with --force-conflicts to take them over',
  );
});
