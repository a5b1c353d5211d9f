// Connection behaviour an operator relies on, against real servers.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { startTestServer, stopTestServers, type TestServer } from '../../test/support/servers.js';
import { closeClient, connect, withClient } from './connection.js';
import { send } from './command.js';
import { configSet } from './admin.js';
import { ValkeyConnectionError, ValkeyReplyError, errorKind } from './errors.js';
import { findFreePorts } from '../platform/local/ports.js';

const PASSWORD = 'p4ss-Wörd-very-secret';
let server: TestServer;

before(async () => {
  server = await startTestServer({ password: PASSWORD });
});
after(stopTestServers);

function assertNoSecret(err: unknown): void {
  const text = `${String(err)} ${inspect(err, { depth: 5 })} ${JSON.stringify(err)}`;
  assert.ok(!text.includes(PASSWORD), `secret leaked: ${text}`);
}

test('connects and authenticates', async () => {
  const c = await connect(server.endpoint, { password: PASSWORD, connectionName: 'rk-test' });
  assert.equal(await c.ping(), 'PONG');
  assert.match(String(await c.client('LIST')), /name=rk-test/);
  await closeClient(c);
  assert.equal(c.status, 'end');
});

test('wrong or missing password: auth error without the password in it', async () => {
  for (const password of ['wrong-' + PASSWORD, undefined]) {
    const err = await connect(server.endpoint, password === undefined ? {} : { password }).then(
      () => assert.fail('connected'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof ValkeyConnectionError, String(err));
    assert.equal(err.kind, 'auth');
    assertNoSecret(err);
  }
});

test('refused and unroutable endpoints fail fast with connection errors', async () => {
  const [port] = await findFreePorts(1);
  const t0 = Date.now();
  const err = await connect({ host: '127.0.0.1', port: port! }, { connectTimeoutMs: 500 }).catch((e: unknown) => e);
  assert.ok(err instanceof ValkeyConnectionError);
  assert.equal(err.kind, 'connection');
  assert.match(err.message, /ECONNREFUSED/);
  assert.ok(Date.now() - t0 < 400);
  // 192.0.2.0/24 is TEST-NET-1: never routed, so the connect can only time out.
  const slow = await connect({ host: '192.0.2.1', port: 6379 }, { connectTimeoutMs: 200 }).catch((e: unknown) => e);
  assert.ok(slow instanceof ValkeyConnectionError);
  assert.ok(slow.kind === 'timeout' || slow.kind === 'connection', slow.message);
});

test('command errors are typed and redact secrets passed as arguments', async () => {
  await withClient(server.endpoint, { password: PASSWORD }, async (c) => {
    const err = await send(c, 'ACL', ['SETUSER', 'bob', `>${PASSWORD}`, 'nonsense-rule']).catch((e: unknown) => e);
    assert.ok(err instanceof ValkeyReplyError);
    assert.equal(err.command, 'ACL SETUSER');
    assertNoSecret(err);
    const wrongType = await (async () => {
      await c.set('s', 'x');
      return send(c, 'LPUSH', ['s', 'y']).catch((e: unknown) => e);
    })();
    assert.ok(wrongType instanceof ValkeyReplyError);
    assert.equal(wrongType.code, 'WRONGTYPE');
    // CONFIG SET of a secret parameter: the value never shows, even in a failure.
    const cfg = await configSet(c, { requirepass: PASSWORD, 'no-such-param': 1 }).catch((e: unknown) => e);
    assert.ok(cfg instanceof ValkeyReplyError);
    assertNoSecret(cfg);
  });
});

test('per-call timeout overrides the client default', async () => {
  await withClient(server.endpoint, { password: PASSWORD, commandTimeoutMs: 5000 }, async (c) => {
    const t0 = Date.now();
    const err = await send(c, 'DEBUG', ['SLEEP', '0.5'], { timeoutMs: 100 }).catch((e: unknown) => e);
    assert.equal(errorKind(err), 'timeout');
    assert.ok(Date.now() - t0 < 400);
  });
});

test('a dropped connection fails in-flight commands at once, nothing is replayed', async () => {
  const c = await connect(server.endpoint, { password: PASSWORD, reconnectAttempts: 0 });
  const killer = await connect(server.endpoint, { password: PASSWORD });
  const id = Number(await c.client('ID'));
  const inflight = send(c, 'DEBUG', ['SLEEP', '0.3']).catch((e: unknown) => e);
  await killer.client('KILL', 'ID', String(id));
  const t0 = Date.now();
  const err = await inflight;
  assert.equal(errorKind(err), 'connection', String(err));
  assert.ok(Date.now() - t0 < 1000);
  const next = await send(c, 'PING').catch((e: unknown) => e);
  assert.equal(errorKind(next), 'connection');
  assert.ok(!(next as Error).message.includes(PASSWORD), 'the error a caller sees never holds the password');
  await closeClient(killer);
  await closeClient(c);
});

test('withClient always closes, also when the callback throws', async () => {
  let captured: Awaited<ReturnType<typeof connect>> | undefined;
  await assert.rejects(
    withClient(server.endpoint, { password: PASSWORD }, async (c) => {
      captured = c;
      throw new Error('boom');
    }),
    /boom/,
  );
  assert.equal(captured?.status, 'end');
});
