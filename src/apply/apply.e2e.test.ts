// rk apply / diff / delete against a real kube-apiserver and controller-manager (no node: pods
// stay Pending, so these tests use --no-wait; test/e2e/examples.e2e.test.ts runs pods with the node agent).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { customResourceDefinition } from '../api/crd.js';
import { parseDocuments } from '../api/load.js';
import { validateDocument } from '../api/validate.js';
import { applyCommand } from '../cli/applyCommand.js';
import { deleteCommand } from '../cli/deleteCommand.js';
import { diffCommand } from '../cli/diffCommand.js';
import type { StackOutputs } from '../api/stackOutputs.js';
import type { KubeObject } from '../render/objects.js';
import { stackOutputs } from '../render/outputs.js';
import { resourcePath } from './discovery.js';
import {
  installCrds,
  ROOT,
  run,
  startControlPlane,
  THIRD_PARTY_CRDS,
  type ControlPlane,
} from '../../test/support/controlPlane.js';
import { readObject, serverSideApply } from './serverSideApply.js';
import { connect, type Session } from './session.js';

let cp: ControlPlane;
let s: Session;
let tmp: string;
const EXAMPLES = join(ROOT, 'examples');

before(async () => {
  const t0 = Date.now();
  cp = await startControlPlane();
  s = connect({ kubeconfig: cp.kubeconfigPath });
  tmp = mkdtempSync(join(cp.dir, 'specs-'));
  process.stderr.write(`[apply e2e] control plane up in ${Date.now() - t0}ms\n`);
});
after(async () => {
  await cp?.stop();
});

const kc = () => ({ kubeconfig: cp.kubeconfigPath });
const apply = (file: string, extra: Record<string, unknown> = {}) =>
  run((io) => applyCommand({ ...kc(), file, timeout: 60, wait: false, ...extra }, io));
const diff = (file: string) => run((io) => diffCommand({ ...kc(), file }, io));
const del = (file: string, purge = false) => run((io) => deleteCommand({ ...kc(), file, purge, timeout: 60 }, io));

/** Writes a spec: an example with `edit` applied to its parsed document. */
function spec(name: string, from: string, edit: (doc: any) => void = () => {}): string {
  const doc = parse(readFileSync(join(EXAMPLES, from), 'utf8'));
  edit(doc);
  const file = join(tmp, `${name}.yaml`);
  writeFileSync(file, stringify(doc));
  return file;
}

