import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Discovery, KindNotServedError, objectRef, resourceName, resourcePath, splitApiVersion } from './discovery.js';
import { KubeApiError } from './errors.js';
import type { Transport } from './kubeHttp.js';

function fake(routes: Record<string, unknown>): Transport & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async request<T>(method: string, path: string): Promise<T> {
      calls.push(`${method} ${path}`);
      const r = routes[path];
      if (r === undefined)
        throw new KubeApiError(404, 'NotFound', 'the server could not find the requested resource', method, path);
      if (r instanceof Error) throw r;
      return r as T;
    },
  };
}

const core = {
  resources: [
    { name: 'pods', kind: 'Pod', namespaced: true },
    { name: 'pods/status', kind: 'Pod', namespaced: true },
    { name: 'namespaces', kind: 'Namespace', namespaced: false },
  ],
};
const apps = {
  resources: [
    { name: 'statefulsets/scale', kind: 'Scale', namespaced: true },
    { name: 'statefulsets', kind: 'StatefulSet', namespaced: true },
  ],
};

test('resolves core and group kinds, skipping subresources', async () => {
  const d = new Discovery(fake({ '/api/v1': core, '/apis/apps/v1': apps }));
  assert.deepEqual(await d.resolve('v1', 'Pod'), {
    apiVersion: 'v1',
    group: '',
    version: 'v1',
    kind: 'Pod',
    plural: 'pods',
    namespaced: true,
  });
  assert.deepEqual(await d.resolve('apps/v1', 'StatefulSet'), {
    apiVersion: 'apps/v1',
    group: 'apps',
    version: 'v1',
    kind: 'StatefulSet',
    plural: 'statefulsets',
    namespaced: true,
  });
  assert.equal((await d.resolve('v1', 'Namespace')).namespaced, false);
});

test('one request per group/version per run', async () => {
  const t = fake({ '/api/v1': core });
  const d = new Discovery(t);
  await Promise.all([d.resolve('v1', 'Pod'), d.resolve('v1', 'Namespace'), d.find('v1', 'Pod')]);
  assert.deepEqual(t.calls, ['GET /api/v1']);
  d.forget('v1');
  await d.find('v1', 'Pod');
  assert.equal(t.calls.length, 2);
});

test('an unserved group (CRD not installed) or kind is null from find and KindNotServedError from resolve', async () => {
  const d = new Discovery(fake({ '/api/v1': core }));
  assert.equal(await d.find('monitoring.coreos.com/v1', 'ServiceMonitor'), null);
  assert.equal(await d.find('v1', 'Nope'), null);
  await assert.rejects(
    d.resolve('monitoring.coreos.com/v1', 'ServiceMonitor'),
    (e: unknown) =>
      e instanceof KindNotServedError &&
      e.message === 'the cluster does not serve ServiceMonitor (monitoring.coreos.com/v1)',
  );
});

test('transient discovery failures propagate and are not cached', async () => {
  let fail = true;
  const t: Transport = {
    async request<T>() {
      if (fail) throw new KubeApiError(503, 'ServiceUnavailable', 'busy', 'GET', '/api/v1');
      return core as T;
    },
  };
  const d = new Discovery(t);
  await assert.rejects(d.find('v1', 'Pod'), /busy/);
  fail = false;
  assert.equal((await d.find('v1', 'Pod'))?.plural, 'pods');
});

test('paths, names and refs', () => {
  const sts = {
    apiVersion: 'apps/v1',
    group: 'apps',
    version: 'v1',
    kind: 'StatefulSet',
    plural: 'statefulsets',
    namespaced: true,
  };
  const ns = { apiVersion: 'v1', group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false };
  assert.equal(resourcePath(sts, 'demo', 'cache'), '/apis/apps/v1/namespaces/demo/statefulsets/cache');
  assert.equal(resourcePath(sts, 'demo'), '/apis/apps/v1/namespaces/demo/statefulsets');
  assert.equal(resourcePath(ns, 'ignored', 'demo'), '/api/v1/namespaces/demo');
  assert.equal(resourceName(sts), 'statefulsets.apps');
  assert.equal(resourceName(ns), 'namespaces');
  assert.equal(objectRef(sts, 'cache'), 'statefulset.apps/cache');
  assert.equal(objectRef(ns, 'demo'), 'namespace/demo');
  assert.deepEqual(splitApiVersion('v1'), { group: '', version: 'v1' });
  assert.deepEqual(splitApiVersion('cert-manager.io/v1'), { group: 'cert-manager.io', version: 'v1' });
});
