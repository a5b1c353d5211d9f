// The minimal set of slot moves from a current assignment to a balanced one (scale-out and
// scale-in). Range arithmetic lives in valkey/slotRanges.ts.

export interface SlotMove { slot: number; from: string; to: string }

/**
 * Moves that take `owners` (node -> slots it serves) to a balanced layout over `targets`
 * (the masters that should remain). Only surplus slots move, each exactly once, so the
 * number of moved slots is the minimum for a balanced result. Nodes not in `targets` are
 * drained completely.
 */
export function rebalanceMoves(owners: ReadonlyMap<string, readonly number[]>, targets: readonly string[]): SlotMove[] {
  if (targets.length === 0) throw new Error('rebalance needs at least one target master');
  const total = [...owners.values()].reduce((n, s) => n + s.length, 0);
  const sortedTargets = [...targets].sort();
  const base = Math.floor(total / targets.length);
  const extra = total % targets.length;
  // Give the +1 slots to the targets that already hold the most, so fewer slots move.
  const byHolding = [...sortedTargets].sort((a, b) => (owners.get(b)?.length ?? 0) - (owners.get(a)?.length ?? 0) || a.localeCompare(b));
  const want = new Map<string, number>(byHolding.map((t, i) => [t, base + (i < extra ? 1 : 0)]));

  const surplus: Array<{ slot: number; from: string }> = [];
  for (const [node, slots] of [...owners.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const keep = want.get(node) ?? 0;
    const sorted = [...slots].sort((a, b) => a - b);
    // Keep the lowest slots, give away the highest: ranges stay contiguous where possible.
    for (const slot of sorted.slice(keep)) surplus.push({ slot, from: node });
  }
  const moves: SlotMove[] = [];
  for (const t of sortedTargets) {
    let need = (want.get(t) ?? 0) - (owners.get(t)?.length ?? 0);
    while (need-- > 0) {
      const s = surplus.shift();
      if (!s) break;
      moves.push({ slot: s.slot, from: s.from, to: t });
    }
  }
  return moves;
}