/** rk itself in a child process: what users see, with main parsing the flags and printing the error. */
function rk(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'rk.js'), ...args, '--kubeconfig', cp.kubeconfigPath], {
    encoding: 'utf8',
    env: { ...process.env, RK_DEBUG: '' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function core(method: string, path: string, body?: unknown): Promise<any> {
  return s.http.request(method, path, body === undefined ? {} : { body });
}
async function ensureNamespace(ns: string): Promise<void> {
  const info = await s.discovery.resolve('v1', 'Namespace');
  await serverSideApply(s, info, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }, { dryRun: false });
}
async function names(ns: string, plural: string, apiPrefix = '/api/v1', selector = ''): Promise<string[]> {
  const list = await s.http.request<{ items: KubeObject[] }>('GET', `${apiPrefix}/namespaces/${ns}/${plural}`, {
    query: { labelSelector: selector || undefined },
  });
  return list.items.map((o) => o.metadata.name).sort();
}

test('dry-run in a namespace that does not exist yet (createNamespace) says what it could not validate', async () => {
  const r = await apply(join(EXAMPLES, 'planton-basic.yaml'), { dryRun: 'server' });
  assert.equal(r.code, 0, r.err.join('\n'));
  assert.ok(r.out.includes('namespace/my-namespace created (server dry run)'), r.out.join('\n'));
  assert.ok(
    r.out.some((l) =>
      /^statefulset\.apps\/basic-redis created \(server dry run\); not validated: namespace my-namespace does not exist yet$/.test(
        l,
      ),
    ),
    r.out.join('\n'),
  );
  const ns = await readObject(s, await s.discovery.resolve('v1', 'Namespace'), undefined, 'my-namespace');
  assert.equal(ns, null, 'a dry run creates nothing');
});

test('a missing namespace without createNamespace, a missing user Secret and missing CRDs are clear errors', async () => {
  const noCreate = spec('no-create-namespace', 'standalone.yaml', (d) => delete d.spec.createNamespace);
  const r1 = await apply(noCreate, { dryRun: 'server' });
  assert.equal(r1.code, 1);
  assert.deepEqual(r1.err, [
    'error: namespace demo does not exist: create it (kubectl create namespace demo), or set spec.createNamespace: true',
  ]);

  await ensureNamespace('payments');
  const r2 = await apply(join(EXAMPLES, 'production.yaml'), { dryRun: 'server' });
  assert.deepEqual(r2.err, [
    'error: Secret payments/orders-cache-password does not exist: spec.auth.existingSecret names it, so create it (with key "password") before applying',
  ]);

  await core('POST', '/api/v1/namespaces/payments/secrets', {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'orders-cache-password' },
    stringData: { password: 'user-chosen-secret-1' },
  });
  const r3 = await apply(join(EXAMPLES, 'production.yaml'), { dryRun: 'server' });
  assert.equal(r3.code, 1);
  assert.equal(r3.err.length, 1);
  assert.match(
    r3.err[0]!,
    /^error: tls\.issuerRef needs cert-manager's CRDs \(Certificate: cert-manager\.io\/v1\) installed; .*; metrics\.enabled needs the prometheus-operator CRDs \(ServiceMonitor, PrometheusRule: monitoring\.coreos\.com\/v1\) installed/,
  );
  assert.deepEqual(r3.out, [], 'nothing is sent before the checks pass');
});

test('every example is accepted by the API server in a dry run', async () => {
  await installCrds(s, THIRD_PARTY_CRDS);
  s.discovery.forget('cert-manager.io/v1');
  for (const ns of ['demo', 'my-namespace', 'payments']) await ensureNamespace(ns);
  const examples = readdirSync(EXAMPLES)
    .filter((f) => f.endsWith('.yaml'))
    .sort();
  assert.ok(examples.length >= 6);
  for (const f of examples) {
    const t0 = Date.now();
    const r = await apply(join(EXAMPLES, f), { dryRun: 'server' });
    assert.equal(r.code, 0, `${f}: ${r.err.join('\n')}`);
    // Namespaces were created above: those are unchanged, everything else is new.
    assert.ok(
      r.out.length >= 6 &&
        r.out.every(
          (l) => / created \(server dry run\)$/.test(l) || /^namespace\/\S+ unchanged \(server dry run\)$/.test(l),
        ),
      `${f}:\n${r.out.join('\n')}`,
    );
    assert.ok(!r.out.some((l) => /not validated/.test(l)));
    process.stderr.write(`[apply e2e] dry run ${f}: ${r.out.length} objects in ${Date.now() - t0}ms\n`);
  }
  const prod = await apply(join(EXAMPLES, 'production.yaml'), { dryRun: 'server' });
  for (const kind of [
    'certificate.cert-manager.io/orders-cache-tls',
    'servicemonitor.monitoring.coreos.com/orders-cache',
    'prometheusrule.monitoring.coreos.com/orders-cache',
  ]) {
    assert.ok(prod.out.includes(`${kind} created (server dry run)`), prod.out.join('\n'));
  }
  assert.ok(
    prod.err.some(
      (l) =>
        l ===
        'warning: PriorityClass high-priority does not exist (scheduling.priorityClassName): the pods cannot be created until it does',
    ),
    prod.err.join('\n'),
  );
  assert.ok(
    prod.err.some((l) => /^warning: StorageClass premium-rwo does not exist/.test(l)),
    prod.err.join('\n'),
  );
  assert.deepEqual(await names('demo', 'statefulsets', '/apis/apps/v1'), [], 'dry runs created nothing');
  assert.ok(!JSON.stringify(prod).includes('user-chosen-secret-1'));
});

