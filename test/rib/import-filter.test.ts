/**
 * The import-filter hook between Adj-RIB-In and Loc-RIB (src/rib/import-filter.ts): rejected
 * paths stay received but never reach the decision process, modified paths are installed
 * with the filter's set, `reimport` applies a changed filter without the peer resending and
 * marks exactly the prefixes whose effective path changed, and every attribute-set
 * reference is given back when the paths go.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Rib } from '../../src/rib/rib.js';
import type { AttrSet } from '../../src/rib/attr-set.js';
import type { ImportFilter } from '../../src/rib/import-filter.js';
import type { FamilyRoutes } from '../../src/rib/family-routes.js';
import { encodePrefixes, parseIpv4, prefixToString } from '../../src/wire/nlri.js';
import { makeUpdate } from '../../src/wire/update.js';
import type { PathAttribute, UpdateMessage } from '../../src/wire/attribute-types.js';

/** Community 65000:666, the one RejectCommunity rejects. */
const NO_GOOD = ((65000 << 16) | 666) >>> 0;

interface Change {
  readonly family: string;
  readonly prefix: string;
  /** Peers of the ranked paths, best first, with their LOCAL_PREF. */
  readonly ranked: readonly string[];
}

function newRib(): Rib {
  const rib = new Rib({ routerId: parseIpv4('10.0.0.254'), clusterIds: [parseIpv4('10.0.0.254')] });
  for (const p of [1, 2]) {
    const addr = Buffer.alloc(4);
    addr.writeUInt32BE(parseIpv4(`10.0.0.${p}`));
    rib.setPeer(p, { bgpId: parseIpv4(`10.0.0.${p}`), external: false, address: addr, as4: true });
  }
  return rib;
}

function attrs(localPref: number, communities: readonly number[] = []): PathAttribute[] {
  const a: PathAttribute[] = [
    { kind: 'origin', code: 1, flags: 0x40, value: 0 },
    { kind: 'asPath', code: 2, flags: 0x40, value: [{ type: 2, asns: [65001] }] },
    { kind: 'nextHop', code: 3, flags: 0x40, value: parseIpv4('198.18.0.2') },
    { kind: 'localPref', code: 5, flags: 0x40, value: localPref },
  ];
  if (communities.length > 0) a.push({ kind: 'communities', code: 8, flags: 0xc0, value: communities });
  return a;
}

function announce(prefixes: readonly string[], localPref: number, communities: readonly number[] = []): UpdateMessage {
  return makeUpdate({ attributes: attrs(localPref, communities), nlri: { afi: 1, safi: 1, addPath: false, bytes: encodePrefixes(prefixes.map((prefix) => ({ prefix })), false) } });
}

function withdraw(prefixes: readonly string[]): UpdateMessage {
  return makeUpdate({ withdrawn: { afi: 1, safi: 1, addPath: false, bytes: encodePrefixes(prefixes.map((prefix) => ({ prefix })), false) } });
}

/** Labelled IPv4 unicast (SAFI 4, carried opaque): one route with label 16 for a /24. */
function labelled(prefix: readonly [number, number, number], localPref: number): UpdateMessage {
  const nlri = Buffer.from([24 + 24, 0x00, 0x01, 0x01, ...prefix]);
  const nh = Buffer.alloc(4);
  nh.writeUInt32BE(parseIpv4('198.18.0.2'));
  const mp: PathAttribute = { kind: 'mpReach', code: 14, flags: 0x80, value: { afi: 1, safi: 4, nextHop: nh, reserved: Buffer.alloc(1), nlri: { afi: 1, safi: 4, addPath: false, bytes: nlri } } };
  return makeUpdate({ attributes: [mp, ...attrs(localPref).filter((a) => a.kind !== 'nextHop')] });
}

function prefixText(f: FamilyRoutes, id: number): string {
  const b = Buffer.alloc(f.table.nlriLength(id));
  f.table.writeNlri(id, b, 0);
  if (f.safi !== 1) return b.toString('hex');
  return prefixToString(f.afi, b[0] as number, b, 1);
}

/** Runs the decision process to the end; the changes, sorted. */
function decideAll(rib: Rib): Change[] {
  const out: Change[] = [];
  while (
    rib.decide(1000, (f, c) => {
      out.push({ family: `${f.afi}/${f.safi}`, prefix: prefixText(f, c.prefixId), ranked: c.ranked.map((r) => `${r.peer}:${r.set.localPref}`) });
    }) > 0
  );
  return out.sort((a, b) => (a.family + a.prefix < b.family + b.prefix ? -1 : 1));
}

