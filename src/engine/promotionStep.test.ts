// The requested switchover's decision, without servers: one answer per request, a handover only
// to a Ready, linked replica of a healthy instance, and never while a rolling restart moves roles.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decidePromotion, type PromotionInput } from './promotionStep.js';
import type { MemberStatus } from './status.js';

const members = ['g-0', 'g-1', 'g-2'];

function group(
  opts: { target?: string; link?: string; healthy?: boolean; notReady?: string[]; rolling?: boolean } = {},
) {
  const server = (name: string): MemberStatus =>
    name === 'g-0'
      ? { name, kind: 'server', role: 'master', host: '10.0.0.1', port: 6379, pid: null }
      : {
          name,
          kind: 'server',
          role: 'replica',
          host: '10.0.0.2',
          port: 6379,
          pid: null,
          masterName: 'g-0',
          link: name === 'g-1' ? (opts.link ?? 'up') : 'up',
          lagBytes: 0,
        };
  const input: PromotionInput = {
    mode: 'SENTINEL',
    live: {
      name: 'g',
      mode: 'SENTINEL',
      ready: opts.healthy ?? true,
      problems: opts.healthy === false ? ['g-2: replication link down'] : [],
      pending: [],
      master: 'g-0',
      members: members.map(server),
    },
    target: opts.target ?? 'g-1',
    members,
    ready: new Set(members.filter((m) => !opts.notReady?.includes(m))),
    rolling: opts.rolling ?? false,
  };
  return input;
}

const reasonOf = (input: PromotionInput) => {
  const step = decidePromotion(input);
  return step.kind === 'refused' ? step.reason : step.kind;
};

test('a Ready linked replica of a healthy instance gets the role from its master', () => {
  const step = decidePromotion(group());
  assert.equal(step.kind, 'handover');
  assert.deepEqual(step.kind === 'handover' && [step.master, step.target], ['g-0', 'g-1']);
});

test('the master itself is answered as done, before anything else is judged', () => {
  assert.equal(reasonOf(group({ target: 'g-0', healthy: false, rolling: true })), 'done');
});

test('each refusal names its reason', () => {
  assert.equal(reasonOf({ ...group(), mode: 'STANDALONE' }), 'NotReplicated');
  assert.equal(reasonOf(group({ target: 'g-7' })), 'UnknownMember');
  assert.equal(reasonOf(group({ rolling: true })), 'RollingRestartInProgress');
  assert.equal(reasonOf(group({ notReady: ['g-1'] })), 'NotReady');
  assert.equal(reasonOf(group({ healthy: false })), 'InstanceNotHealthy');
  assert.equal(reasonOf(group({ link: 'down' })), 'ReplicaNotSynced');
});

test('property: a handover is decided only to a Ready replica with its link up, in a healthy instance', () => {
  fc.assert(
    fc.property(
      fc.record({
        target: fc.constantFrom('g-0', 'g-1', 'g-2', 'x-9'),
        link: fc.constantFrom('up', 'down', 'connecting'),
        healthy: fc.boolean(),
        notReady: fc.subarray(members),
        rolling: fc.boolean(),
      }),
      (o) => {
        const input = group(o);
        const step = decidePromotion(input);
        if (step.kind !== 'handover') return;
        const me = input.live.members.find((m) => m.name === step.target)!;
        assert.ok(input.live.ready && !input.rolling && input.ready.has(step.target));
        assert.equal(me.role, 'replica');
        assert.equal(me.link, 'up');
        assert.equal(step.master, me.masterName);
      },
    ),
  );
});