test('apply -o json: one JSON document per instance on stdout, with the stack outputs; object lines on stderr', async () => {
  for (const ns of ['demo']) await ensureNamespace(ns);
  const file = join(tmp, 'two.yaml');
  writeFileSync(
    file,
    ['sentinel.yaml', 'cluster.yaml'].map((f) => readFileSync(join(EXAMPLES, f), 'utf8')).join('\n---\n'),
  );
  const r = rk(['apply', '-o', 'json', '--dry-run=server', '-f', file]);
  assert.equal(r.code, 0, r.stderr);
  // Pretty-printed documents, one after another: each starts with "{" and ends with "}" at column 0.
  const docs = r.stdout
    .split(/^(?=\{$)/m)
    .filter((d) => d.trim())
    .map((d) => JSON.parse(d) as { name: string; dryRun: boolean; objects: unknown[]; outputs: StackOutputs });
  const insts = parseDocuments(readFileSync(file, 'utf8'), file).map((d) => validateDocument(d).instance!);
  assert.deepEqual(
    docs.map((d) => [d.name, d.dryRun, d.outputs]),
    insts.map((i) => [i.name, true, stackOutputs(i)]),
  );
  assert.ok(docs.every((d) => d.objects.length >= 6));
  assert.match(r.stderr, /^statefulset\.apps\/sessions created \(server dry run\)$/m);
  assert.equal(docs[0]!.outputs.sentinel!.masterName, 'demo.sessions');
  assert.equal(docs[1]!.outputs.clusterSeedEndpoints!.length, 6);
});

test('apply, then diff shows nothing; a second apply changes nothing and keeps the generated password', async () => {
  await ensureNamespace('demo');
  const file = join(EXAMPLES, 'standalone.yaml');
  const t0 = Date.now();
  const r1 = await apply(file);
  assert.equal(r1.code, 0, r1.err.join('\n'));
  assert.deepEqual(r1.out, [
    // The example sets createNamespace: apply takes over the existing namespace's labels.
    'namespace/demo configured',
    'serviceaccount/cache created',
    'secret/cache-auth created',
    'configmap/cache-config created',
    'configmap/cache-scripts created',
    'service/cache created',
    'service/cache-headless created',
    'statefulset.apps/cache created',
    'networkpolicy.networking.k8s.io/cache created',
  ]);
  process.stderr.write(`[apply e2e] apply standalone (no wait): ${Date.now() - t0}ms\n`);
  const secretInfo = await s.discovery.resolve('v1', 'Secret');
  const password1 = (await readObject(s, secretInfo, 'demo', 'cache-auth'))!.data as Record<string, string>;
  assert.equal(Buffer.from(password1.password!, 'base64').toString().length, 43, '32 random bytes, base64url');

  const d = await diff(file);
  assert.deepEqual([d.code, d.out], [0, []], d.err.join('\n'));

  const r2 = await apply(file);
  assert.equal(r2.code, 0);
  assert.ok(
    r2.out.every((l) => l.endsWith(' unchanged')),
    r2.out.join('\n'),
  );
  const password2 = (await readObject(s, secretInfo, 'demo', 'cache-auth'))!.data as Record<string, string>;
  assert.deepEqual(password2, password1);
  const pw = Buffer.from(password1.password!, 'base64').toString();
  for (const r of [r1, r2, d])
    assert.ok(
      !JSON.stringify(r).includes(pw) && !JSON.stringify(r).includes(password1.password!),
      'the password never appears in output',
    );

  // The NetworkPolicy's `from` peers (which client-node's typed models would drop) are stored.
  const np = await core('GET', '/apis/networking.k8s.io/v1/namespaces/demo/networkpolicies/cache');
  assert.ok(
    np.spec.ingress.every((r: { from?: unknown[] }) => Array.isArray(r.from) && r.from.length > 0),
    JSON.stringify(np.spec.ingress),
  );
});

test('changing maxmemoryPolicy: diff exits 1 with the ConfigMap line and the StatefulSet checksum; apply configures both', async () => {
  const file = spec('cache-lru', 'standalone.yaml', (d) => {
    d.spec.config = { maxmemoryPolicy: 'allkeys-lru' };
  });
  const d = await diff(file);
  assert.equal(d.code, 1, d.err.join('\n'));
  const text = d.out.join('\n');
  assert.match(text, /^--- configmap\/cache-config \(live, namespace demo\)$/m);
  assert.match(text, /^- {4}maxmemory-policy noeviction$/m);
  assert.match(text, /^\+ {4}maxmemory-policy allkeys-lru$/m);
  assert.match(text, /^--- statefulset\.apps\/cache \(live, namespace demo\)$/m);
  assert.match(text, /^- {8}redis-kubernetes\.io\/config-checksum: \w+$/m);
  assert.match(text, /^\+ {8}redis-kubernetes\.io\/config-checksum: \w+$/m);
  assert.ok(!/secret|scripts/.test(d.out.filter((l) => l.startsWith('---')).join('\n')), 'nothing else changes');

  const dry = await apply(file, { dryRun: 'server' });
  assert.ok(
    dry.out.includes('configmap/cache-config configured (server dry run)') &&
      dry.out.includes('statefulset.apps/cache configured (server dry run)') &&
      dry.out.includes('service/cache unchanged (server dry run)'),
    dry.out.join('\n'),
  );
  assert.equal((await diff(file)).code, 1, 'the dry run changed nothing');

  const r = await apply(file);
  assert.deepEqual(
    r.out.filter((l) => !l.endsWith(' unchanged')),
    ['configmap/cache-config configured', 'statefulset.apps/cache configured'],
  );
  assert.deepEqual((await diff(file)).code, 0);
  assert.equal((await diff(join(EXAMPLES, 'standalone.yaml'))).code, 1, 'and back');
});

test('SENTINEL → STANDALONE prunes the sentinel StatefulSet, Services and PDBs, never the Secret or PVCs', async () => {
  await ensureNamespace('demo');
  const disk = (d: any) => {
    d.metadata.name = 'switch';
    d.spec.persistence = { diskSize: '2Gi' };
  };
  const sentinel = spec('switch-sentinel', 'sentinel.yaml', disk);
  const standalone = spec('switch-standalone', 'standalone.yaml', disk);
  const r1 = await apply(sentinel);
  assert.equal(r1.code, 0, r1.err.join('\n'));
  assert.ok(
    r1.out.includes('statefulset.apps/switch-sentinel created') &&
      r1.out.includes('poddisruptionbudget.policy/switch-sentinel created'),
    r1.out.join('\n'),
  );
  // A user's own object carrying our labels is not ours to prune.
  await core('POST', '/api/v1/namespaces/demo/configmaps', {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: 'switch-notes',
      labels: { 'app.kubernetes.io/instance': 'switch', 'app.kubernetes.io/managed-by': 'redis-kubernetes' },
    },
  });

  const d = await diff(standalone);
  assert.equal(d.code, 1);
  const pruned = [
    'service/switch-master',
    'service/switch-sentinel',
    'service/switch-sentinel-headless',
    'statefulset.apps/switch-sentinel',
    'poddisruptionbudget.policy/switch',
    'poddisruptionbudget.policy/switch-sentinel',
  ];
  for (const p of pruned)
    assert.ok(d.out.includes(`--- ${p} (would be pruned, namespace demo)`), `${p}:\n${d.out.join('\n')}`);
  assert.ok(d.out.includes('+++ service/switch (new, namespace demo)'));

  const dry = await apply(standalone, { dryRun: 'server' });
  for (const p of pruned) assert.ok(dry.out.includes(`${p} pruned (server dry run)`), dry.out.join('\n'));
  // Nothing was deleted, nor marked for deletion.
  for (const [prefix, plural, name] of [
    ['/apis/apps/v1', 'statefulsets', 'switch-sentinel'],
    ['/api/v1', 'services', 'switch-master'],
    ['/apis/policy/v1', 'poddisruptionbudgets', 'switch'],
  ] as const) {
    const o = await core('GET', `${prefix}/namespaces/demo/${plural}/${name}`);
    assert.equal(o.metadata.deletionTimestamp, undefined, `${plural}/${name} untouched by the dry run`);
  }

  const r2 = await apply(standalone);
  assert.equal(r2.code, 0, r2.err.join('\n'));
  assert.deepEqual(r2.out.filter((l) => l.endsWith(' pruned')).sort(), pruned.map((p) => `${p} pruned`).sort());
  assert.ok(r2.out.includes('statefulset.apps/switch configured'));
  // Foreground deletion: the pruned StatefulSet lingers until the garbage collector has removed its pods.
  const until = Date.now() + 20_000;
  while (
    (await names('demo', 'statefulsets', '/apis/apps/v1', 'app.kubernetes.io/instance=switch')).length > 1 &&
    Date.now() < until
  )
    await new Promise((r) => setTimeout(r, 200)); // the poll interval
  assert.deepEqual(await names('demo', 'statefulsets', '/apis/apps/v1', 'app.kubernetes.io/instance=switch'), [
    'switch',
  ]);
  assert.deepEqual(
    await names('demo', 'poddisruptionbudgets', '/apis/policy/v1', 'app.kubernetes.io/instance=switch'),
    [],
  );
  assert.deepEqual(await names('demo', 'services', '/api/v1', 'app.kubernetes.io/instance=switch'), [
    'switch',
    'switch-headless',
  ]);
  assert.ok((await names('demo', 'secrets')).includes('switch-auth'));
  assert.ok((await names('demo', 'configmaps')).includes('switch-notes'));
  assert.equal((await diff(standalone)).code, 0);
});

