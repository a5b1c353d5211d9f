import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectedTo, majorityMaster } from './sentinelMasterWatch.js';

const a = { host: '10.0.0.1', port: 6379 };
const b = { host: '10.0.0.2', port: 6379 };

test('the master is what a majority of all sentinels reports', () => {
  assert.deepEqual(majorityMaster([a, a, b], 3), a);
  // A lone sentinel ahead (or behind) of the others does not move the client.
  assert.equal(majorityMaster([b, null, null], 3), null);
  assert.equal(majorityMaster([a, b], 3), null);
  assert.equal(majorityMaster([a, b, null, b], 4), null);
  assert.deepEqual(majorityMaster([a, b, b, b], 4), b);
});

test('connected to: address and port, or only the port for announced hostnames', () => {
  assert.equal(connectedTo({ remoteAddress: '10.0.0.1', remotePort: 6379 }, a), true);
  assert.equal(connectedTo({ remoteAddress: '::ffff:10.0.0.1', remotePort: 6379 }, a), true);
  assert.equal(connectedTo({ remoteAddress: '10.0.0.2', remotePort: 6379 }, a), false);
  assert.equal(connectedTo({ remoteAddress: '10.0.0.1', remotePort: 6380 }, a), false);
  assert.equal(
    connectedTo({ remoteAddress: '10.0.0.9', remotePort: 6379 }, { host: 'sessions-0.demo', port: 6379 }),
    true,
  );
  assert.equal(connectedTo({}, a), false);
});
