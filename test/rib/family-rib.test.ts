/**
 * FamilyRib (src/rib/family-rib.ts) on its own: best path kept first in each prefix's chain
 * across arrivals, replacements and withdrawals; add-path identifiers (kept only once a peer
 * sends one); stale marking and sweeping; and the decision emits exactly the dirty prefixes.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AttrSetTable, type AttrSet } from '../../src/rib/attr-set.js';
import { FamilyRib } from '../../src/rib/family-rib.js';
import type { PathSource } from '../../src/rib/best-path.js';
import type { PathAttribute } from '../../src/wire/attribute-types.js';

const sets = (): AttrSetTable => new AttrSetTable();

function set(t: AttrSetTable, localPref: number): AttrSet {
  const a: PathAttribute[] = [
    { kind: 'origin', code: 1, flags: 0x40, value: 0 },
    { kind: 'asPath', code: 2, flags: 0x40, value: [{ type: 2, asns: [65001] }] },
    { kind: 'localPref', code: 5, flags: 0x40, value: localPref },
  ];
  return t.intern(a, Buffer.from([198, 18, 0, 2]));
}

function rib(t: AttrSetTable): FamilyRib {
  const src = (p: number): PathSource => ({ bgpId: p, external: false, address: Buffer.from([10, 0, 0, p]) });
  return new FamilyRib(1, 1, t, src);
}

const P = Buffer.from([10, 1, 0]); // 10.1.0.0/24 octets

function decideAll(f: FamilyRib): { id: number; ranked: string[] }[] {
  const out: { id: number; ranked: string[] }[] = [];
  while (f.decide(7, (c) => out.push({ id: c.prefixId, ranked: c.ranked.map((r) => `${r.peer}/${r.pathId}:${r.set.localPref}`) })) > 0);
  return out;
}

describe('rib: family rib', () => {
  it('keeps the best path first through arrivals, replacements and withdrawals', () => {
    const t = sets();
    const f = rib(t);
    const [s100, s200, s300] = [set(t, 100), set(t, 200), set(t, 300)] as [AttrSet, AttrSet, AttrSet];
    f.announce(1, 24, P, 0, 0, s100);
    assert.deepEqual(decideAll(f).map((c) => c.ranked), [['1/0:100']]);
    const id = f.prefixes.get(24, P, 0);
    assert.equal(f.best(id)?.peer, 1);
    f.announce(2, 24, P, 0, 0, s300);
    f.announce(3, 24, P, 0, 0, s200);
    assert.deepEqual(decideAll(f).map((c) => c.ranked), [['2/0:300', '3/0:200', '1/0:100']]);
    assert.equal(f.best(id)?.peer, 2);
    assert.deepEqual(f.bestRanked(id).map((r) => r.peer), [2]);
    // The best path's peer replaces it with a worse one.
    f.announce(2, 24, P, 0, 0, s100);
    assert.deepEqual(decideAll(f).map((c) => c.ranked), [['3/0:200', '1/0:100', '2/0:100']]);
    assert.equal(f.best(id)?.peer, 3);
    f.withdraw(3, 24, P, 0, 0);
    assert.deepEqual(decideAll(f).map((c) => c.ranked), [['1/0:100', '2/0:100']]);
    assert.equal(f.best(id)?.peer, 1);
    f.withdraw(1, 24, P, 0, 0);
    f.withdraw(2, 24, P, 0, 0);
    assert.deepEqual(decideAll(f).map((c) => c.ranked), [[]]);
    assert.equal(f.best(id), null);
    assert.equal(f.size, 0);
    for (const s of [s100, s200, s300]) t.release(s);
    assert.equal(t.size, 0);
  });

  it('keeps add-path identifiers apart once a peer sends them', () => {
    const t = sets();
    const f = rib(t);
    const s1 = set(t, 100);
    const s2 = set(t, 200);
    f.announce(1, 24, P, 0, 0, s1);
    f.announce(2, 24, P, 0, 7, s1);
    f.announce(2, 24, P, 0, 9, s2);
    assert.deepEqual(decideAll(f).map((c) => c.ranked), [['2/9:200', '1/0:100', '2/7:100']]);
    f.withdraw(2, 24, P, 0, 9);
    f.withdraw(2, 24, P, 0, 8); // not held
    assert.deepEqual(decideAll(f).map((c) => c.ranked), [['1/0:100', '2/7:100']]);
    assert.equal(f.peerPathCount(2), 1);
    assert.equal(f.dropPeer(2), 1);
    assert.equal(f.dropPeer(1), 1);
    decideAll(f);
    t.release(s1);
    t.release(s2);
    assert.equal(t.size, 0);
  });

  it('marks stale, refreshes and sweeps (RFC 4724 §4.2)', () => {
    const t = sets();
    const f = rib(t);
    const s = set(t, 100);
    const q = Buffer.from([10, 2, 0]);
    f.announce(1, 24, P, 0, 0, s);
    f.announce(1, 24, q, 0, 0, s);
    decideAll(f);
    assert.equal(f.markStale(1), 2);
    f.announce(1, 24, P, 0, 0, s); // sent again: no longer stale, no change to decide
    assert.equal(f.pendingDecisions, 0);
    assert.equal(f.dropPeer(1, true), 1);
    const qid = 1; // 10.2.0.0/24 was the second prefix interned
    assert.deepEqual(decideAll(f), [{ id: qid, ranked: [] }]);
    assert.equal(f.prefixes.get(24, q, 0), -1, 'the swept prefix is gone');
    assert.equal(f.best(f.prefixes.get(24, P, 0))?.peer, 1);
    assert.equal(f.dropPeer(1), 1);
    decideAll(f);
    t.release(s);
    assert.equal(t.size, 0);
  });
});
