import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decideLease, microTime, type LeaseDecision } from './leaseDecision.js';

const T0 = Date.parse('2026-12-02T10:00:00.000Z');

function specOf(d: LeaseDecision) {
  if (d.action === 'wait') throw new Error(`expected a write, got wait for ${d.holder}`);
  return d.spec;
}

describe('decideLease', () => {
  test('no Lease: create it as holder with 0 transitions', () => {
    const d = decideLease(null, T0, T0, 'a', 15);
    assert.equal(d.action, 'create');
    assert.deepEqual(specOf(d), {
      holderIdentity: 'a',
      leaseDurationSeconds: 15,
      acquireTime: '2026-12-02T10:00:00.000000Z',
      renewTime: '2026-12-02T10:00:00.000000Z',
      leaseTransitions: 0,
    });
  });

  test('our own Lease: renew, keeping acquireTime and transitions', () => {
    const cur = {
      holderIdentity: 'a',
      leaseDurationSeconds: 15,
      acquireTime: 'x',
      renewTime: 'y',
      leaseTransitions: 3,
    };
    const d = decideLease(cur, T0, T0 + 2000, 'a', 15);
    assert.equal(d.action, 'renew');
    assert.deepEqual(
      [specOf(d).acquireTime, specOf(d).leaseTransitions, specOf(d).renewTime],
      ['x', 3, microTime(T0 + 2000)],
    );
  });

  test("another holder's Lease is respected until it has not changed for its duration, by our clock", () => {
    const cur = { holderIdentity: 'b', leaseDurationSeconds: 15, renewTime: '2000-01-01T00:00:00.000000Z' };
    // renewTime is ancient (clock skew), but we only just observed it: wait.
    const d = decideLease(cur, T0, T0 + 14_999, 'a', 15);
    assert.deepEqual(d, { action: 'wait', holder: 'b', expiresInMs: 1 });
    const e = decideLease({ ...cur, leaseTransitions: 4 }, T0, T0 + 15_000, 'a', 15);
    assert.equal(e.action, 'acquire');
    assert.deepEqual([specOf(e).holderIdentity, specOf(e).leaseTransitions], ['a', 5]);
  });

  test('a released Lease (empty holder) is taken at once', () => {
    const d = decideLease({ holderIdentity: '', leaseDurationSeconds: 15 }, T0, T0, 'a', 15);
    assert.equal(d.action, 'acquire');
  });
});
