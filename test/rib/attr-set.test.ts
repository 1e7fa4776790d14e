/**
 * AttrSetTable (src/rib/attr-set.ts): one set per distinct (next hop, canonical attributes),
 * reference counted; decision fields pre-computed; attributes holding a Buffer re-decoded
 * from the set's own bytes; freed ids reused only after `recycleIds`.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AttrSetTable } from '../../src/rib/attr-set.js';
import type { PathAttribute } from '../../src/wire/attribute-types.js';

const NH = Buffer.from([198, 18, 0, 2]);

function attrs(localPref: number, ext?: Buffer): PathAttribute[] {
  const a: PathAttribute[] = [
    { kind: 'origin', code: 1, flags: 0x40, value: 1 },
    { kind: 'asPath', code: 2, flags: 0x40, value: [{ type: 2, asns: [65001, 65002, 65003] }] },
    { kind: 'med', code: 4, flags: 0x80, value: 7 },
    { kind: 'localPref', code: 5, flags: 0x40, value: localPref },
    { kind: 'communities', code: 8, flags: 0xc0, value: [0xffffff01] },
  ];
  if (ext !== undefined) a.push({ kind: 'extendedCommunities', code: 16, flags: 0xc0, value: ext });
  return a;
}

describe('rib: attribute sets', () => {
  it('interns equal sets once and counts references', () => {
    const t = new AttrSetTable();
    const a = t.intern(attrs(100), NH);
    const b = t.intern(attrs(100), Buffer.from(NH));
    assert.equal(a, b);
    assert.equal(a.refs, 2);
    const c = t.intern(attrs(100), Buffer.from([198, 18, 0, 3]));
    assert.notEqual(c, a, 'another next hop is another set');
    assert.equal(t.size, 2);
    assert.equal(t.get(a.id), a);
    assert.equal(a.localPref, 100);
    assert.equal(a.med, 7);
    assert.equal(a.origin, 1);
    assert.equal(a.asPathLength, 3);
    assert.equal(a.neighborAs, 65001);
    assert.equal(a.noExport, true);
    assert.equal(a.key.length, 1 + 4 + a.bytes.length);
    t.release(a);
    t.release(b);
    t.release(c);
    assert.equal(t.size, 0);
    assert.throws(() => t.get(a.id));
  });

  it('keeps no view of the caller\'s buffers', () => {
    const t = new AttrSetTable();
    const chunk = Buffer.from('0002fc00000000010002fc0000000002', 'hex');
    const ext = chunk.subarray(0, 8);
    const s = t.intern(attrs(100, ext), NH);
    const e = s.attributes.find((x) => x.kind === 'extendedCommunities');
    assert.ok(e !== undefined && e.kind === 'extendedCommunities');
    const want = Buffer.from(ext);
    chunk.fill(0);
    assert.deepEqual(e.value, want, 'the extended communities are read from the set\'s own bytes');
    assert.equal(s.bytes.includes(want), true);
  });

  it('reuses a freed id only after recycleIds', () => {
    const t = new AttrSetTable();
    const a = t.intern(attrs(100), NH);
    const id = a.id;
    t.release(a);
    const b = t.intern(attrs(200), NH);
    assert.notEqual(b.id, id, 'not before the consumers were told');
    t.recycleIds();
    const c = t.intern(attrs(300), NH);
    assert.equal(c.id, id);
    assert.equal(t.intern(attrs(100), NH).localPref, 100);
  });
});
