// The Day-1 hardening contract, checked on the rendered objects of every mode: identity,
// security contexts, resources, persistence and probes. A reviewer reads this file as the list
// of guarantees; each assertion fails if the renderer drops one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Instance } from '../api/instance.js';
import { quantityToBytes } from '../api/quantity.js';
import { instanceOf, withSpec } from '../../test/support/specs.js';
import { render } from './render.js';
import { ALL_SPECS, configFile, one, podSpecs, script } from '../../test/support/rendered.js';

const SPECS = ALL_SPECS.map(([name, inst]) => [name, inst()] as const);
const containersOf = (inst: Instance) =>
  podSpecs(render(inst)).flatMap((p) => (p.spec.containers as any[]).map((c) => ({ sts: p.sts, c, pod: p.spec })));

for (const [name, inst] of SPECS) {
  const objs = render(inst);

  test(`${name}: no Kubernetes API token reaches the pods`, () => {
    assert.equal(one(objs, 'ServiceAccount').automountServiceAccountToken, false);
    const pods = podSpecs(objs);
    assert.ok(pods.length >= 1);
    for (const p of pods) {
      assert.equal(p.spec.automountServiceAccountToken, false, p.sts);
      assert.equal(
        p.spec.serviceAccountName,
        one(objs, 'ServiceAccount').metadata.name,
        `${p.sts} must not run as the namespace's default SA`,
      );
    }
  });

  test(`${name}: pods run as a fixed non-root uid/gid with fsGroup and RuntimeDefault seccomp`, () => {
    for (const p of podSpecs(objs)) {
      const sc = p.spec.securityContext;
      assert.equal(sc.runAsNonRoot, true, p.sts);
      assert.equal(sc.runAsUser, 999);
      assert.equal(sc.runAsGroup, 999);
      assert.equal(sc.fsGroup, 999);
      assert.equal(sc.seccompProfile?.type, 'RuntimeDefault');
      assert.equal(p.spec.hostNetwork ?? false, false);
      assert.equal(p.spec.hostPID ?? false, false);
      assert.equal(p.spec.initContainers, undefined, 'an init container would need the same hardening');
    }
  });

  test(`${name}: every container, exporter included, is locked down`, () => {
    const all = containersOf(inst);
    if (inst.metrics.enabled)
      assert.ok(
        all.some(({ c }) => c.name === 'metrics'),
        'the exporter must be among the checked containers',
      );
    for (const { sts, c } of all) {
      const sc = c.securityContext;
      const where = `${sts}/${c.name}`;
      assert.ok(sc, `${where} has no securityContext`);
      assert.equal(sc.readOnlyRootFilesystem, true, where);
      assert.equal(sc.allowPrivilegeEscalation, false, where);
      assert.equal(sc.privileged ?? false, false, where);
      assert.equal(sc.runAsNonRoot, true, where);
      assert.deepEqual(sc.capabilities, { drop: ['ALL'] }, `${where} must drop ALL and add nothing`);
      assert.equal(sc.seccompProfile?.type, 'RuntimeDefault', where);
    }
  });

  test(`${name}: every container has CPU and memory requests and limits`, () => {
    for (const { sts, c } of containersOf(inst)) {
      for (const k of ['requests', 'limits'] as const)
        for (const r of ['cpu', 'memory']) assert.ok(c.resources?.[k]?.[r], `${sts}/${c.name} ${k}.${r}`);
    }
  });

  test(`${name}: maxmemory leaves 20-25% of the memory limit for buffers, forks and the allocator`, () => {
    const maxmemory = Number(configFile(objs, 'valkey.conf').get('maxmemory')?.[0]);
    const server = containersOf(inst).find(({ c }) => c.name === 'server')!.c;
    const limit = quantityToBytes(server.resources.limits.memory);
    const percent = inst.config.maxmemoryPercent;
    assert.ok(
      maxmemory <= limit * (percent / 100) && maxmemory > limit * (percent / 100) - 1,
      `maxmemory ${maxmemory} is not ${percent}% of ${limit}`,
    );
    if (percent === 75) assert.ok(maxmemory >= 0.75 * limit - 1 && maxmemory <= 0.8 * limit);
  });

  test(`${name}: probes are exec scripts that authenticate from the mounted Secret file`, () => {
    for (const { sts, c } of containersOf(inst)) {
      if (c.name === 'metrics') continue; // the exporter serves HTTP; its password comes from a secretKeyRef
      const probes = [c.livenessProbe, c.readinessProbe, c.startupProbe].filter(Boolean);
      assert.ok(c.livenessProbe && c.readinessProbe, `${sts}/${c.name} needs liveness and readiness probes`);
      for (const p of probes) {
        const [sh, path] = p.exec.command as string[];
        assert.equal(sh, 'sh');
        const body = script(objs, path!.split('/').pop()!);
        if (!inst.auth.enabled) continue;
        assert.match(
          body,
          /REDISCLI_AUTH=\$\(cat \/etc\/valkey-auth\/password\); export REDISCLI_AUTH/,
          `${path} must read the password from the file`,
        );
        assert.doesNotMatch(body, /\s-a\s|--pass\b|--user\b/, `${path} must not put a password on a command line`);
        const mount = (c.volumeMounts as any[]).find((m) => m.mountPath === '/etc/valkey-auth');
        assert.ok(mount?.readOnly, `${sts}/${c.name} must mount the auth Secret read-only`);
        const vol = (podSpecs(objs).find((x) => x.sts === sts)!.spec.volumes as any[]).find(
          (v) => v.name === mount.name,
        );
        assert.equal(vol.secret.secretName, inst.auth.secretName);
        assert.deepEqual(vol.secret.items, [{ key: inst.auth.secretKey, path: 'password' }]);
        assert.equal(vol.secret.defaultMode, 0o400);
      }
    }
  });

  test(`${name}: the data volume matches the persistence mode`, () => {
    const sts = one(objs, 'StatefulSet', inst.name);
    const server = (sts.spec.template.spec.containers as any[]).find((c) => c.name === 'server');
    assert.ok((server.volumeMounts as any[]).some((m) => m.name === 'data' && m.mountPath === '/data'));
    if (inst.persistence.mode === 'NONE') {
      assert.equal(sts.spec.volumeClaimTemplates, undefined);
      assert.ok((sts.spec.template.spec.volumes as any[]).some((v) => v.name === 'data' && v.emptyDir));
    } else {
      const [claim, ...more] = sts.spec.volumeClaimTemplates;
      assert.equal(more.length, 0);
      assert.equal(claim.metadata.name, 'data');
      assert.deepEqual(claim.spec.accessModes, ['ReadWriteOnce']);
      assert.equal(claim.spec.resources.requests.storage, inst.persistence.diskSize);
      assert.equal(claim.spec.storageClassName, inst.persistence.storageClass ?? undefined);
      // Deleting or scaling down the StatefulSet must never delete data.
      assert.deepEqual(sts.spec.persistentVolumeClaimRetentionPolicy, { whenDeleted: 'Retain', whenScaled: 'Retain' });
    }
  });
}