test('delete removes what the instance owns except PVCs and the password; twice is fine; --purge removes those too', async () => {
  const file = spec('switch-standalone-2', 'standalone.yaml', (d) => {
    d.metadata.name = 'switch';
    d.spec.persistence = { diskSize: '2Gi' };
  });
  // The StatefulSet controller creates the claims even without a node.
  const deadline = Date.now() + 20_000;
  while (!(await names('demo', 'persistentvolumeclaims')).includes('data-switch-0') && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 200)); // the poll interval
  const claims = (await names('demo', 'persistentvolumeclaims')).filter((n) => n.startsWith('data-switch-'));
  assert.ok(claims.includes('data-switch-0'), claims.join(','));

  const r1 = await del(file);
  assert.equal(r1.code, 0, r1.err.join('\n'));
  assert.ok(
    r1.out.includes('statefulset.apps/switch deleted') &&
      r1.out.includes('configmap/switch-config deleted') &&
      r1.out.includes('serviceaccount/switch deleted'),
    r1.out.join('\n'),
  );
  assert.ok(
    r1.err.some((l) => l.startsWith(`kept ${claims.length} PersistentVolumeClaim(s) with the data: data-switch-0`)),
    r1.err.join('\n'),
  );
  const sel = 'app.kubernetes.io/instance=switch';
  assert.deepEqual(await names('demo', 'statefulsets', '/apis/apps/v1', sel), []);
  assert.deepEqual(await names('demo', 'services', '/api/v1', sel), []);
  assert.deepEqual(await names('demo', 'pods', '/api/v1', sel), []);
  assert.deepEqual(await names('demo', 'persistentvolumeclaims', '/api/v1', sel), claims);
  assert.ok((await names('demo', 'secrets')).includes('switch-auth'));

  const r2 = await del(file);
  assert.equal(r2.code, 0);
  assert.ok(
    r2.err.some((l) => l.startsWith('nothing to delete')),
    r2.err.join('\n'),
  );

  const r3 = await del(file, true);
  assert.equal(r3.code, 0, r3.err.join('\n'));
  assert.ok(
    r3.out.includes('secret/switch-auth deleted') && r3.out.includes('persistentvolumeclaim/data-switch-0 deleted'),
    r3.out.join('\n'),
  );
  assert.deepEqual(await names('demo', 'persistentvolumeclaims', '/api/v1', sel), []);
  assert.ok(!(await names('demo', 'secrets')).includes('switch-auth'));
  assert.ok((await core('GET', '/api/v1/namespaces/demo')).metadata.name === 'demo', 'the namespace stays');
  assert.equal((await del(file, true)).code, 0);
});

