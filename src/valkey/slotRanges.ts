// Slot sets as inclusive ranges, the form CLUSTER ADDSLOTSRANGE, CLUSTER NODES and
// CLUSTER SHARDS use. Pure helpers for planning resharding.
import { SLOT_COUNT, isValidSlot } from './slot.js';

/** Inclusive range of slots. */
export type SlotRange = { start: number; end: number };

/** Sorted, merged ranges covering exactly the given slots (duplicates allowed, order not). */
export function slotsToRanges(slots: Iterable<number>): SlotRange[] {
  const sorted = [...new Set(slots)].sort((a, b) => a - b);
  const ranges: SlotRange[] = [];
  for (const slot of sorted) {
    if (!isValidSlot(slot)) throw new RangeError(`invalid slot ${slot}`);
    const last = ranges[ranges.length - 1];
    if (last && slot === last.end + 1) last.end = slot;
    else ranges.push({ start: slot, end: slot });
  }
  return ranges;
}

/** Every slot in the ranges, ascending, without duplicates. */
export function rangesToSlots(ranges: readonly SlotRange[]): number[] {
  const out = new Set<number>();
  for (const r of ranges) {
    assertRange(r);
    for (let s = r.start; s <= r.end; s++) out.add(s);
  }
  return [...out].sort((a, b) => a - b);
}

/** Sorted and merged (overlapping or adjacent ranges joined). */
export function normalizeRanges(ranges: readonly SlotRange[]): SlotRange[] {
  const sorted = ranges.map((r) => (assertRange(r), { ...r })).sort((a, b) => a.start - b.start);
  const out: SlotRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.start <= last.end + 1) last.end = Math.max(last.end, r.end);
    else out.push(r);
  }
  return out;
}

export function countSlots(ranges: readonly SlotRange[]): number {
  return normalizeRanges(ranges).reduce((n, r) => n + r.end - r.start + 1, 0);
}

/** "0-5460,5462" style text; single slots without a dash. */
export function formatRanges(ranges: readonly SlotRange[]): string {
  return ranges.map((r) => (r.start === r.end ? `${r.start}` : `${r.start}-${r.end}`)).join(',');
}

/** Parses "0-5460" or "17" (one CLUSTER NODES slot token without brackets). */
export function parseRange(token: string): SlotRange {
  const m = /^(\d+)(?:-(\d+))?$/.exec(token);
  if (!m) throw new Error(`not a slot range: ${JSON.stringify(token)}`);
  const start = Number(m[1]);
  const range = { start, end: m[2] === undefined ? start : Number(m[2]) };
  assertRange(range);
  return range;
}

/**
 * Splits all 16384 slots into `parts` contiguous ranges the way valkey-cli --cluster create
 * does (3 masters: 0-5460, 5461-10922, 10923-16383), so clusters we bootstrap look familiar.
 */
export function evenSlotRanges(parts: number): SlotRange[] {
  if (!Number.isInteger(parts) || parts < 1 || parts > SLOT_COUNT)
    throw new RangeError(`cannot split slots into ${parts} parts`);
  const perPart = SLOT_COUNT / parts;
  const out: SlotRange[] = [];
  let first = 0;
  let cursor = 0;
  for (let i = 0; i < parts; i++) {
    let last = Math.round(cursor + perPart - 1);
    if (last > SLOT_COUNT - 1 || i === parts - 1) last = SLOT_COUNT - 1;
    if (last < first) last = first;
    out.push({ start: first, end: last });
    first = last + 1;
    cursor += perPart;
  }
  return out;
}

function assertRange(r: SlotRange): void {
  if (!isValidSlot(r.start) || !isValidSlot(r.end) || r.start > r.end)
    throw new RangeError(`invalid slot range ${r.start}-${r.end}`);
}