test('memory requests equal limits by default, for data and sentinel pods', () => {
  const inst = instanceOf(
    withSpec(
      '  mode: SENTINEL\n  container:\n    resources:\n      limits:\n        memory: 3Gi\n        cpu: 1500m\n',
    ),
  );
  const cs = containersOf(inst);
  assert.equal(cs.length, 2);
  for (const { c } of cs) assert.deepEqual(c.resources.requests, c.resources.limits, c.name);
  assert.equal(cs.find(({ c }) => c.name === 'server')!.c.resources.limits.memory, '3Gi');
});

test('an explicit lower memory request is kept (and is warned about by validation)', () => {
  const inst = instanceOf(
    withSpec(
      '  container:\n    resources:\n      requests:\n        memory: 1Gi\n      limits:\n        memory: 2Gi\n',
    ),
  );
  assert.equal(containersOf(inst)[0]!.c.resources.requests.memory, '1Gi');
});

test('default maxmemory is exactly 75% of the limit', () => {
  const objs = render(instanceOf(withSpec('  container:\n    resources:\n      limits:\n        memory: 4Gi\n')));
  assert.deepEqual(configFile(objs, 'valkey.conf').get('maxmemory'), [String(3 * 1024 ** 3)]);
});

const persistence = (mode: string) =>
  configFile(render(instanceOf(withSpec(`  persistence:\n    mode: ${mode}\n`))), 'valkey.conf');

test('HYBRID persistence: AOF with an RDB preamble, fsync every second, plus snapshots', () => {
  const c = persistence('HYBRID');
  assert.deepEqual(c.get('appendonly'), ['yes']);
  assert.deepEqual(c.get('aof-use-rdb-preamble'), ['yes']);
  assert.deepEqual(c.get('appendfsync'), ['everysec']);
  assert.ok((c.get('save') ?? []).length >= 2, 'snapshots stay on');
});

test('HYBRID is the default persistence', () => {
  assert.deepEqual(configFile(render(instanceOf(withSpec(''))), 'valkey.conf').get('aof-use-rdb-preamble'), ['yes']);
});

test('AOF, RDB and NONE persistence configure exactly what they say', () => {
  const aof = persistence('AOF');
  assert.deepEqual(
    [aof.get('appendonly'), aof.get('aof-use-rdb-preamble'), aof.get('save')],
    [['yes'], ['no'], ['""']],
  );
  const rdb = persistence('RDB');
  assert.deepEqual(rdb.get('appendonly'), ['no']);
  assert.ok((rdb.get('save') ?? []).length >= 2);
  const none = persistence('NONE');
  assert.deepEqual([none.get('appendonly'), none.get('save')], [['no'], ['""']]);
});

test('the default disk is 3x maxmemory rounded up to whole Gi', () => {
  const objs = render(instanceOf(withSpec('  container:\n    resources:\n      limits:\n        memory: 3Gi\n')));
  // maxmemory 2.25Gi x 3 = 6.75Gi -> 7Gi
  assert.equal(one(objs, 'StatefulSet').spec.volumeClaimTemplates[0].spec.resources.requests.storage, '7Gi');
});

test('an explicit diskSize (new or legacy field) is what the claim requests', () => {
  for (const body of ['  persistence:\n    diskSize: 50Gi\n', '  container:\n    diskSize: 50Gi\n']) {
    const sts = one(render(instanceOf(withSpec(body))), 'StatefulSet');
    assert.equal(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage, '50Gi', body);
  }
});

test('no server config carries a password: it is added at start from the Secret file', () => {
  for (const [name, inst] of SPECS) {
    const cm = one(render(inst), 'ConfigMap', `${inst.name}-config`);
    for (const [file, text] of Object.entries(cm.data as Record<string, string>)) {
      assert.doesNotMatch(text, /^(requirepass|masterauth)\b|auth-pass|sentinel-pass/m, `${name} ${file}`);
    }
  }
});