test('the RedisKubernetes CRD installs; a valid resource is accepted, quorum > sentinelReplicas is rejected with the CEL message', async () => {
  await installCrds(s, [customResourceDefinition() as unknown as KubeObject]);
  const info = await s.discovery.resolve('kubernetes.project-planton.org/v1', 'RedisKubernetes');
  const cr = parse(readFileSync(join(EXAMPLES, 'sentinel.yaml'), 'utf8')) as KubeObject;
  cr.metadata.namespace = 'demo';
  const stored = await serverSideApply(s, info, cr, { dryRun: false });
  assert.equal(stored.metadata.name, 'sessions');

  const bad = JSON.parse(JSON.stringify(cr)) as KubeObject & { spec: { sentinel: Record<string, number> } };
  bad.metadata.name = 'bad-quorum';
  bad.spec.sentinel.quorum = 5;
  await assert.rejects(serverSideApply(s, info, bad, { dryRun: true }), (e: Error) => {
    assert.match(
      e.message,
      /^rejected by the API server: RedisKubernetes\.kubernetes\.project-planton\.org "bad-quorum" is invalid: .*sentinel\.quorum must be between 1 and sentinel\.sentinelReplicas/,
    );
    return true;
  });
  assert.equal(await readObject(s, info, 'demo', 'bad-quorum'), null);

  // The rules on sub-schemas (src/api/fieldRules.ts): the apiserver refuses what rk validate refuses.
  const variant = (name: string, edit: (spec: any) => void) => {
    const v = JSON.parse(JSON.stringify(cr)) as KubeObject & { spec: any };
    v.metadata.name = name;
    edit(v.spec);
    return v;
  };
  for (const [name, edit, message] of [
    [
      'request-above-limit',
      (sp: any) => {
        sp.container.resources.requests = { memory: '2Gi' };
      },
      /spec\.container\.resources: Invalid value: requests must not exceed limits/,
    ],
    [
      'sentinel-cpu-above-limit',
      (sp: any) => {
        sp.sentinel.resources = { requests: { cpu: '1500m' }, limits: { cpu: '1' } };
      },
      /spec\.sentinel\.resources: Invalid value: requests must not exceed limits/,
    ],
    [
      'managed-directive',
      (sp: any) => {
        sp.config = { extra: { Timeout: '300', requirepass: 'x' } };
      },
      /spec\.config\.extra: Invalid value: config\.extra may only set allow-listed directives/,
    ],
  ] as const) {
    await assert.rejects(
      serverSideApply(s, info, variant(name, edit), { dryRun: true }),
      (e: Error) => {
        assert.match(e.message, message);
        return true;
      },
      name,
    );
    const r = validateDocument(parseDocuments(stringify(variant(name, edit)), `${name}.yaml`)[0]!);
    const why = {
      'request-above-limit': /is more than the limit/,
      'sentinel-cpu-above-limit': /is more than the limit/,
      'managed-directive': /managed through spec\.auth/,
    }[name];
    assert.ok(
      r.diagnostics.some((d) => d.severity === 'error' && why.test(d.message)),
      `rk validate refuses ${name} too, for the same reason: ${JSON.stringify(r.diagnostics)}`,
    );
  }
  const fine = variant('extra-allowed', (sp: any) => {
    sp.config = { extra: { Timeout: '300' } };
    sp.container.resources.requests = { memory: '1Gi', cpu: '500m' };
  });
  await serverSideApply(s, info, fine, { dryRun: true });
});

