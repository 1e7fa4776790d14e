/**
 * The decision process ranking (src/rib/best-path.ts): each rule decides in its RFC order,
 * and `rankPaths` (allocation-free fast paths for one or all-different neighbour ASes) ranks
 * exactly as the plain deterministic-MED procedure does: group by neighbour AS, rank each
 * group with the full order, rank the group winners, keep each group behind its winner.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { AttrSet } from '../../src/rib/attr-set.js';
import { comparePaths, rankPaths, DEFAULT_DECISION, type Candidate, type DecisionOptions } from '../../src/rib/best-path.js';

interface SetFields {
  readonly localPref: number;
  readonly asPathLength: number;
  readonly origin: number;
  readonly med: number;
  readonly neighborAs: number;
  readonly originatorId: number | null;
  readonly clusterLen: number;
}

function fakeSet(f: SetFields): AttrSet {
  return {
    id: 0,
    key: '',
    attributes: [],
    bytes: Buffer.alloc(0),
    nextHop: Buffer.alloc(0),
    localPref: f.localPref,
    hasLocalPref: true,
    med: f.med,
    hasMed: true,
    origin: f.origin,
    asPathLength: f.asPathLength,
    neighborAs: f.neighborAs,
    originatorId: f.originatorId,
    clusterList: Array.from({ length: f.clusterLen }, (_, i) => i + 1),
    noExport: false,
    noAdvertise: false,
    noExportSubconfed: false,
    refs: 1,
  };
}

function cand(f: Partial<SetFields>, peer: { bgpId?: number; external?: boolean; addr?: number } = {}, pathId = 0): Candidate {
  const address = Buffer.alloc(4);
  address.writeUInt32BE((0xc6120000 + (peer.addr ?? 1)) >>> 0);
  return {
    set: fakeSet({ localPref: 100, asPathLength: 2, origin: 0, med: 0, neighborAs: 65001, originatorId: null, clusterLen: 0, ...f }),
    source: { bgpId: peer.bgpId ?? 1, external: peer.external ?? false, address },
    pathId,
  };
}

/** The procedure as RFC 4271 §9.1.2.2 c reads with deterministic MED, written plainly. */
function reference(cands: readonly Candidate[], opts: DecisionOptions): Candidate[] {
  const byCmp = (a: Candidate, b: Candidate): number => comparePaths(a, b, opts).order;
  if (!opts.deterministicMed || opts.alwaysCompareMed) return [...cands].sort(byCmp);
  const groups = new Map<number, Candidate[]>();
  for (const c of cands) groups.set(c.set.neighborAs, [...(groups.get(c.set.neighborAs) ?? []), c]);
  const lists = [...groups.values()].map((g) => [...g].sort(byCmp));
  lists.sort((a, b) => byCmp(a[0] as Candidate, b[0] as Candidate));
  return lists.flat();
}

describe('rib: best path ranking', () => {
  it('each rule decides in RFC order and is named', () => {
    const o = DEFAULT_DECISION;
    const cases: [Candidate, Candidate, string][] = [
      [cand({ localPref: 200 }), cand({ localPref: 100, asPathLength: 1 }), 'localPref'],
      [cand({ asPathLength: 1 }), cand({ asPathLength: 3, origin: 0 }), 'asPathLength'],
      [cand({ origin: 0, med: 50 }), cand({ origin: 2, med: 0 }), 'origin'],
      [cand({ med: 10 }), cand({ med: 20 }, { external: true }), 'med'],
      [cand({ med: 20, neighborAs: 65002 }, { external: true }), cand({ med: 10 }), 'ebgpOverIbgp'],
      [cand({ originatorId: 5 }, { bgpId: 9 }), cand({}, { bgpId: 7 }), 'routerId'],
      [cand({ clusterLen: 1 }, { bgpId: 3 }), cand({ clusterLen: 2 }, { bgpId: 3 }), 'clusterListLength'],
      [cand({}, { addr: 1 }), cand({}, { addr: 2 }), 'peerAddress'],
      [cand({}, {}, 1), cand({}, {}, 2), 'pathId'],
    ];
    for (const [better, worse, rule] of cases) {
      assert.deepEqual(comparePaths(better, worse, o), { order: -1, rule }, rule);
      assert.deepEqual(comparePaths(worse, better, o), { order: 1, rule }, `${rule} reversed`);
      const list = [worse, better];
      assert.equal(rankPaths(list, o), rule);
      assert.equal(list[0], better);
    }
  });

  it('MED is compared only within a neighbour AS unless alwaysCompareMed', () => {
    const a = cand({ med: 50, neighborAs: 65001 }, { bgpId: 1 });
    const b = cand({ med: 10, neighborAs: 65002 }, { bgpId: 2 });
    assert.deepEqual(comparePaths(a, b, DEFAULT_DECISION), { order: -1, rule: 'routerId' });
    assert.deepEqual(comparePaths(a, b, { alwaysCompareMed: true, deterministicMed: true }), { order: 1, rule: 'med' });
  });

  it('deterministic MED: the classic three-path case does not depend on arrival order', () => {
    // A (AS 1, MED 100, id 1), B (AS 2, MED 50, id 2), C (AS 1, MED 10, id 3). Without grouping
    // the winner depends on order; grouped, C beats A within AS 1, then C vs B on router ID: B.
    const A = cand({ neighborAs: 1, med: 100 }, { bgpId: 1, addr: 1 });
    const B = cand({ neighborAs: 2, med: 50 }, { bgpId: 2, addr: 2 });
    const C = cand({ neighborAs: 1, med: 10 }, { bgpId: 3, addr: 3 });
    for (const order of [[A, B, C], [C, B, A], [B, A, C], [A, C, B]]) {
      const list = [...order];
      rankPaths(list, DEFAULT_DECISION);
      assert.deepEqual(list, [B, C, A]);
    }
  });

  it('rankPaths agrees with the plain procedure on random candidate lists', () => {
    const candArb = fc.record({
      localPref: fc.constantFrom(100, 200),
      asPathLength: fc.integer({ min: 1, max: 3 }),
      origin: fc.integer({ min: 0, max: 2 }),
      med: fc.constantFrom(0, 10, 20),
      neighborAs: fc.constantFrom(65001, 65002, 65003),
      originatorId: fc.option(fc.integer({ min: 1, max: 4 }), { nil: null }),
      clusterLen: fc.integer({ min: 0, max: 2 }),
      bgpId: fc.integer({ min: 1, max: 4 }),
      external: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(candArb, { minLength: 1, maxLength: 24 }), fc.boolean(), fc.boolean(), (specs, alwaysCompareMed, deterministicMed) => {
        const opts = { alwaysCompareMed, deterministicMed };
        // Distinct peer addresses: the last tie-break always decides between two peers.
        const cands = specs.map((s, i) => cand(s, { bgpId: s.bgpId, external: s.external, addr: i + 1 }));
        const got = [...cands];
        const rule = rankPaths(got, opts);
        const asns = new Set(cands.map((c) => c.set.neighborAs));
        // Without deterministic MED and with several neighbour ASes the order is not
        // transitive (the reason deterministic MED exists): any sort is as right as another.
        if (deterministicMed || alwaysCompareMed || asns.size === 1) assert.deepEqual(got, reference(cands, opts));
        else assert.equal(new Set(got).size, cands.length);
        if (got.length > 1) assert.equal(rule, comparePaths(got[0] as Candidate, got[1] as Candidate, opts).rule);
        else assert.equal(rule, 'onlyPath');
      }),
      { numRuns: 500 },
    );
  });
});
