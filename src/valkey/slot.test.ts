import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { crc16, keySlot } from './slot.js';
import {
  countSlots,
  evenSlotRanges,
  formatRanges,
  normalizeRanges,
  parseRange,
  rangesToSlots,
  slotsToRanges,
} from './slotRanges.js';

test('CRC16/XMODEM check value', () => {
  // The cluster spec's reference: CRC16 of "123456789" is 0x31C3.
  assert.equal(crc16(Buffer.from('123456789')), 0x31c3);
});

test('keySlot examples (values from CLUSTER KEYSLOT, see slot.int.test.ts for the full comparison)', () => {
  assert.equal(keySlot('hello'), 866);
  assert.equal(keySlot('foo'), 12182);
  assert.equal(keySlot(''), 0);
  assert.equal(keySlot('{user1000}.following'), keySlot('user1000'));
  assert.equal(keySlot('{user1000}.followers'), keySlot('{user1000}.following'));
  assert.equal(keySlot('foo{}{bar}'), keySlot('foo{}{bar}'), 'empty first tag: whole key');
  assert.notEqual(keySlot('foo{}{bar}'), keySlot('bar'));
  assert.equal(keySlot('foo{{bar}}zap'), keySlot('{bar'));
  assert.equal(keySlot('foo{bar}{zap}'), keySlot('bar'));
  assert.equal(keySlot(Buffer.from('hello')), 866);
});

test('keySlot is always a valid slot and strings hash as UTF-8', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme' }), (s) => {
      const slot = keySlot(s);
      return slot >= 0 && slot < 16384 && slot === keySlot(Buffer.from(s, 'utf8'));
    }),
  );
});

test('slot ranges round-trip', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 16383 }), { maxLength: 300 }), (slots) => {
      const ranges = slotsToRanges(slots);
      assert.deepEqual(
        rangesToSlots(ranges),
        [...new Set(slots)].sort((a, b) => a - b),
      );
      for (let i = 1; i < ranges.length; i++)
        assert.ok((ranges[i]?.start ?? 0) > (ranges[i - 1]?.end ?? 0) + 1, 'ranges are merged');
      assert.deepEqual(normalizeRanges(ranges), ranges);
      assert.equal(countSlots(ranges), new Set(slots).size);
    }),
  );
});

test('range helpers', () => {
  assert.deepEqual(slotsToRanges([5, 3, 4, 10, 3]), [
    { start: 3, end: 5 },
    { start: 10, end: 10 },
  ]);
  assert.equal(
    formatRanges([
      { start: 0, end: 5460 },
      { start: 7, end: 7 },
    ]),
    '0-5460,7',
  );
  assert.deepEqual(parseRange('17'), { start: 17, end: 17 });
  assert.deepEqual(parseRange('0-5460'), { start: 0, end: 5460 });
  assert.throws(() => parseRange('5-3'), RangeError);
  assert.throws(() => parseRange('16384'), RangeError);
  assert.deepEqual(
    normalizeRanges([
      { start: 10, end: 20 },
      { start: 0, end: 9 },
      { start: 15, end: 30 },
    ]),
    [{ start: 0, end: 30 }],
  );
});

test('evenSlotRanges matches valkey-cli --cluster create and covers every slot once', () => {
  assert.deepEqual(evenSlotRanges(3), [
    { start: 0, end: 5460 },
    { start: 5461, end: 10922 },
    { start: 10923, end: 16383 },
  ]);
  for (const n of [1, 2, 3, 5, 7, 10, 100]) {
    const r = evenSlotRanges(n);
    assert.equal(r.length, n);
    assert.equal(countSlots(r), 16384);
    assert.equal(r[0]?.start, 0);
    assert.equal(r[n - 1]?.end, 16383);
    const sizes = r.map((x) => x.end - x.start + 1);
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1);
  }
});
