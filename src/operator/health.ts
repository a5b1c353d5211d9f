// /healthz (the process serves), /readyz (its caches are synced: a replica that is not the
// leader is ready too, as with controller-runtime) and /metrics, on one port.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

interface HealthServer {
  port: number;
  close(): Promise<void>;
}

export function serveHealth(
  host: string,
  port: number,
  ready: () => boolean,
  registry: Registry,
): Promise<HealthServer> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const reply = (code: number, body: string, type = 'text/plain; charset=utf-8') => {
      res.writeHead(code, { 'Content-Type': type });
      res.end(body);
    };
    if (path === '/healthz') return reply(200, 'ok');
    if (path === '/readyz') return ready() ? reply(200, 'ok') : reply(503, 'informers not synced');
    if (path === '/metrics') {
      registry.metrics().then(
        (text) => reply(200, text, registry.contentType),
        (e: unknown) => reply(500, (e as Error).message),
      );
      return;
    }
    reply(404, 'not found');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () => new Promise<void>((r) => server.close(() => r())),
      });
    });
  });
}
