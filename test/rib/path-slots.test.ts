/** Path slot storage (src/rib/path-slots.ts): recycling, growth, and the lazily kept received sets and path ids. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PathSlots } from '../../src/rib/path-slots.js';

describe('rib: path slots', () => {
  it('recycles freed slots and keeps fields across growth', () => {
    const ps = new PathSlots(16);
    const got: number[] = [];
    for (let i = 0; i < 100; i++) {
      const s = ps.alloc();
      ps.peer[s] = i % 3;
      ps.set[s] = 1000 + i;
      got.push(s);
    }
    assert.deepEqual(got, Array.from({ length: 100 }, (_, i) => i));
    assert.equal(ps.count, 100);
    assert.equal(ps.set[99], 1099, 'fields survive growth');
    ps.release(42);
    assert.equal(ps.peer[42], -1);
    assert.equal(ps.set[42], -1);
    assert.equal(ps.alloc(), 42, 'a freed slot is handed out first');
    assert.equal(ps.alloc(), 100);
  });

  it('keeps received sets and path ids only once one differs', () => {
    const ps = new PathSlots(16);
    const s = ps.alloc();
    ps.set[s] = 7;
    ps.setIn(s, 7, 7);
    assert.equal(ps.inSet, null, 'received = effective: nothing stored');
    assert.equal(ps.inOf(s), 7);
    const t = ps.alloc();
    ps.setIn(t, 8, -1);
    ps.set[t] = -1;
    assert.notEqual(ps.inSet, null);
    assert.deepEqual([ps.inOf(s), ps.inOf(t)], [7, 8]);
    assert.equal(ps.pathIdOf(s), 0);
    ps.setPathId(t, 9);
    assert.deepEqual([ps.pathIdOf(s), ps.pathIdOf(t)], [0, 9]);
    for (let i = 0; i < 40; i++) ps.alloc();
    assert.deepEqual([ps.inOf(t), ps.pathIdOf(t)], [8, 9], 'both survive growth');
  });
});
