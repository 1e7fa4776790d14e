/** The decision queue (src/rib/dirty-queue.ts): FIFO, each prefix at most once, grows and compacts. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DirtyQueue } from '../../src/rib/dirty-queue.js';

describe('rib: dirty queue', () => {
  it('takes ids in order, each once, and again after it was taken', () => {
    const q = new DirtyQueue();
    q.mark(5);
    q.mark(3);
    q.mark(5);
    assert.equal(q.pending, 2);
    assert.equal(q.take(), 5);
    q.mark(5);
    assert.deepEqual([q.take(), q.take(), q.take()], [3, 5, -1]);
    assert.equal(q.pending, 0);
  });

  it('keeps order across growth and compaction', () => {
    const q = new DirtyQueue();
    q.ensure(10_000);
    for (let i = 0; i < 1500; i++) q.mark(i);
    for (let i = 0; i < 700; i++) assert.equal(q.take(), i);
    // The list is full from 700 on: the next marks compact it, then grow it.
    for (let i = 1500; i < 5000; i++) q.mark(i);
    for (let i = 700; i < 5000; i++) assert.equal(q.take(), i);
    assert.equal(q.take(), -1);
  });
});
