import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commandLabel, errorKind, redact, toValkeyError, ValkeyConnectionError, ValkeyReplyError } from './errors.js';

test('redact blanks every secret, longest first', () => {
  assert.equal(redact('pw=abc and abcdef', ['abc', 'abcdef', undefined, '']), 'pw=<redacted> and <redacted>');
});

test('errorKind classifies server replies and socket errors', () => {
  const cases: Array<[string, string]> = [
    ['MOVED 866 127.0.0.1:7001', 'moved'],
    ['ASK 866 127.0.0.1:7001', 'ask'],
    ["READONLY You can't write against a read only replica.", 'readonly'],
    ['LOADING Valkey is loading the dataset in memory', 'loading'],
    ['CLUSTERDOWN The cluster is down', 'clusterdown'],
    ['NOREPLICAS Not enough good replicas to write.', 'noreplicas'],
    ['WRONGPASS invalid username-password pair or user is disabled.', 'auth'],
    ['NOAUTH Authentication required.', 'auth'],
    ['BUSYKEY Target key name already exists.', 'busykey'],
    ['Command timed out', 'timeout'],
    ['Connection is closed.', 'connection'],
    ['connect ECONNREFUSED 127.0.0.1:1', 'connection'],
    ['ERR unknown command', 'reply'],
    ['WRONGTYPE Operation against a key holding the wrong kind of value', 'reply'],
  ];
  for (const [message, kind] of cases) assert.equal(errorKind(new Error(message)), kind, message);
});

test('toValkeyError wraps without leaking secrets', () => {
  const err = toValkeyError(new Error("ERR Error in ACL SETUSER modifier '>hunter2': Syntax error"), {
    command: 'ACL SETUSER',
    endpoint: '127.0.0.1:1',
    secrets: ['hunter2'],
  });
  assert.ok(err instanceof ValkeyReplyError);
  assert.equal(err.code, 'ERR');
  assert.doesNotMatch(err.message, /hunter2/);
  assert.match(err.message, /^ACL SETUSER on 127\.0\.0\.1:1: /);
  const conn = toValkeyError(new Error('Command timed out'), { command: 'WAIT', endpoint: null, secrets: [] });
  assert.ok(conn instanceof ValkeyConnectionError);
  assert.equal(conn.kind, 'timeout');
});

test('commandLabel never includes arguments', () => {
  assert.equal(commandLabel('config', ['set', 'requirepass', 'x']), 'CONFIG SET');
  assert.equal(commandLabel('migrate', ['h', 1]), 'MIGRATE');
});
