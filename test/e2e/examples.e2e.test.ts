// Every example in examples/ on a real one-node cluster (control plane + node agent), through the
// real `rk` command line with KUBECONFIG from the environment: server dry run accepted, apply
// until every pod is Running and Ready, Valkey answering with auth on every pod IP, what each
// mode promises (data survives its pod; sentinel failover and rejoin; cluster bus), nothing to
// diff right after apply, and delete removing it all.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CoreV1Api } from '@kubernetes/client-node';
import type { Instance } from '../../src/api/instance.js';
import { installCrds, THIRD_PARTY_CRDS } from '../support/controlPlane.js';
import { connect } from '../../src/apply/session.js';
import { loadInstances } from '../../src/cli/input.js';
import { render } from '../../src/render/render.js';
import { waitFor } from '../agent/wait.js';
import { startTestCluster, type TestCluster } from './cluster.js';
import { prepareFor } from './examplePrereqs.js';
import { listPods, readyPods, type Access } from './instancePods.js';
import {
  clusterPodsReachable,
  sentinelGroupHealthy,
  sentinelPodRejoinsAfterFailover,
  standaloneDataSurvivesPodDeletion,
} from './modeChecks.js';
import { REPO_ROOT, rk } from './rkCli.js';
import { valkeyCli } from './valkeyCli.js';

const EXAMPLES = join(REPO_ROOT, 'examples');
const files = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith('.yaml'))
  .sort();
const figures: Record<string, { applyToReadyMs: number; pods: number }> = {};
const log = (m: string) => process.stderr.write(`[examples e2e] ${m}\n`);

