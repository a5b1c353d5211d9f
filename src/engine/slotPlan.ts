// The minimal set of slot moves from a current assignment to a balanced one (scale-out and
// scale-in). Range arithmetic lives in valkey/slotRanges.ts.
import { formatRanges, slotsToRanges } from '../valkey/slotRanges.js';

export interface SlotMove {
  slot: number;
  from: string;
  to: string;
}

/**
 * Moves that take `owners` (node -> slots it serves) to a balanced layout over `targets`
 * (the masters that should remain): every target ends with floor or ceil of total/targets.
 * Only surplus slots move, each exactly once, so the number of moved slots is the minimum for
 * a balanced result: the +1 shares go to the targets that already hold the most (a +1 given to
 * a target at or below the base saves nothing), and nodes not in `targets` are drained.
 * Each source gives away its highest slots, so the ranges it keeps stay contiguous.
 */
export function rebalanceMoves(owners: ReadonlyMap<string, readonly number[]>, targets: readonly string[]): SlotMove[] {
  if (targets.length === 0) throw new Error('rebalance needs at least one target master');
  const total = [...owners.values()].reduce((n, s) => n + s.length, 0);
  const sortedTargets = [...new Set(targets)].sort();
  const base = Math.floor(total / sortedTargets.length);
  const extra = total % sortedTargets.length;
  const held = (t: string) => owners.get(t)?.length ?? 0;
  const byHolding = [...sortedTargets].sort((a, b) => held(b) - held(a) || a.localeCompare(b));
  const want = new Map<string, number>(byHolding.map((t, i) => [t, base + (i < extra ? 1 : 0)]));

  // Surplus per source, highest slots first.
  const surplus = new Map<string, number[]>();
  for (const [node, slots] of [...owners.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const keep = want.get(node) ?? 0;
    const give = [...slots]
      .sort((a, b) => a - b)
      .slice(keep)
      .reverse();
    if (give.length) surplus.set(node, give);
  }
  // Each target takes from the sources in turn (round robin): moves to one target then come
  // from several sources, which the migrator runs in parallel.
  const moves: SlotMove[] = [];
  for (const t of sortedTargets) {
    let need = (want.get(t) ?? 0) - held(t);
    while (need > 0 && surplus.size > 0) {
      for (const [from, slots] of surplus) {
        if (need === 0) break;
        moves.push({ slot: slots.pop()!, from, to: t });
        need--;
        if (slots.length === 0) surplus.delete(from);
      }
    }
  }
  return moves.sort((a, b) => a.slot - b.slot);
}

/** Moves grouped by (source, target), slots ascending: one migration stream each. */
export function groupMoves(moves: readonly SlotMove[]): Array<{ from: string; to: string; slots: number[] }> {
  const groups = new Map<string, { from: string; to: string; slots: number[] }>();
  for (const m of moves) {
    const key = `${m.from}\u0000${m.to}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { from: m.from, to: m.to, slots: [] }));
    g.slots.push(m.slot);
  }
  for (const g of groups.values()) g.slots.sort((a, b) => a - b);
  return [...groups.values()].sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to));
}

/** "shards-0 -> shards-3: 1365 slots (4096-5460)" lines. */
export function describeMoves(moves: readonly SlotMove[]): string[] {
  return groupMoves(moves).map(
    (g) =>
      `${g.from} -> ${g.to}: ${g.slots.length} slot${g.slots.length === 1 ? '' : 's'} (${formatRanges(slotsToRanges(g.slots))})`,
  );
}