/** Rejects paths carrying community 65000:666; counts calls. */
class RejectCommunity implements ImportFilter {
  readonly perPrefix = false;
  calls = 0;
  constructor(private readonly rib: Rib) {}
  apply(_peer: number, _afi: number, _safi: number, inSet: AttrSet, prefix: Buffer | null): AttrSet | null {
    assert.equal(prefix, null);
    this.calls++;
    const c = inSet.attributes.find((a) => a.kind === 'communities');
    if (c !== undefined && c.kind === 'communities' && c.value.includes(NO_GOOD)) return null;
    return this.rib.sets.retain(inSet);
  }
}

/** Sets LOCAL_PREF to `lp` on every path of peer 2 (a modified set interned from rib.sets). */
class SetLocalPref implements ImportFilter {
  readonly perPrefix = false;
  constructor(
    private readonly rib: Rib,
    private readonly lp: number,
  ) {}
  apply(peer: number, _afi: number, _safi: number, inSet: AttrSet): AttrSet | null {
    if (peer !== 2) return this.rib.sets.retain(inSet);
    const a = inSet.attributes.map((x): PathAttribute => (x.kind === 'localPref' ? { ...x, value: this.lp } : x));
    return this.rib.sets.intern(a, inSet.nextHop);
  }
}

/** Rejects everything, or nothing, depending on `reject` (switched between reimports). */
class Switch implements ImportFilter {
  reject = false;
  constructor(
    readonly perPrefix: boolean,
    private readonly rib: Rib,
    private readonly only: string | null = null,
  ) {}
  apply(_peer: number, _afi: number, _safi: number, inSet: AttrSet, prefix: Buffer | null): AttrSet | null {
    if (this.perPrefix) assert.ok(prefix !== null);
    const hit = this.only === null || prefix === null || (prefixToString(1, prefix[0] as number, prefix, 1) === this.only);
    return this.reject && hit ? null : this.rib.sets.retain(inSet);
  }
}

