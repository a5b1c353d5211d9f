// The rolling restart's decision, without servers: replicas first, one member down at a time,
// the master only after a handover to an updated linked replica, and nothing taken down from an
// unhealthy instance.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decideRolloutStep, type RolloutInput } from './rolloutStep.js';
import type { MemberStatus } from './status.js';

const server = (name: string, role: 'master' | 'replica', of?: string, link = 'up'): MemberStatus => ({
  name,
  kind: 'server',
  role,
  host: '10.0.0.1',
  port: 6379,
  pid: null,
  ...(role === 'replica' ? { masterName: of ?? null, link, lagBytes: 0 } : {}),
});

function sentinelGroup(master: number, outdated: number[], opts: { notReady?: number[]; healthy?: boolean } = {}) {
  const members = ['g-0', 'g-1', 'g-2'];
  const input: RolloutInput = {
    mode: 'SENTINEL',
    live: {
      name: 'g',
      mode: 'SENTINEL',
      ready: opts.healthy ?? true,
      problems: opts.healthy === false ? ['g-1: replication link down'] : [],
      pending: [],
      master: members[master]!,
      members: members.map((m, i) => (i === master ? server(m, 'master') : server(m, 'replica', members[master]))),
    },
    outdated: new Set(outdated.map((i) => members[i]!)),
    ready: new Set(members.filter((_, i) => !opts.notReady?.includes(i))),
    members,
  };
  return input;
}

test('replicas restart first, highest ordinal first, then the master is handed over', () => {
  assert.deepEqual(
    (({ kind, member }) => ({ kind, member }))(
      decideRolloutStep(sentinelGroup(0, [0, 1, 2])) as { kind: string; member: string },
    ),
    { kind: 'restart', member: 'g-2' },
  );
  const handover = decideRolloutStep(sentinelGroup(0, [0]));
  assert.equal(handover.kind, 'handover');
  assert.deepEqual(handover.kind === 'handover' && handover.candidates, ['g-1', 'g-2']);
  assert.equal(decideRolloutStep(sentinelGroup(1, [0])).kind, 'restart', 'the old master, now a replica, restarts');
  assert.equal(decideRolloutStep(sentinelGroup(1, [])).kind, 'done');
});

test('nothing is taken down while a pod is not Ready or the instance is unhealthy', () => {
  assert.equal(decideRolloutStep(sentinelGroup(0, [0, 1], { notReady: [2] })).kind, 'wait');
  assert.equal(decideRolloutStep(sentinelGroup(0, [0, 1], { healthy: false })).kind, 'wait');
});

test('a master whose replicas are all outdated is not handed over to them', () => {
  // Only possible when the replicas report no link: they would have restarted first otherwise.
  const input = sentinelGroup(0, [0]);
  input.live.members = input.live.members.map((m) => (m.role === 'replica' ? { ...m, link: 'down' } : m));
  const step = decideRolloutStep(input);
  assert.equal(step.kind, 'blocked');
  assert.equal(step.kind === 'blocked' && step.reason, 'NoSyncedReplica');
});

test('a shard without replicas restarts its master (nothing to hand over to)', () => {
  const input: RolloutInput = {
    mode: 'CLUSTER',
    live: { name: 'c', mode: 'CLUSTER', ready: true, problems: [], pending: [], master: 'c-0,c-1,c-2', members: [] },
    outdated: new Set(['c-1']),
    ready: new Set(['c-0', 'c-1', 'c-2']),
    members: ['c-0', 'c-1', 'c-2'],
  };
  input.live.members = input.members.map((m) => server(m, 'master'));
  assert.deepEqual(decideRolloutStep(input).kind, 'restart');
});

test('property: a master is never restarted while it has a follower, and only one step at a time', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 2 }),
      fc.subarray([0, 1, 2]),
      fc.subarray([0, 1, 2]),
      fc.boolean(),
      (master, outdated, notReady, healthy) => {
        const step = decideRolloutStep(sentinelGroup(master, outdated, { notReady, healthy }));
        if (step.kind === 'restart') {
          assert.notEqual(step.member, `g-${master}`, 'the master is handed over, never restarted');
          assert.ok(outdated.includes(Number(step.member.slice(2))), 'only outdated members restart');
        }
        if (notReady.length || !healthy) assert.ok(['wait', 'done'].includes(step.kind), step.kind);
        if (!outdated.length) assert.equal(step.kind, 'done');
      },
    ),
  );
});
