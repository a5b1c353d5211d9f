import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { InstanceStatus, MemberStatus } from '../engine/status.js';
import { decideStatus, withTransitions, type Observed } from './conditions.js';

const server = (name: string, extra: Partial<MemberStatus> = {}): MemberStatus => ({
  name,
  kind: 'server',
  role: 'master',
  host: '127.0.0.1',
  port: 6379,
  pid: null,
  ...extra,
});

const clusterLive = (over: Partial<MemberStatus>, problems: string[] = []): InstanceStatus => ({
  name: 'shards',
  mode: 'CLUSTER',
  ready: problems.length === 0,
  problems,
  pending: [],
  master: 'shards-0,shards-1,shards-2',
  members: [0, 1, 2, 3, 4, 5].map((i) =>
    server(`shards-${i}`, {
      role: i < 3 ? 'master' : 'replica',
      knownNodes: 6,
      slotsAssigned: 16384,
      clusterState: 'ok',
      ...over,
    }),
  ),
});

const observed = (
  live: InstanceStatus | null,
  ready = 6,
  extra: Partial<Extract<Observed, { kind: 'observed' }>> = {},
): Observed => ({
  kind: 'observed',
  pods: { desired: 6, ready },
  allPodsReady: ready === 6,
  live,
  ...extra,
});

const byType = (s: ReturnType<typeof decideStatus>) =>
  Object.fromEntries(s.conditions.map((c) => [c.type, `${c.status}/${c.reason}`]));

