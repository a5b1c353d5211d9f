// Planning a cluster resize, without servers: minimal balanced slot moves, and which member
// ends in which role for scale-out, scale-in and replica changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { exampleInstance } from '../../test/support/localInstance.js';
import { SLOT_COUNT } from '../valkey/slot.js';
import { evenSlotRanges, rangesToSlots } from '../valkey/slotRanges.js';
import {
  describeClusterScale,
  isEmptyPlan,
  planClusterScale,
  type ClusterObservation,
  type ObservedNode,
} from './clusterScale.js';
import { rebalanceMoves } from './slotPlan.js';
import { streamWaves } from './slotMigration.js';

function apply(owners: Map<string, number[]>, moves: ReturnType<typeof rebalanceMoves>): Map<string, number[]> {
  const out = new Map([...owners].map(([k, v]) => [k, [...v]]));
  for (const m of moves) {
    const from = out.get(m.from)!;
    assert.ok(from.includes(m.slot), `${m.from} does not own ${m.slot}`);
    out.set(
      m.from,
      from.filter((s) => s !== m.slot),
    );
    out.set(m.to, [...(out.get(m.to) ?? []), m.slot]);
  }
  return out;
}

test('rebalanceMoves: balanced, each slot once, drained nodes empty, and the minimum number of moves', () => {
  fc.assert(
    fc.property(
      fc.array(fc.nat({ max: 3000 }), { minLength: 1, maxLength: 6 }),
      fc.integer({ min: 1, max: 6 }),
      fc.integer({ min: 0, max: 6 }),
      (sizes, targetCount, keepCount) => {
        const owners = new Map<string, number[]>();
        let next = 0;
        sizes.forEach((n, i) => {
          owners.set(
            `n${i}`,
            Array.from({ length: n }, () => next++),
          );
        });
        // Targets: some existing nodes, the rest new and empty.
        const targets = Array.from({ length: targetCount }, (_, i) =>
          i < Math.min(keepCount, sizes.length) ? `n${i}` : `new${i}`,
        );
        const moves = rebalanceMoves(owners, targets);
        assert.equal(new Set(moves.map((m) => m.slot)).size, moves.length, 'a slot moves at most once');
        const after = apply(owners, moves);
        const counts = targets.map((t) => after.get(t)?.length ?? 0);
        assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, `balanced: ${counts.join(',')}`);
        for (const [n, s] of after) if (!targets.includes(n)) assert.equal(s.length, 0, `${n} drained`);
        // Lower bound: whatever a balanced layout keeps, each target keeps at most ceil(total/targets),
        // at most extra of them the ceil; everything else must move.
        const total = next;
        const base = Math.floor(total / targets.length);
        const extra = total % targets.length;
        const held = targets.map((t) => owners.get(t)?.length ?? 0).sort((a, b) => b - a);
        const keptMax = held.reduce((k, h, i) => k + Math.min(h, base + (i < extra ? 1 : 0)), 0);
        assert.equal(moves.length, total - keptMax, 'minimal');
      },
    ),
    { numRuns: 300 },
  );
});

test('rebalanceMoves: 3 -> 4 masters moves 4096 slots, a third from each source, highest slots first', () => {
  const owners = new Map(evenSlotRanges(3).map((r, i) => [`m${i}`, rangesToSlots([r])]));
  const moves = rebalanceMoves(owners, ['m0', 'm1', 'm2', 'm3']);
  assert.equal(moves.length, SLOT_COUNT / 4);
  assert.deepEqual([...new Set(moves.map((m) => m.to))], ['m3']);
  const perSource = new Map<string, number[]>();
  for (const m of moves) perSource.set(m.from, [...(perSource.get(m.from) ?? []), m.slot]);
  assert.deepEqual([...perSource.keys()].sort(), ['m0', 'm1', 'm2']);
  for (const [from, slots] of perSource)
    assert.ok(Math.abs(slots.length - 4096 / 3) <= 1, `${from} gives ${slots.length}`);
  // m0 keeps 0..4095: what it gives is its top.
  assert.deepEqual(Math.min(...perSource.get('m0')!), 4096);
});

const node = (member: string, role: 'master' | 'replica', opts: Partial<ObservedNode> = {}): ObservedNode => ({
  member,
  id: member.padEnd(40, '0'),
  role,
  masterMember: null,
  slots: [],
  keys: 0,
  ...opts,
});

function threeByOne(): ClusterObservation {
  const r = evenSlotRanges(3);
  return {
    nodes: [
      node('shards-0', 'master', { slots: rangesToSlots([r[0]!]) }),
      node('shards-1', 'master', { slots: rangesToSlots([r[1]!]) }),
      node('shards-2', 'master', { slots: rangesToSlots([r[2]!]) }),
      node('shards-3', 'replica', { masterMember: 'shards-0' }),
      node('shards-4', 'replica', { masterMember: 'shards-1' }),
      node('shards-5', 'replica', { masterMember: 'shards-2' }),
    ],
    openSlots: [],
    leftovers: [],
  };
}
const spec = (masters: number, replicasPerMaster: number) =>
  exampleInstance('cluster', (inst) => {
    inst.cluster = { ...inst.cluster!, masters, replicasPerMaster };
    inst.dataReplicas = masters * (1 + replicasPerMaster);
  });

