/** Pending announcements of an update group (src/reflect/pending-announce.ts): grouped by (entry, skip) in first-seen order, ids in added order, emptied by each drain. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PendingAnnouncements } from '../../src/reflect/pending-announce.js';

function drained(p: PendingAnnouncements): string[] {
  const out: string[] = [];
  p.drain((entry, skip, ids, start, count) => out.push(`${entry}/${skip}: ${[...ids.subarray(start, start + count)].join(',')}`));
  return out;
}

describe('reflect: pending announcements', () => {
  it('groups by entry and skip in first-seen order', () => {
    const p = new PendingAnnouncements();
    p.add(7, -1, 1);
    p.add(7, -1, 2);
    p.add(3, 5, 10);
    p.add(7, 5, 11);
    p.add(7, -1, 3);
    p.add(3, 5, 12);
    assert.equal(p.size, 6);
    assert.deepEqual(drained(p), ['7/-1: 1,2,3', '3/5: 10,12', '7/5: 11']);
    assert.equal(p.size, 0);
    assert.deepEqual(drained(p), []);
    p.add(3, 5, 99);
    assert.deepEqual(drained(p), ['3/5: 99'], 'a new round starts clean');
  });

  it('holds a full table between drains', () => {
    const p = new PendingAnnouncements();
    const n = 300_000;
    for (let i = 0; i < n; i++) p.add(i % 300, i % 2 === 0 ? -1 : 4, i);
    let total = 0;
    let groups = 0;
    p.drain((entry, skip, ids, start, count) => {
      groups++;
      total += count;
      for (let i = start; i < start + count; i++) {
        const id = ids[i] as number;
        assert.equal(id % 300, entry);
        assert.equal(id % 2 === 0 ? -1 : 4, skip);
      }
    });
    assert.equal(total, n);
    assert.equal(groups, 300);
  });
});
