// The nodes.conf repairs applied before a cluster member starts: shard ids aligned with the
// primary's (valkey 8.0 refuses a file where they differ), in TypeScript for the local runtime
// and in awk for the pods' start script, held to give the same file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { NODES_CONF_REPAIR_AWK } from '../render/scripts.js';
import { alignShardIds } from './nodesConf.js';

const P1 = 'a'.repeat(40);
const R1 = 'b'.repeat(40);
const P2 = 'c'.repeat(40);
const S1 = 'shard-id=' + '1'.repeat(40);
const S2 = 'shard-id=' + '2'.repeat(40);
const S9 = 'shard-id=' + '9'.repeat(40);

// The shape valkey 8.0 writes: the replica, listed first, carries a shard id its primary never had.
const diverged = [
  `${R1} 127.0.0.1:7001@17001,,tls-port=0,${S9} myself,slave ${P1} 0 0 3 connected`,
  `${P1} 127.0.0.1:7000@17000,,tls-port=0,${S1} master - 0 1700000000000 3 connected 0-8191`,
  `${P2} 127.0.0.1:7002@17002,,tls-port=0,${S2} master - 0 1700000000000 2 connected 8192-16383`,
  'vars currentEpoch 3 lastVoteEpoch 0',
  '',
].join('\n');

function runAwk(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'rk-nodesconf-'));
  try {
    const file = join(dir, 'nodes.conf');
    writeFileSync(file, text);
    const r = spawnSync('awk', [NODES_CONF_REPAIR_AWK, file, file], { encoding: 'utf8' });
    assert.equal(r.status, 0, `awk failed: ${r.stderr}`);
    return r.stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a replica takes its primary shard id, whatever the order of the lines', () => {
  const fixed = alignShardIds(diverged);
  assert.match(fixed.split('\n')[0]!, new RegExp(`,${S1} myself,slave ${P1} `));
  assert.equal(
    fixed.split('\n').slice(1).join('\n'),
    diverged.split('\n').slice(1).join('\n'),
    'other lines untouched',
  );
  assert.equal(alignShardIds(fixed), fixed, 'idempotent');
});

test('files without shard ids (redis 7.0) or without divergence are returned unchanged', () => {
  const redis70 = diverged.replace(/,,tls-port=0,shard-id=[0-9a-f]+/g, ',');
  assert.equal(alignShardIds(redis70), redis70);
  const consistent = diverged.replace(S9, S1);
  assert.equal(alignShardIds(consistent), consistent);
});

test('the start script awk program repairs exactly as alignShardIds does', () => {
  assert.equal(runAwk(diverged), alignShardIds(diverged));
  const ids = [P1, R1, P2, 'd'.repeat(40)];
  const shards = [S1, S2, S9];
  const line = fc
    .record({
      id: fc.constantFrom(...ids),
      shard: fc.option(fc.constantFrom(...shards), { nil: undefined }),
      replicaOf: fc.option(fc.constantFrom(...ids), { nil: undefined }),
      myself: fc.boolean(),
    })
    .map(({ id, shard, replicaOf, myself }) => {
      const addr = `127.0.0.1:7000@17000,${shard ? `,tls-port=0,${shard}` : ''}`;
      const flags = [myself ? 'myself' : '', replicaOf ? 'slave' : 'master'].filter(Boolean).join(',');
      return `${id} ${addr} ${flags} ${replicaOf ?? '-'} 0 0 1 connected${replicaOf ? '' : ' 0-100'}`;
    });
  fc.assert(
    fc.property(fc.array(line, { minLength: 1, maxLength: 6 }), (lines) => {
      const text = [...lines, 'vars currentEpoch 1 lastVoteEpoch 0', ''].join('\n');
      assert.equal(runAwk(text), alignShardIds(text));
    }),
    { numRuns: 40 },
  );
});
