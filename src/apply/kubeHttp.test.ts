// KubeHttp against a throwaway loopback HTTP server: status mapping, JSON bodies, retries,
// unreachable servers, secret scrubbing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeApiError, KubeUnreachableError } from './errors.js';
import { KubeHttp } from './kubeHttp.js';

function kc(server: string): KubeConfig {
  const k = new KubeConfig();
  k.loadFromOptions({
    clusters: [{ name: 'c', server, skipTLSVerify: true }],
    users: [{ name: 'tester', token: 'tok-123' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'tester' }],
    currentContext: 'x',
  });
  return k;
}

async function serve(handler: http.RequestListener): Promise<{ url: string; close: () => Promise<void> }> {
  const srv = http.createServer(handler);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((r) => {
        srv.closeAllConnections();
        srv.close(() => r());
      }),
  };
}

test('sends JSON with the bearer token and the given content type and query', async (t) => {
  const seen: Array<{ method?: string; url?: string; auth?: string; type?: string; body: string }> = [];
  const s = await serve((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({
        method: req.method,
        url: req.url,
        auth: req.headers.authorization,
        type: req.headers['content-type'],
        body,
      });
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ kind: 'ConfigMap', metadata: { name: 'x' } }));
    });
  });
  t.after(s.close);
  const h = new KubeHttp(kc(s.url));
  const r = await h.request<{ kind: string }>('PATCH', '/api/v1/namespaces/d/configmaps/x', {
    query: { fieldManager: 'rk', dryRun: undefined },
    body: { a: 1 },
    contentType: 'application/apply-patch+yaml',
  });
  assert.equal(r.kind, 'ConfigMap');
  assert.deepEqual(seen, [
    {
      method: 'PATCH',
      url: '/api/v1/namespaces/d/configmaps/x?fieldManager=rk',
      auth: 'Bearer tok-123',
      type: 'application/apply-patch+yaml',
      body: '{"a":1}',
    },
  ]);
});

test('a Status body becomes a KubeApiError with reason, message and causes; secrets are scrubbed', async (t) => {
  const s = await serve((_req, res) => {
    res.statusCode = 422;
    res.end(
      JSON.stringify({
        kind: 'Status',
        status: 'Failure',
        reason: 'Invalid',
        message: 'Secret "s" is invalid: data: Invalid value: "hunter2-secret"',
        details: { causes: [{ field: 'data', message: 'bad' }] },
      }),
    );
  });
  t.after(s.close);
  const h = new KubeHttp(kc(s.url));
  h.secrets.add('hunter2-secret');
  await assert.rejects(h.request('GET', '/api/v1/x'), (e: unknown) => {
    assert.ok(e instanceof KubeApiError);
    assert.equal(e.status, 422);
    assert.equal(e.reason, 'Invalid');
    assert.equal(e.apiMessage, 'Secret "s" is invalid: data: Invalid value: "***"');
    assert.deepEqual(e.causes, [{ field: 'data', message: 'bad' }]);
    assert.equal(e.kubeUser, 'tester');
    return true;
  });
});

test('503 is retried, then succeeds; a non-JSON error body is kept short', async (t) => {
  let n = 0;
  const s = await serve((req, res) => {
    if (req.url === '/flaky' && ++n < 3) {
      res.statusCode = 503;
      res.end('busy');
      return;
    }
    if (req.url === '/html') {
      res.statusCode = 502;
      res.end('<html>' + 'x'.repeat(1000));
      return;
    }
    res.end('{}');
  });
  t.after(s.close);
  const h = new KubeHttp(kc(s.url));
  assert.deepEqual(await h.request('GET', '/flaky'), {});
  assert.equal(n, 3);
  await assert.rejects(
    h.request('GET', '/html'),
    (e: unknown) => e instanceof KubeApiError && e.status === 502 && e.apiMessage.length <= 300,
  );
});

test('a server that is not there: "cannot reach the Kubernetes API at …: connection refused"', async () => {
  const s = await serve((_q, r) => r.end());
  await s.close(); // the port is now (almost certainly) closed
  const h = new KubeHttp(kc(s.url));
  await assert.rejects(
    h.request('GET', '/api'),
    (e: unknown) =>
      e instanceof KubeUnreachableError &&
      e.message === `cannot reach the Kubernetes API at ${s.url}: connection refused`,
  );
});

test('a server that never answers times out with a clear message', async (t) => {
  const s = await serve(() => {
    /* never respond */
  });
  t.after(s.close);
  const h = new KubeHttp(kc(s.url), 200);
  await assert.rejects(h.request('GET', '/api'), {
    message: `cannot reach the Kubernetes API at ${s.url}: no response within 200ms`,
  });
});

test('a kubeconfig server with a path prefix (API proxies) keeps the prefix', async (t) => {
  let url = '';
  const s = await serve((req, res) => {
    url = req.url ?? '';
    res.end('{}');
  });
  t.after(s.close);
  await new KubeHttp(kc(`${s.url}/k8s/clusters/c-1/`)).request('GET', '/api/v1');
  assert.equal(url, '/k8s/clusters/c-1/api/v1');
});