describe('rib: import filter', () => {
  it('a rejected path stays received but never takes part in the decision', () => {
    const rib = newRib();
    const f = new RejectCommunity(rib);
    rib.setImportFilter(f);
    rib.importUpdate(1, announce(['10.1.0.0/16', '10.2.0.0/16'], 300, [NO_GOOD]), false);
    rib.importUpdate(2, announce(['10.1.0.0/16'], 100), false);
    assert.equal(f.calls, 2, 'a per-set filter runs once per attribute set per UPDATE block');
    // 10.2/16 has only a filtered path: no decision, nothing to export.
    assert.deepEqual(decideAll(rib), [{ family: '1/1', prefix: '10.1.0.0/16', ranked: ['2:100'] }]);
    assert.deepEqual(rib.peerCounts(1).find((c) => c.afi === 1 && c.safi === 1), { afi: 1, safi: 1, received: 2, accepted: 0 });
    assert.deepEqual(rib.peerCounts(2).find((c) => c.afi === 1 && c.safi === 1), { afi: 1, safi: 1, received: 1, accepted: 1 });
    const fam = rib.family(1, 1) as FamilyRoutes;
    assert.equal(fam.pathCount, 3, 'filtered paths are kept in the Adj-RIB-In');
    const id = fam.table.lookupNlri(encodePrefixes([{ prefix: '10.1.0.0/16' }], false), 0, 3);
    assert.deepEqual(
      fam.rank(id).map((r) => r.peer),
      [2],
      'rank() leaves filtered paths out too',
    );
    // Withdrawing the filtered route changes no best path.
    rib.importUpdate(1, withdraw(['10.1.0.0/16']), false);
    assert.deepEqual(decideAll(rib), []);
    assert.deepEqual(rib.peerCounts(1).find((c) => c.afi === 1 && c.safi === 1), { afi: 1, safi: 1, received: 1, accepted: 0 });
  });

  it('a modified path is installed with the filter set, the received one kept', () => {
    const rib = newRib();
    rib.setImportFilter(new SetLocalPref(rib, 500));
    rib.importUpdate(1, announce(['10.1.0.0/16'], 300), false);
    rib.importUpdate(2, announce(['10.1.0.0/16'], 100), false);
    assert.deepEqual(decideAll(rib), [{ family: '1/1', prefix: '10.1.0.0/16', ranked: ['2:500', '1:300'] }]);
    assert.equal(rib.sets.size, 3, 'two received sets and one modified set');
    // Back to no filter: the received sets come back without the peers resending.
    rib.setImportFilter(null);
    assert.equal(rib.reimport(null), 1);
    assert.deepEqual(decideAll(rib), [{ family: '1/1', prefix: '10.1.0.0/16', ranked: ['1:300', '2:100'] }]);
    assert.equal(rib.sets.size, 2, 'the modified set is freed once no path uses it');
  });

  it('reimport of every peer applies each peer its own outcome for the same received set', () => {
    // Both peers send identical attributes (one interned set); the filter changes only peer
    // 2's paths. A run over every peer must not reuse peer 1's outcome for peer 2.
    const rib = newRib();
    rib.importUpdate(1, announce(['10.1.0.0/16'], 100), false);
    rib.importUpdate(2, announce(['10.2.0.0/16'], 100), false);
    assert.equal(rib.sets.size, 1, 'one received set for both peers');
    decideAll(rib);
    rib.setImportFilter(new SetLocalPref(rib, 500));
    assert.equal(rib.reimport(null), 1, 'only peer 2 path changes');
    assert.deepEqual(decideAll(rib), [{ family: '1/1', prefix: '10.2.0.0/16', ranked: ['2:500'] }]);
  });

  it('dropping a peer removes only its paths, wherever they sit in the table', () => {
    const rib = newRib();
    for (let i = 0; i < 50; i++) rib.importUpdate(1 + (i % 2), announce([`10.${i}.0.0/16`], 100), false);
    rib.importUpdate(2, withdraw(['10.3.0.0/16', '10.5.0.0/16']), false);
    rib.importUpdate(1, announce(['10.3.0.0/16'], 100), false);
    decideAll(rib);
    const fam = rib.family(1, 1) as FamilyRoutes;
    assert.equal(fam.pathCount, 49);
    rib.dropPeer(1);
    assert.equal(fam.pathCount, 23, 'peer 2 keeps its 25 paths less the 2 withdrawn');
    assert.deepEqual(rib.peerCounts(1).find((c) => c.afi === 1 && c.safi === 1), { afi: 1, safi: 1, received: 0, accepted: 0 });
    const gone = decideAll(rib);
    assert.equal(gone.length, 26, 'every prefix of peer 1 is decided (withdrawn) once');
    assert.ok(gone.every((c) => c.ranked.length === 0));
  });

  it('reimport accept -> reject -> accept emits exactly the changed best paths', () => {
    for (const perPrefix of [false, true]) {
      const rib = newRib();
      const f = new Switch(perPrefix, rib, '10.2.0.0/16');
      rib.setImportFilter(f);
      rib.importUpdate(1, announce(['10.1.0.0/16', '10.2.0.0/16', '10.3.0.0/16'], 200), false);
      rib.importUpdate(2, announce(['10.2.0.0/16'], 100), false);
      decideAll(rib);
      // Unchanged policy: nothing changes, nothing is marked, nothing would be re-sent.
      assert.equal(rib.reimport(null), 0);
      assert.equal(rib.pendingDecisions, 0);
      f.reject = true;
      // Per prefix, only 10.2/16 (both peers' paths) is rejected; per set, all of peer 1's.
      assert.equal(rib.reimport(1), perPrefix ? 1 : 3, 'reimport of one peer');
      assert.deepEqual(
        decideAll(rib),
        perPrefix
          ? [{ family: '1/1', prefix: '10.2.0.0/16', ranked: ['2:100'] }]
          : [
              { family: '1/1', prefix: '10.1.0.0/16', ranked: [] },
              { family: '1/1', prefix: '10.2.0.0/16', ranked: ['2:100'] },
              { family: '1/1', prefix: '10.3.0.0/16', ranked: [] },
            ],
      );
      assert.equal(rib.reimport(2), 1);
      assert.deepEqual(decideAll(rib), [{ family: '1/1', prefix: '10.2.0.0/16', ranked: [] }]);
      assert.equal(rib.reimport(null), 0, 'a second run with the same policy changes nothing');
      assert.equal(rib.pendingDecisions, 0);
      f.reject = false;
      assert.equal(rib.reimport(null), perPrefix ? 2 : 4);
      assert.deepEqual(
        decideAll(rib),
        perPrefix
          ? [{ family: '1/1', prefix: '10.2.0.0/16', ranked: ['1:200', '2:100'] }]
          : [
              { family: '1/1', prefix: '10.1.0.0/16', ranked: ['1:200'] },
              { family: '1/1', prefix: '10.2.0.0/16', ranked: ['1:200', '2:100'] },
              { family: '1/1', prefix: '10.3.0.0/16', ranked: ['1:200'] },
            ],
      );
      const c = rib.peerCounts(1).find((x) => x.afi === 1 && x.safi === 1);
      assert.deepEqual(c, { afi: 1, safi: 1, received: 3, accepted: 3 });
    }
  });

  it('a re-announcement of a filtered route with a new set is filtered again or accepted', () => {
    const rib = newRib();
    rib.setImportFilter(new RejectCommunity(rib));
    rib.importUpdate(1, announce(['10.1.0.0/16'], 100, [NO_GOOD]), false);
    assert.deepEqual(decideAll(rib), []);
    rib.importUpdate(1, announce(['10.1.0.0/16'], 150), false);
    assert.deepEqual(decideAll(rib), [{ family: '1/1', prefix: '10.1.0.0/16', ranked: ['1:150'] }]);
    rib.importUpdate(1, announce(['10.1.0.0/16'], 100, [NO_GOOD]), false);
    assert.deepEqual(decideAll(rib), [{ family: '1/1', prefix: '10.1.0.0/16', ranked: [] }]);
    assert.equal(rib.sets.size, 1, 'the replaced set was released');
  });

  it('opaque families go through the filter too', () => {
    const rib = newRib();
    const f = new Switch(true, rib);
    rib.setImportFilter(f);
    rib.importUpdate(1, labelled([10, 9, 9], 100), false);
    const changes = decideAll(rib);
    assert.equal(changes.length, 1);
    assert.deepEqual(changes[0]?.ranked, ['1:100']);
    f.reject = true;
    assert.equal(rib.reimport(null), 1);
    assert.deepEqual(
      decideAll(rib).map((c) => c.ranked),
      [[]],
    );
    assert.deepEqual(rib.peerCounts(1).find((c) => c.safi === 4), { afi: 1, safi: 4, received: 1, accepted: 0 });
    f.reject = false;
    assert.equal(rib.reimport(1), 1);
    assert.deepEqual(
      decideAll(rib).map((c) => c.ranked),
      [['1:100']],
    );
  });

  it('every reference is given back when the paths go', () => {
    for (const mk of [(r: Rib): ImportFilter => new SetLocalPref(r, 700), (r: Rib): ImportFilter => new RejectCommunity(r), (r: Rib): ImportFilter => new Switch(true, r)]) {
      const rib = newRib();
      rib.setImportFilter(mk(rib));
      rib.importUpdate(1, announce(['10.1.0.0/16', '10.2.0.0/16'], 300, [NO_GOOD]), false);
      rib.importUpdate(2, announce(['10.1.0.0/16', '10.4.0.0/16'], 100), false);
      rib.importUpdate(2, announce(['10.4.0.0/16'], 110), false);
      rib.importUpdate(1, labelled([10, 9, 9], 100), false);
      rib.importUpdate(2, labelled([10, 9, 9], 120), false);
      decideAll(rib);
      rib.reimport(null);
      rib.setImportFilter(null);
      rib.reimport(2);
      decideAll(rib);
      assert.ok(rib.sets.size > 0);
      rib.dropPeer(1);
      rib.dropPeer(2);
      decideAll(rib);
      assert.equal(rib.sets.size, 0, 'no attribute set left');
      for (const fam of rib.families.values()) {
        assert.equal(fam.size, 0);
        assert.equal(fam.pathCount, 0);
      }
      assert.deepEqual(
        rib.peerCounts(1).map((c) => [c.received, c.accepted]),
        rib.peerCounts(1).map(() => [0, 0]),
      );
    }
  });

  it('without a filter every path is accepted as received', () => {
    const rib = newRib();
    rib.importUpdate(1, announce(['10.1.0.0/16'], 300), false);
    rib.importUpdate(1, announce(['10.1.0.0/16'], 300), false);
    assert.deepEqual(decideAll(rib), [{ family: '1/1', prefix: '10.1.0.0/16', ranked: ['1:300'] }]);
    assert.equal(rib.reimport(null), 0);
    assert.deepEqual(rib.peerCounts(1).find((c) => c.afi === 1 && c.safi === 1), { afi: 1, safi: 1, received: 1, accepted: 1 });
    assert.equal(rib.sets.size, 1);
  });
});
