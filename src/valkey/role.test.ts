import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as valkey from '../../test/fixtures/replies/valkey.js';
import * as redis from '../../test/fixtures/replies/redis.js';
import { parseRole } from './role.js';

for (const [flavor, f] of [
  ['valkey', valkey],
  ['redis', redis],
] as const) {
  test(`${flavor}: ROLE of master, replica, sentinel`, () => {
    const m = parseRole(f.roleMaster);
    assert.equal(m.role, 'master');
    if (m.role !== 'master') return;
    assert.ok(m.replicationOffset > 0);
    assert.equal(m.replicas.length, 1);
    assert.equal(m.replicas[0]?.host, '127.0.0.1');
    assert.equal(typeof m.replicas[0]?.port, 'number');
    assert.equal(typeof m.replicas[0]?.offset, 'number');

    const r = parseRole(f.roleReplica);
    assert.equal(r.role, 'replica');
    if (r.role !== 'replica') return;
    assert.equal(r.state, 'connected');
    assert.equal(r.offset, m.replicationOffset);

    const down = parseRole(f.roleReplicaLinkDown);
    assert.equal(down.role === 'replica' && down.state, 'connect');
    assert.equal(down.role === 'replica' && down.offset, -1);

    assert.deepEqual(parseRole(f.roleSentinel), { role: 'sentinel', masterNames: [`fixture-${flavor}`] });
    assert.equal(parseRole(f.roleClusterReplica).role, 'replica');
  });
}

test('parseRole rejects unknown roles', () => {
  assert.throws(() => parseRole(['leader', 1]), /unknown role/);
});