describe('decideStatus', () => {
  test('members carry what kubectl rk status shows: role, master, link, lag from 1 KiB, slots', () => {
    const live = clusterLive({});
    live.members[0] = server('shards-0', { slots: ['0-5460'] });
    live.members[3] = server('shards-3', { role: 'replica', masterName: 'shards-0', link: 'up', lagBytes: 14 });
    live.members[4] = server('shards-4', { role: 'replica', masterName: 'shards-1', link: 'down', lagBytes: 4096 });
    const m = decideStatus('CLUSTER', 1, 6, observed(live)).members!;
    assert.deepEqual(m[0], { name: 'shards-0', role: 'master', slots: ['0-5460'] });
    assert.deepEqual(m[3], { name: 'shards-3', role: 'replica', of: 'shards-0', link: 'up' });
    assert.deepEqual(m[4], { name: 'shards-4', role: 'replica', of: 'shards-1', link: 'down', lagBytes: 4096 });
  });

  test('a formed cluster with every slot assigned and healthy servers is Ready', () => {
    const s = decideStatus('CLUSTER', 3, 6, observed(clusterLive({})));
    assert.equal(s.phase, 'Ready');
    assert.deepEqual(byType(s), {
      Ready: 'True/AllMembersReady',
      Progressing: 'False/Reconciled',
      Degraded: 'False/AsExpected',
      ClusterFormed: 'True/AllNodesJoined',
      SlotsAssigned: 'True/AllSlotsAssigned',
    });
    assert.equal(s.observedGeneration, 3);
    assert.equal(s.ready, '6/6');
    assert.equal(s.master, 'shards-0,shards-1,shards-2');
  });

  test('ready pods that have not formed a cluster are Forming, not Ready', () => {
    const s = decideStatus(
      'CLUSTER',
      1,
      6,
      observed(clusterLive({ knownNodes: 1, slotsAssigned: 0, clusterState: 'fail' }, ['x'])),
    );
    assert.equal(s.phase, 'Forming');
    assert.deepEqual(byType(s), {
      Ready: 'False/NodesNotJoined',
      Progressing: 'True/FormingCluster',
      Degraded: 'False/AsExpected',
      ClusterFormed: 'False/NodesNotJoined',
      SlotsAssigned: 'False/SlotsUnassigned',
    });
  });

  test('every pod Ready but a shard down is not Ready: Degraded from the servers', () => {
    const live = clusterLive({}, ['shards-1: cluster_state fail', '5461 slots not served (5461-10922)']);
    const s = decideStatus('CLUSTER', 1, 6, observed(live));
    assert.equal(s.phase, 'Degraded');
    assert.equal(byType(s).Ready, 'False/ServersNotReady');
    assert.equal(byType(s).Degraded, 'True/MembersUnhealthy');
    assert.match(s.conditions[0]!.message, /slots not served/);
  });

  test('pods still starting: Pending, Progressing', () => {
    const s = decideStatus('CLUSTER', 1, 6, observed(null, 2));
    assert.equal(s.phase, 'Pending');
    assert.deepEqual([byType(s).Ready, byType(s).Progressing], ['False/PodsNotReady', 'True/PodsStarting']);
    assert.equal(s.readyReplicas, 2);
  });

  test('a pod lost after the instance served is Degraded; the same count while starting is Pending', () => {
    const live = clusterLive({}, ['shards-4 is not running']);
    live.members[4]!.role = 'down'; // the cluster no longer counts as formed
    const lost = decideStatus('CLUSTER', 1, 6, observed(live, 5, { wasServing: true }));
    assert.deepEqual([lost.phase, byType(lost).Degraded], ['Degraded', 'True/MembersUnhealthy']);
    const starting = decideStatus('CLUSTER', 1, 6, observed(live, 5));
    assert.deepEqual([starting.phase, byType(starting).Degraded], ['Pending', 'False/AsExpected']);
  });

  test('a blocked step says why in Ready, Progressing and Degraded', () => {
    const s = decideStatus(
      'CLUSTER',
      1,
      6,
      observed(clusterLive({ knownNodes: 1 }), 6, {
        blocked: { reason: 'NodeHoldsKeys', message: 'shards-2 holds keys but no slots' },
      }),
    );
    assert.equal(s.phase, 'Blocked');
    assert.deepEqual(
      [byType(s).Ready, byType(s).Progressing, byType(s).Degraded],
      ['False/NodeHoldsKeys', 'False/NodeHoldsKeys', 'True/NodeHoldsKeys'],
    );
  });

  test('sentinel quorum from the sentinels that agree with the master the servers report', () => {
    const sentinel = (i: number, sees: string | null): MemberStatus => ({
      name: `s-sentinel-${i}`,
      kind: 'sentinel',
      role: 'sentinel',
      host: 'h',
      port: 26379,
      pid: null,
      sees,
    });
    const live = (sees: Array<string | null>, problems: string[] = []): InstanceStatus => ({
      name: 's',
      mode: 'SENTINEL',
      ready: problems.length === 0,
      problems,
      pending: [],
      master: 's-0',
      members: [server('s-0'), server('s-1', { role: 'replica' }), ...sees.map((x, i) => sentinel(i, x))],
    });
    const o = (l: InstanceStatus): Observed => ({
      kind: 'observed',
      pods: { desired: 2, ready: 2 },
      allPodsReady: true,
      live: l,
      sentinelQuorum: 2,
    });
    assert.equal(
      byType(decideStatus('SENTINEL', 1, 2, o(live(['s-0', 's-0', 's-0'])))).SentinelQuorum,
      'True/QuorumReached',
    );
    const lost = decideStatus('SENTINEL', 1, 2, o(live(['s-0', null, 's-1'], ['s-sentinel-1 sees no master'])));
    assert.equal(byType(lost).SentinelQuorum, 'False/QuorumLost');
    assert.equal(byType(lost).Ready, 'False/QuorumLost');
  });

  test('a refused spec is Failed with the reason everywhere', () => {
    const s = decideStatus('STANDALONE', 4, 1, { kind: 'refused', reason: 'NamespaceMismatch', message: 'm' });
    assert.equal(s.phase, 'Failed');
    assert.equal(byType(s).Ready, 'False/NamespaceMismatch');
  });
});

describe('withTransitions', () => {
  test('keeps the transition time of an unchanged status, stamps a changed one', () => {
    const prev = [
      { type: 'Ready', status: 'False' as const, lastTransitionTime: 't0' },
      { type: 'Degraded', status: 'False' as const, lastTransitionTime: 't0' },
    ];
    const next = [
      { type: 'Ready', status: 'True' as const, reason: 'AllMembersReady', message: '' },
      { type: 'Degraded', status: 'False' as const, reason: 'AsExpected', message: '' },
      { type: 'Progressing', status: 'False' as const, reason: 'Reconciled', message: '' },
    ];
    const out = withTransitions(prev, next, 7, 't1');
    assert.deepEqual(
      out.map((c) => [c.type, c.lastTransitionTime, c.observedGeneration]),
      [
        ['Ready', 't1', 7],
        ['Degraded', 't0', 7],
        ['Progressing', 't1', 7],
      ],
    );
  });
});
