import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kubeConfigSource, loadKubeConfig } from './kubeConfig.js';

const dir = mkdtempSync(join(tmpdir(), 'rk-kubeconfig-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

function kubeconfig(name: string, current: string | null): string {
  const file = join(dir, name);
  writeFileSync(
    file,
    `apiVersion: v1
kind: Config
clusters:
- name: a
  cluster: { server: "https://127.0.0.1:1" }
- name: b
  cluster: { server: "https://127.0.0.1:2" }
users:
- name: u
  user: { token: t }
contexts:
- name: ctx-a
  context: { cluster: a, user: u }
- name: ctx-b
  context: { cluster: b, user: u }
${current ? `current-context: ${current}` : ''}
`,
  );
  return file;
}

test('--kubeconfig and --context pick the cluster', () => {
  const f = kubeconfig('two.yaml', 'ctx-a');
  assert.equal(loadKubeConfig({ kubeconfig: f }).getCurrentCluster()?.server, 'https://127.0.0.1:1');
  assert.equal(loadKubeConfig({ kubeconfig: f, context: 'ctx-b' }).getCurrentCluster()?.server, 'https://127.0.0.1:2');
});

test('an unknown context lists the available ones', () => {
  const f = kubeconfig('two.yaml', 'ctx-a');
  assert.throws(() => loadKubeConfig({ kubeconfig: f, context: 'prod' }), {
    message: `context "prod" is not in ${f}; available: ctx-a, ctx-b`,
  });
});

test('no current context is a clear error', () => {
  const f = kubeconfig('none.yaml', null);
  assert.throws(
    () => loadKubeConfig({ kubeconfig: f }),
    /has no current context: pass --context \(available: ctx-a, ctx-b\)/,
  );
});

test('a missing kubeconfig file is named', () => {
  const f = join(dir, 'nope.yaml');
  assert.throws(() => loadKubeConfig({ kubeconfig: f }), { message: `cannot load kubeconfig ${f}: no such file` });
});

test('the source follows kubectl order', () => {
  const home = mkdtempSync(join(dir, 'home-'));
  assert.equal(kubeConfigSource({ kubeconfig: 'x' }, { KUBECONFIG: 'y' }), 'x');
  assert.equal(kubeConfigSource({}, { KUBECONFIG: 'y', HOME: home }), '$KUBECONFIG (y)');
  // Nothing at all (unless this machine runs in a pod): no silent http://localhost:8080.
  assert.ok([null, 'the in-cluster service account'].includes(kubeConfigSource({}, { HOME: home })));
});