describe('every example on a real cluster', { timeout: 900_000 }, () => {
  let cluster: TestCluster;
  let core: CoreV1Api;
  let env: Record<string, string>;
  let workDir: string;

  before(async () => {
    cluster = await startTestCluster();
    core = cluster.kubeconfig.makeApiClient(CoreV1Api);
    env = { KUBECONFIG: cluster.kubeconfigPath };
    workDir = mkdtempSync(join(cluster.dir, 'examples-'));
    // cert-manager and prometheus-operator are not running; their kinds must be served for
    // production.yaml's Certificate, ServiceMonitor and PrometheusRule to be accepted.
    await installCrds(connect({ kubeconfig: cluster.kubeconfigPath }), THIRD_PARTY_CRDS);
  });
  after(async () => {
    await cluster?.stop();
    log(`figures ${JSON.stringify({ controlPlaneStartMs: cluster?.timings.total, examples: figures })}`);
  });

  test('examples/ holds every mode', () => {
    assert.ok(files.length >= 6, files.join(', '));
  });

  test('through the binary, an unreachable cluster or a missing kubeconfig is one line on stderr, exit 1', async () => {
    const closed = join(workDir, 'closed.kubeconfig');
    writeFileSync(closed, readFileSync(cluster.kubeconfigPath, 'utf8').replace(cluster.server, 'https://127.0.0.1:1'));
    const path = join(EXAMPLES, 'standalone.yaml');
    for (const [args, e, want] of [
      [
        ['apply', '-f', path],
        { KUBECONFIG: closed },
        'error: cannot reach the Kubernetes API at https://127.0.0.1:1: connection refused',
      ],
      [
        ['delete', '-f', path],
        { KUBECONFIG: join(workDir, 'missing.kubeconfig') },
        `error: cannot load kubeconfig $KUBECONFIG (${join(workDir, 'missing.kubeconfig')}): no such file`,
      ],
    ] as const) {
      const r = await rk([...args], { ...e });
      assert.deepEqual([r.code, r.out, r.err], [1, [], [want]]);
    }
  });

  for (const file of files) {
    test(
      `${file}: dry run, apply to Ready, serves with auth, mode checks, empty diff, delete`,
      { timeout: 300_000 },
      async () => {
        const path = join(EXAMPLES, file);
        const inst = loadInstances(path, { quiet: true })[0]!.instance;
        const objects = render(inst, inst.auth.generated ? { generatedPassword: 'not-used-for-the-count' } : {});
        const podCount = objects
          .filter((o) => o.kind === 'StatefulSet')
          .reduce((n, o) => n + ((o.spec as { replicas?: number }).replicas ?? 1), 0);
        const prepared = await prepareFor(cluster.kubeconfig, inst, objects, workDir);

        const dry = await rk(['apply', '-f', path, '--dry-run=server'], env);
        assert.equal(dry.code, 0, dry.err.join('\n'));
        // The API server refuses even a dry-run create in a namespace that does not exist yet; rk
        // says so per object (src/apply/apply.e2e.test.ts dry-runs every example in existing namespaces).
        const nsExists = await core.readNamespace({ name: inst.namespace }).then(
          () => true,
          () => false,
        );
        const unvalidated = `(server dry run); not validated: namespace ${inst.namespace} does not exist yet`;
        assert.ok(
          dry.out.length > 0 &&
            dry.out.every((l) => l.endsWith('(server dry run)') || (!nsExists && l.endsWith(unvalidated))),
          dry.out.join('\n'),
        );
        assert.equal((await listPods(core, inst)).length, 0, 'a dry run starts nothing');

        const applied = await rk(['apply', '-f', path, '--timeout', '180'], env);
        assert.equal(applied.code, 0, `${applied.err.join('\n')}\n${applied.out.join('\n')}`);
        assert.ok(
          // Only a standalone instance is usable when its pods are; apply says so for the others.
          applied.err.some((l) =>
            new RegExp(
              `^${inst.namespace}/${inst.name}: ${inst.mode === 'STANDALONE' ? 'ready in [\\d.]+s$' : 'pods ready in [\\d.]+s[,;] '}`,
            ).test(l),
          ),
          applied.err.join('\n'),
        );
        figures[file] = { applyToReadyMs: applied.ms, pods: podCount };
        log(`${file}: rk apply to Ready in ${applied.ms}ms (${podCount} pods)`);

        const password = prepared.userPassword ?? (inst.auth.enabled ? await readPassword(core, inst) : undefined);
        const access: Access = {
          ...(password ? { password } : {}),
          ...(prepared.tlsCaFile ? { tlsCaFile: prepared.tlsCaFile } : {}),
        };
        for (const r of [dry, applied])
          assert.ok(!password || !JSON.stringify(r).includes(password), 'the password never appears in output');

        const pods = await readyPods(core, inst, podCount, access);
        for (const p of pods) {
          assert.equal(await valkeyCli(p, 'ping'), 'PONG', `${p.name} at ${p.ip}:${p.port}`);
          if (password)
            assert.match(
              await valkeyCli(
                { ip: p.ip, port: p.port, ...(access.tlsCaFile ? { tlsCaFile: access.tlsCaFile } : {}) },
                'ping',
              ),
              /NOAUTH/,
              `${p.name} requires the password`,
            );
        }
        const data = pods.filter((p) => p.role === 'data');
        const sentinels = pods.filter((p) => p.role === 'sentinel');

        if (inst.mode === 'STANDALONE' && inst.persistence.mode !== 'NONE')
          await standaloneDataSurvivesPodDeletion(core, inst, data[0]!, access);
        if (inst.mode === 'SENTINEL') {
          const view = await sentinelGroupHealthy(inst, data, sentinels);
          // One sentinel example exercises failover; production.yaml is the same topology over TLS.
          if (file === 'sentinel.yaml')
            await sentinelPodRejoinsAfterFailover(core, inst, view, data, sentinels, access);
        }
        if (inst.mode === 'CLUSTER') await clusterPodsReachable(data, 16379);

        const diff = await rk(['diff', '-f', path], env);
        assert.deepEqual([diff.code, diff.out], [0, []], diff.err.join('\n'));

        const deleted = await rk(['delete', '-f', path, '--purge'], env);
        assert.equal(deleted.code, 0, deleted.err.join('\n'));
        assert.ok(
          deleted.out.some((l) => l.startsWith('statefulset.apps/') && l.endsWith(' deleted')),
          deleted.out.join('\n'),
        );
        await waitFor(`${inst.name}'s pods gone`, 60_000, async () => (await listPods(core, inst)).length === 0);
        const claims = (
          await core.listNamespacedPersistentVolumeClaim({
            namespace: inst.namespace,
            labelSelector: `app.kubernetes.io/instance=${inst.name}`,
          })
        ).items;
        assert.deepEqual(
          claims.map((c) => c.metadata?.name),
          [],
          '--purge removes the claims',
        );
      },
    );
  }
});

async function readPassword(core: CoreV1Api, inst: Instance): Promise<string> {
  const s = await core.readNamespacedSecret({ namespace: inst.namespace, name: inst.auth.secretName });
  return Buffer.from(s.data![inst.auth.secretKey]!, 'base64').toString('utf8');
}