test('connection, authentication and authorization failures are one clear line', async () => {
  const file = join(EXAMPLES, 'standalone.yaml');
  // Unknown context.
  const r1 = await run((io) =>
    applyCommand({ kubeconfig: cp.kubeconfigPath, context: 'prod', file, timeout: 10, wait: false }, io),
  );
  assert.equal(r1.code, 1);
  assert.match(r1.err[0]!, /^error: context "prod" is not in .*kubeconfig; available: \S+/);

  const base = parse(readFileSync(cp.kubeconfigPath, 'utf8'));
  const variant = (name: string, edit: (k: any) => void) => {
    const k = JSON.parse(JSON.stringify(base));
    edit(k);
    const f = join(tmp, name);
    writeFileSync(f, stringify(k));
    return f;
  };

  // Nothing listening.
  const closed = variant('closed.kubeconfig', (k) => {
    k.clusters[0].cluster.server = 'https://127.0.0.1:1';
  });
  const r2 = await run((io) => applyCommand({ kubeconfig: closed, file, timeout: 10, wait: false }, io));
  assert.deepEqual(r2.err, ['error: cannot reach the Kubernetes API at https://127.0.0.1:1: connection refused']);
  const r2d = await run((io) => diffCommand({ kubeconfig: closed, file }, io));
  assert.equal(r2d.code, 2, 'diff errors are exit 2, never 1');

  // Bad token: 401.
  const userName = base.users[0].name as string;
  const badToken = variant('bad-token.kubeconfig', (k) => {
    k.users[0].user = { token: 'not-a-real-token' };
  });
  const r3 = await run((io) => applyCommand({ kubeconfig: badToken, file, timeout: 10, wait: false }, io));
  assert.equal(r3.code, 1);
  assert.match(
    r3.err[0]!,
    new RegExp(
      `^error: unauthorized: the API server at ${cp.server.replace(/\./g, '\\.')} rejected the credentials of kubeconfig user "${userName}"`,
    ),
  );

  // A service account with read-only rights: 403 on the first write, naming verb, resource, namespace and user.
  await core('POST', '/api/v1/namespaces/demo/serviceaccounts', {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: 'reader' },
  });
  await core('POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/demo/roles', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: 'reader' },
    rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['get', 'list'] }],
  });
  await core('POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/demo/rolebindings', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'reader' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' },
    subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace: 'demo' }],
  });
  const tr = await core('POST', '/api/v1/namespaces/demo/serviceaccounts/reader/token', {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    spec: { expirationSeconds: 600 },
  });
  const reader = variant('reader.kubeconfig', (k) => {
    k.users[0].user = { token: tr.status.token };
  });
  const r4 = await run((io) => applyCommand({ kubeconfig: reader, file, timeout: 10, wait: false }, io));
  assert.equal(r4.code, 1);
  assert.match(
    r4.err.at(-1)!,
    /^error: \S+: permission denied: cannot patch \S+ in namespace demo \(as user "system:serviceaccount:demo:reader"\)/,
  );
  assert.ok(!JSON.stringify(r4).includes(tr.status.token));
  const r4d = await run((io) => diffCommand({ kubeconfig: reader, file }, io));
  assert.equal(r4d.code, 2);

  // resourcePath is what the API server serves for every kind we render.
  assert.equal(
    resourcePath(await s.discovery.resolve('policy/v1', 'PodDisruptionBudget'), 'demo', 'x'),
    '/apis/policy/v1/namespaces/demo/poddisruptionbudgets/x',
  );
});

