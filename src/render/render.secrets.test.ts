// The password lives in exactly one place: the Secret. Not in ConfigMaps (readable by anyone
// with configmap get), args, env literals or annotations, and never in `rk render` output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { ROOT } from '../../test/support/specs.js';
import type { KubeObject } from './objects.js';
import { render } from './render.js';
import { ALL_SPECS, podSpecs } from '../../test/support/rendered.js';

const PASSWORD = 'S3cr3t-Unique-Value';

/** Every string anywhere in the value, with its path. */
function strings(v: unknown, path = ''): Array<[string, string]> {
  if (typeof v === 'string') return [[path, v]];
  if (Array.isArray(v)) return v.flatMap((x, i) => strings(x, `${path}[${i}]`));
  if (v && typeof v === 'object')
    return Object.entries(v).flatMap(([k, x]) => [
      [`${path}.${k}#key`, k] as [string, string],
      ...strings(x, `${path}.${k}`),
    ]);
  return [];
}

for (const [name, make] of ALL_SPECS) {
  const inst = make();
  const objs = render(inst, { generatedPassword: PASSWORD });

  test(`${name}: the password appears only in the Secret`, () => {
    const holders = objs.filter((o) => strings(o).some(([, s]) => s.includes(PASSWORD)));
    if (inst.auth.enabled && inst.auth.generated) {
      assert.deepEqual(
        holders.map((o) => o.kind),
        ['Secret'],
      );
      const secret = holders[0]!;
      assert.deepEqual(
        strings(secret)
          .filter(([, s]) => s.includes(PASSWORD))
          .map(([p]) => p),
        [`.stringData.${inst.auth.secretKey}`],
      );
    } else {
      // existingSecret or auth disabled: rk owns no Secret, so the value must be nowhere.
      assert.deepEqual(holders, []);
    }
  });

  test(`${name}: env vars carry secrets only by reference`, () => {
    for (const p of podSpecs(objs)) {
      for (const c of p.spec.containers as any[]) {
        for (const e of (c.env ?? []) as any[]) {
          if (/PASS|SECRET|TOKEN|AUTH/i.test(e.name))
            assert.equal(e.value, undefined, `${p.sts}/${c.name} ${e.name} must use valueFrom`);
          if (e.value !== undefined) assert.ok(!e.value.includes(PASSWORD), `${e.name}`);
        }
        assert.ok(!JSON.stringify([c.args ?? [], c.command ?? []]).includes(PASSWORD));
        assert.equal(c.envFrom, undefined, 'envFrom would expose every key of a Secret');
      }
    }
  });
}

test('without a password the Secret is not rendered, and no object holds secret data', () => {
  for (const [name, make] of ALL_SPECS) {
    const objs: KubeObject[] = render(make());
    assert.equal(objs.filter((o) => o.kind === 'Secret').length, 0, name);
    assert.ok(!objs.some((o) => 'stringData' in o || ('data' in o && o.kind !== 'ConfigMap')), name);
  }
});

test('the generated Secret is named and keyed as the pods expect', () => {
  const inst = ALL_SPECS.find(([n]) => n === 'standalone')![1]();
  const objs = render(inst, { generatedPassword: PASSWORD });
  const secret = objs.find((o) => o.kind === 'Secret')!;
  const vol = (podSpecs(objs)[0]!.spec.volumes as any[]).find((v) => v.secret);
  assert.equal(vol.secret.secretName, secret.metadata.name);
  assert.ok(Object.keys((secret as any).stringData).includes(vol.secret.items[0].key));
});

test('rk render output never contains a Secret or secret data', () => {
  for (const example of ['standalone', 'sentinel', 'cluster', 'production']) {
    const r = spawnSync(process.execPath, [`${ROOT}bin/rk.js`, 'render', '-f', `${ROOT}examples/${example}.yaml`], {
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /^kind: Secret$/m, example);
    assert.doesNotMatch(r.stdout, /stringData|^\s*(requirepass|masterauth) [^"$]/m, example);
    assert.ok(!r.stdout.includes(PASSWORD));
  }
});
