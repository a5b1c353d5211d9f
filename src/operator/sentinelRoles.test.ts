import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { InstanceStatus, MemberStatus } from '../engine/status.js';
import { roleLabelChanges, sentinelsMaster } from './sentinelRoles.js';

const member = (name: string, kind: 'server' | 'sentinel', extra: Partial<MemberStatus> = {}): MemberStatus => ({
  name,
  kind,
  role: kind === 'sentinel' ? 'sentinel' : 'replica',
  host: 'h',
  port: 1,
  pid: null,
  ...extra,
});

// Each entry: the master a sentinel sees, null for none, or 'down' for a sentinel that is not running.
const live = (sees: Array<string | null>): InstanceStatus => ({
  name: 's',
  mode: 'SENTINEL',
  ready: true,
  problems: [],
  pending: [],
  master: 's-0',
  members: [
    member('s-0', 'server', { role: 'master' }),
    member('s-1', 'server'),
    member('s-2', 'server'),
    ...sees.map((x, i) =>
      x === 'down'
        ? member(`s-sentinel-${i}`, 'sentinel', { role: 'down' })
        : member(`s-sentinel-${i}`, 'sentinel', { sees: x }),
    ),
  ],
});

describe('sentinelsMaster', () => {
  test('the member a quorum and a majority of the answering sentinels name', () => {
    assert.equal(sentinelsMaster(live(['s-1', 's-1', 's-1']), 2), 's-1');
    assert.equal(sentinelsMaster(live(['s-1', 's-1', 'down']), 2), 's-1');
  });
  test('no answer while they disagree or fall short of the quorum', () => {
    assert.equal(sentinelsMaster(live(['s-1', 's-0', null]), 2), null);
    assert.equal(sentinelsMaster(live(['s-1', 'down', 'down']), 2), null);
  });
  test('mid-propagation, the newest config epoch wins when the member it names says it is master', () => {
    const l = live(['s-1', 's-0', 's-0']);
    l.members.find((m) => m.name === 's-sentinel-0')!.configEpoch = 2;
    for (const i of [1, 2]) l.members.find((m) => m.name === `s-sentinel-${i}`)!.configEpoch = 1;
    l.members.find((m) => m.name === 's-0')!.role = 'replica';
    l.members.find((m) => m.name === 's-1')!.role = 'master';
    assert.equal(sentinelsMaster(l, 2), 's-1');
    l.members.find((m) => m.name === 's-1')!.role = 'replica'; // not promoted yet: the majority's view stands
    assert.equal(sentinelsMaster(l, 2), 's-0');
  });
  test('never a name that is not a data member', () => {
    assert.equal(sentinelsMaster(live(['10.0.0.9:6379', '10.0.0.9:6379', '10.0.0.9:6379']), 2), null);
  });
});

describe('roleLabelChanges', () => {
  test('only pods whose label is wrong change; the old master is demoted first', () => {
    const changes = roleLabelChanges(
      [
        { name: 's-0', role: 'master' },
        { name: 's-1', role: 'replica' },
        { name: 's-2', role: undefined },
      ],
      's-1',
    );
    assert.deepEqual(changes, [
      { pod: 's-0', role: 'replica' },
      { pod: 's-2', role: 'replica' },
      { pod: 's-1', role: 'master' },
    ]);
  });
  test('nothing when the labels are right', () => {
    assert.deepEqual(
      roleLabelChanges(
        [
          { name: 'a', role: 'master' },
          { name: 'b', role: 'replica' },
        ],
        'a',
      ),
      [],
    );
  });
});