test('a change the API server refuses (an immutable StatefulSet field) is one line, and nothing is written', async () => {
  const file = spec('cache-bigger-disk', 'standalone.yaml', (d) => {
    d.spec.persistence = { diskSize: '50Gi' };
  });
  const cmPath = '/api/v1/namespaces/demo/configmaps/cache-config';
  const versionBefore = (await core('GET', cmPath)).metadata.resourceVersion;
  const r = await apply(file);
  assert.equal(r.code, 1);
  assert.equal(r.err.length, 1, r.err.join('\n'));
  assert.match(
    r.err[0]!,
    /^error: statefulset\.apps\/cache: rejected by the API server: StatefulSet\.apps "cache" is invalid: spec\.volumeClaimTemplates: .*field is immutable; a StatefulSet cannot change its volume claim template .*: rk delete, then rk apply recreates it/,
  );
  assert.deepEqual(r.out, [], 'every object is checked before the first write');
  assert.equal((await core('GET', cmPath)).metadata.resourceVersion, versionBefore);
});

test('a field another manager changed stops apply in its dry run with one line; diff shows it; --force-conflicts takes it back', async () => {
  const file = join(EXAMPLES, 'standalone.yaml');
  assert.equal((await apply(file)).code, 0);
  const cmPath = '/api/v1/namespaces/demo/configmaps/cache-config';
  const ours = (await core('GET', cmPath)).data['valkey.conf'];
  await s.http.request('PATCH', cmPath, {
    query: { fieldManager: 'someone-else', force: 'true' },
    contentType: 'application/apply-patch+yaml',
    body: {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cache-config', namespace: 'demo' },
      data: { 'valkey.conf': 'maxmemory 1mb\n' },
    },
  });
  const versionBefore = (await core('GET', cmPath)).metadata.resourceVersion;
  const conflict =
    'field ownership conflict: ConfigMap demo/cache-config has .data.valkey.conf set by field manager "someone-else"';

  const r = rk(['apply', '--no-wait', '-f', file]);
  assert.deepEqual(
    [r.code, r.stdout, r.stderr],
    [1, '', `error: ${conflict}; re-run with --force-conflicts to take it over\n`],
  );
  const dry = await apply(file, { dryRun: 'server' });
  assert.deepEqual(
    [dry.code, dry.out, dry.err],
    [1, [], [`error: ${conflict}; re-run with --force-conflicts to take it over`]],
  );
  assert.equal((await core('GET', cmPath)).metadata.resourceVersion, versionBefore, 'nothing was written');

  const d = await diff(file);
  assert.equal(d.code, 1, d.err.join('\n'));
  assert.deepEqual(d.err, [
    `warning: ${conflict}: rk apply stops there unless run with --force-conflicts (the diff shows the values it would set)`,
  ]);
  assert.match(d.out.join('\n'), /^- {4}maxmemory 1mb$/m);
  assert.deepEqual(
    d.out.filter((l) => l.startsWith('--- ')),
    ['--- configmap/cache-config (live, namespace demo)'],
  );

  const forced = rk(['apply', '--force-conflicts', '--no-wait', '-f', file]);
  assert.equal(forced.code, 0, forced.stderr);
  assert.deepEqual(
    forced.stdout.split('\n').filter((l) => l && !l.endsWith(' unchanged')),
    ['configmap/cache-config configured'],
  );
  const cm = await core('GET', cmPath);
  assert.equal(cm.data['valkey.conf'], ours);
  assert.ok(
    !JSON.stringify(
      cm.metadata.managedFields.filter((m: { manager: string }) => m.manager === 'someone-else'),
    ).includes('valkey.conf'),
    'the field is ours alone again',
  );
  // Our own re-applies (one constant field manager) never conflict with each other.
  const again = await apply(file);
  assert.equal(again.code, 0, again.err.join('\n'));
  assert.ok(
    again.out.every((l) => l.endsWith(' unchanged')),
    again.out.join('\n'),
  );
  assert.equal((await diff(file)).code, 0);
});