test('plan: unchanged spec is empty', () => {
  const p = planClusterScale(threeByOne(), spec(3, 1));
  assert.equal(isEmptyPlan(p), true, describeClusterScale(p).join('\n'));
});

test('plan: 3x1 -> 4x1 adds a master and its replica, moves 4096 slots to it', () => {
  const p = planClusterScale(threeByOne(), spec(4, 1));
  assert.deepEqual(p.add, ['shards-6', 'shards-7']);
  assert.deepEqual(p.masters, ['shards-0', 'shards-1', 'shards-2', 'shards-6']);
  assert.deepEqual(p.attach, [{ member: 'shards-7', to: 'shards-6' }]);
  assert.equal(p.moves.length, 4096);
  assert.ok(p.moves.every((m) => m.to === 'shards-6'));
  assert.deepEqual(p.remove, []);
  assert.match(
    describeClusterScale(p).join('\n'),
    /add shards-6 as master\nadd shards-7 as replica of shards-6\nmove 4096 slot\(s\):\n {2}shards-0 -> shards-6: 1365 slots/,
  );
});

test('plan: 4x1 -> 3x1 drains the extra master to the others and removes it with its replica', () => {
  const out = planClusterScale(threeByOne(), spec(4, 1));
  const obs = threeByOne();
  const after = new Map(obs.nodes.filter((n) => n.role === 'master').map((n) => [n.member, n.slots]));
  for (const m of out.moves) {
    after.set(
      m.from,
      after.get(m.from)!.filter((s) => s !== m.slot),
    );
    after.set(m.to, [...(after.get(m.to) ?? []), m.slot]);
  }
  obs.nodes.forEach((n) => {
    if (n.role === 'master') n.slots = after.get(n.member)!;
  });
  obs.nodes.push(
    node('shards-6', 'master', { slots: after.get('shards-6')! }),
    node('shards-7', 'replica', { masterMember: 'shards-6' }),
  );
  const p = planClusterScale(obs, spec(3, 1));
  assert.deepEqual(p.remove, ['shards-6', 'shards-7']);
  assert.equal(p.moves.length, 4096);
  assert.ok(p.moves.every((m) => m.from === 'shards-6'));
  assert.deepEqual(new Set(p.moves.map((m) => m.to)), new Set(['shards-0', 'shards-1', 'shards-2']));
  assert.deepEqual(p.attach, []);
});

test('plan: replicas 1 -> 0 removes them, 0 -> 1 adds one per master', () => {
  const p = planClusterScale(threeByOne(), spec(3, 0));
  assert.deepEqual(p.remove, ['shards-3', 'shards-4', 'shards-5']);
  assert.deepEqual(p.moves, []);
  const obs = threeByOne();
  obs.nodes = obs.nodes.slice(0, 3);
  const q = planClusterScale(obs, spec(3, 1));
  assert.deepEqual(q.add, ['shards-3', 'shards-4', 'shards-5']);
  assert.deepEqual(q.attach, [
    { member: 'shards-3', to: 'shards-0' },
    { member: 'shards-4', to: 'shards-1' },
    { member: 'shards-5', to: 'shards-2' },
  ]);
});

test('plan: 3x1 -> 4x0 turns a replica into a master (no new member is left to be one)', () => {
  const p = planClusterScale(threeByOne(), spec(4, 0));
  assert.deepEqual(p.promote, ['shards-3']);
  assert.deepEqual(p.remove, ['shards-4', 'shards-5']);
  assert.equal(p.moves.length, 4096);
});

test('plan: half-moved slots are finished first and counted for the new owner', () => {
  const obs = threeByOne();
  obs.openSlots = [{ slot: 5460, from: 'shards-0', to: 'shards-1' }];
  const p = planClusterScale(obs, spec(3, 1));
  assert.deepEqual(p.finish, obs.openSlots);
  // After finishing, shards-1 holds 5463 and shards-0 5460: one slot back makes it balanced.
  assert.equal(p.moves.length, 1);
  assert.match(describeClusterScale(p)[0]!, /finish 1 half-moved slot/);
});

test('streamWaves: every stream once, and no node is a source and a target in the same wave', () => {
  const anyNode = fc.constantFrom('a', 'b', 'c', 'd');
  fc.assert(
    fc.property(
      fc.array(
        fc.tuple(anyNode, anyNode).filter(([f, t]) => f !== t),
        { maxLength: 12 },
      ),
      (pairs) => {
        const streams = pairs.map(([from, to], i) => ({ from, to, i }));
        const waves = streamWaves(streams);
        assert.deepEqual(
          waves
            .flat()
            .map((s) => s.i)
            .sort((x, y) => x - y),
          streams.map((s) => s.i),
        );
        for (const w of waves) {
          const sources = new Set(w.map((s) => s.from));
          for (const s of w) assert.ok(!sources.has(s.to), `${s.to} is a source and a target in one wave`);
        }
      },
    ),
  );
  // Scale-out: one wave.
  assert.equal(
    streamWaves([
      { from: 'a', to: 'd' },
      { from: 'b', to: 'd' },
      { from: 'c', to: 'd' },
    ]).length,
    1,
  );
});
