// Timer arithmetic (RFC 4271 §4.2, §4.4, §8.1.1, §10): jitter, hold/keepalive, IdleHold back-off.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  idleHoldBackoff,
  isAcceptableHoldTime,
  jitter,
  keepaliveTime,
  negotiateHoldTime,
} from '../../src/session/timers.js';
import type { IdleHoldPolicy } from '../../src/session/timers.js';

describe('timers: jitter (RFC 4271 §10)', () => {
  it('maps the random source onto [0.75, 1.0] of the base', () => {
    assert.equal(jitter(120, () => 0), 90);
    assert.equal(jitter(120, () => 0.5), 105);
    assert.equal(jitter(120, () => 1), 120);
  });

  it('stays within bounds for any random value, even out of range', () => {
    fc.assert(
      fc.property(fc.double({ min: -2, max: 3, noNaN: true }), fc.integer({ min: 0, max: 65535 }), (r, base) => {
        const v = jitter(base, () => r);
        return v >= base * 0.75 && v <= base;
      }),
    );
  });

  it('draws a new random value each time', () => {
    const values = [0, 1];
    const src = (): number => values.shift() ?? 0.5;
    assert.deepEqual([jitter(40, src), jitter(40, src), jitter(40, src)], [30, 40, 35]);
  });
});

describe('timers: hold time and keepalive (RFC 4271 §4.2, §4.4)', () => {
  it('rejects 1 and 2, accepts 0 and 3 and above', () => {
    assert.deepEqual([0, 1, 2, 3, 90, 65535].map((t) => isAcceptableHoldTime(t)), [true, false, false, true, true, true]);
  });

  it('an operator floor raises the minimum but never allows 1 or 2', () => {
    assert.equal(isAcceptableHoldTime(9, 10), false);
    assert.equal(isAcceptableHoldTime(10, 10), true);
    assert.equal(isAcceptableHoldTime(0, 10), true);
    assert.equal(isAcceptableHoldTime(2, 1), false);
  });

  it('negotiates the smaller value, 0 when either side says 0', () => {
    assert.equal(negotiateHoldTime(90, 180), 90);
    assert.equal(negotiateHoldTime(90, 30), 30);
    assert.equal(negotiateHoldTime(0, 180), 0);
    assert.equal(negotiateHoldTime(90, 0), 0);
  });

  it('keepalive is a third of the hold time, rounded down', () => {
    assert.deepEqual([0, 3, 4, 10, 90, 65535].map(keepaliveTime), [0, 1, 1, 3, 30, 21845]);
  });
});

describe('timers: IdleHoldTime back-off (RFC 4271 §8.1.1)', () => {
  const policy: IdleHoldPolicy = { damp: true, initial: 5, max: 300, stablePeriod: 300 };

  it('doubles after each failure up to the maximum', () => {
    const waits: number[] = [];
    let cur = policy.initial;
    for (let i = 0; i < 9; i++) {
      const b = idleHoldBackoff(cur, null, policy);
      waits.push(b.wait);
      cur = b.next;
    }
    assert.deepEqual(waits, [5, 10, 20, 40, 80, 160, 300, 300, 300]);
  });

  it('starts over after a stable period, not before', () => {
    assert.deepEqual(idleHoldBackoff(80, 300, policy), { wait: 5, next: 10 });
    assert.deepEqual(idleHoldBackoff(80, 299, policy), { wait: 80, next: 160 });
  });

  it('never goes below the initial value or above the maximum', () => {
    assert.deepEqual(idleHoldBackoff(0, null, policy), { wait: 5, next: 10 });
    assert.deepEqual(idleHoldBackoff(10_000, null, policy), { wait: 300, next: 300 });
  });

  it('without damping stays at the initial value', () => {
    assert.deepEqual(idleHoldBackoff(80, null, { ...policy, damp: false }), { wait: 5, next: 5 });
  });

  it('an initial value of 0 still backs off', () => {
    const p = { ...policy, initial: 0 };
    assert.deepEqual(idleHoldBackoff(0, null, p), { wait: 0, next: 1 });
    assert.deepEqual(idleHoldBackoff(1, null, p), { wait: 1, next: 2 });
  });
});
