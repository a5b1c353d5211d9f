import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exampleInstance } from '../../test/support/specs.js';
import { readinessLine } from './readiness.js';

test('apply claims "ready" only where pods Ready means clients can use the instance', () => {
  assert.equal(readinessLine(exampleInstance('standalone'), 7.04), 'demo/cache: ready in 7.0s');
});

test('apply of a cluster says it is not formed: no slot is assigned until the operator forms it', () => {
  const line = readinessLine(exampleInstance('cluster'), 8.2);
  assert.match(line, /^demo\/shards: pods ready in 8\.2s, cluster NOT formed: no slot is assigned/);
  assert.doesNotMatch(line, /: ready in/);
});

test('apply of a sentinel group says the master Service selects nothing until the master is labelled', () => {
  assert.match(
    readinessLine(exampleInstance('sentinel'), 7.4),
    /^demo\/sessions: pods ready in 7\.4s; .*Service sessions-master selects no pod until the operator labels/,
  );
});
