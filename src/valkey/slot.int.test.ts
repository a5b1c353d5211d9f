// keySlot against the real server's CLUSTER KEYSLOT, on keys built to hit the hash tag rules.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { startTestServer, stopTestServers, type TestServer } from '../../test/support/servers.js';
import { closeClient, connect, type ValkeyClient } from './connection.js';
import { clusterKeySlot } from './cluster.js';
import { keySlot } from './slot.js';

let server: TestServer;
let client: ValkeyClient;

before(async () => {
  server = await startTestServer({ cluster: true });
  client = await connect(server.endpoint);
});
after(async () => {
  await closeClient(client);
  await stopTestServers();
});

// Pieces that make hash tags interesting: braces, empty tags, nested and repeated braces.
const piece = fc.oneof(
  fc.constantFrom('{', '}', '{}', '{{', '}}', '{a}', 'user', ':', ''),
  fc.string({ maxLength: 6 }),
  fc.string({ unit: 'grapheme', maxLength: 4 }),
);
const tricky = fc.array(piece, { maxLength: 8 }).map((parts) => parts.join(''));
const binary = fc.uint8Array({ maxLength: 24 }).map((a) => Buffer.from(a));

test('keySlot equals CLUSTER KEYSLOT for strings (valkey 8)', async () => {
  await fc.assert(
    fc.asyncProperty(tricky, async (key) => {
      assert.equal(keySlot(key), await clusterKeySlot(client, key), JSON.stringify(key));
    }),
    { numRuns: 1500 },
  );
});

test('keySlot equals CLUSTER KEYSLOT for binary keys with braces', async () => {
  const withBraces = fc
    .tuple(binary, fc.constantFrom('{', '}', '{}', ''), binary, fc.constantFrom('}', '{', ''), binary)
    .map((parts) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p))));
  await fc.assert(
    fc.asyncProperty(fc.oneof(binary, withBraces), async (key) => {
      assert.equal(keySlot(key), await clusterKeySlot(client, key), key.toString('hex'));
    }),
    { numRuns: 1000 },
  );
});
