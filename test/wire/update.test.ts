/**
 * UPDATE decode/encode and the RFC 7606 case table: one row per malformation with the
 * action the RFC prescribes and the section that says so (STYLE.md §7).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeUpdate, encodeUpdate, encodeUpdateInto, updateLength } from '../../src/wire/update.js';
import { classifyUpdate } from '../../src/wire/validate.js';
import { makeCtx, type CodecCtx } from '../../src/wire/context.js';
import { afiSafiKey } from '../../src/wire/iana.js';
import { findAttribute } from '../../src/wire/attribute-types.js';
import { listPrefixes } from '../../src/wire/nlri.js';
import { attr, hex, updateBody } from '../helpers/bytes.js';

const AS4 = makeCtx({ as4: true });
const AS2 = makeCtx({});
const EBGP = makeCtx({ as4: true, external: true });

// Well-formed building blocks.
const ORIGIN_IGP = attr(0x40, 1, '00');
const AS_PATH4 = attr(0x40, 2, '02 02 0000fde8 0000fde9'); // AS_SEQUENCE 65000 65001
const NEXT_HOP = attr(0x40, 3, 'c6120002'); // 198.18.0.2
const NLRI_ONE = hex('18 cb0071'); // 203.0.113.0/24
const BASE = Buffer.concat([ORIGIN_IGP, AS_PATH4, NEXT_HOP]);

describe('decodeUpdate: well-formed', () => {
  it('decodes a plain IPv4 announcement and re-encodes it byte for byte', () => {
    const attrs = Buffer.concat([BASE, attr(0x80, 4, '00000064'), attr(0x40, 5, '000000c8'), attr(0xc0, 8, 'fde80065 ffffff01')]);
    const body = updateBody(Buffer.alloc(0), attrs, NLRI_ONE);
    const r = decodeUpdate(body, AS4);
    assert.ok(r.ok);
    assert.equal(r.action, null);
    assert.deepEqual(listPrefixes(r.update.nlri), [{ pathId: 0, prefix: '203.0.113.0/24' }]);
    assert.equal(findAttribute(r.update.attributes, 'origin')?.value, 0);
    assert.deepEqual(findAttribute(r.update.attributes, 'asPath')?.value, [{ type: 2, asns: [65000, 65001] }]);
    assert.equal(findAttribute(r.update.attributes, 'nextHop')?.value, 0xc6120002);
    assert.equal(findAttribute(r.update.attributes, 'med')?.value, 100);
    assert.equal(findAttribute(r.update.attributes, 'localPref')?.value, 200);
    assert.deepEqual(findAttribute(r.update.attributes, 'communities')?.value, [0xfde80065, 0xffffff01]);
    const header = Buffer.alloc(19, 0xff);
    header.writeUInt16BE(19 + body.length, 16);
    header[18] = 2;
    const whole = Buffer.concat([header, body]);
    assert.deepEqual(encodeUpdate(r.update, AS4), whole);
    assert.equal(updateLength(r.update, AS4), whole.length);
    const at = Buffer.alloc(whole.length + 7, 0xee);
    assert.equal(encodeUpdateInto(r.update, at, 7, AS4), at.length);
    assert.deepEqual(at.subarray(7), whole);
  });

  it('keeps the Extended Length flag of a short attribute so re-encoding is exact', () => {
    const attrs = Buffer.concat([attr(0x50, 1, '00'), AS_PATH4, NEXT_HOP]);
    const body = updateBody(Buffer.alloc(0), attrs, NLRI_ONE);
    const r = decodeUpdate(body, AS4);
    assert.ok(r.ok);
    assert.deepEqual(encodeUpdate(r.update, AS4).subarray(19), body);
  });

  it('reads 2-octet AS paths on sessions without the 4-octet capability', () => {
    const attrs = Buffer.concat([ORIGIN_IGP, attr(0x40, 2, '02 02 5ba0 fde8'), NEXT_HOP]);
    const r = decodeUpdate(updateBody(Buffer.alloc(0), attrs, NLRI_ONE), AS2);
    assert.ok(r.ok);
    assert.deepEqual(findAttribute(r.update.attributes, 'asPath')?.value, [{ type: 2, asns: [23456, 65000] }]);
  });

  it('accepts a withdraw-only UPDATE without attributes (RFC 4271 §4.3)', () => {
    const r = decodeUpdate(updateBody(hex('10 0a00 18 cb0071'), Buffer.alloc(0), Buffer.alloc(0)), AS4);
    assert.ok(r.ok);
    assert.equal(r.action, null);
    assert.deepEqual(listPrefixes(r.update.withdrawn).map((p) => p.prefix), ['10.0.0.0/16', '203.0.113.0/24']);
  });

  it('decodes an End-of-RIB marker (empty UPDATE, RFC 4724 §2)', () => {
    const r = decodeUpdate(hex('0000 0000'), AS4);
    assert.ok(r.ok);
    assert.equal(r.update.attributes.length, 0);
  });

  it('decodes IPv6 MP_REACH_NLRI / MP_UNREACH_NLRI', () => {
    const reach = attr(0x90, 14, `0002 01 10 20010db8000000000000000000000001 00 30 20010db80001`);
    const unreach = attr(0x80, 15, '0002 01 20 20010db8');
    const attrs = Buffer.concat([reach, unreach, ORIGIN_IGP, AS_PATH4]);
    const r = decodeUpdate(updateBody(Buffer.alloc(0), attrs, Buffer.alloc(0)), AS4);
    assert.ok(r.ok);
    assert.equal(r.action, null);
    const m = findAttribute(r.update.attributes, 'mpReach');
    assert.ok(m);
    assert.deepEqual(listPrefixes(m.value.nlri), [{ pathId: 0, prefix: '2001:db8:1::/48' }]);
    assert.equal(m.value.nextHop.toString('hex'), '20010db8000000000000000000000001');
    const u = findAttribute(r.update.attributes, 'mpUnreach');
    assert.deepEqual(u && listPrefixes(u.value.withdrawn), [{ pathId: 0, prefix: '2001:db8::/32' }]);
    assert.deepEqual(encodeUpdate(r.update, AS4).subarray(19), updateBody(Buffer.alloc(0), attrs, Buffer.alloc(0)));
  });

  it('reads path identifiers when add-path is negotiated for the family (RFC 7911 §3)', () => {
    const ctx = makeCtx({ as4: true, addPath: new Set([afiSafiKey(1, 1)]) });
    const r = decodeUpdate(updateBody(Buffer.alloc(0), BASE, hex('00000001 18 cb0071 00000002 18 cb0071')), ctx);
    assert.ok(r.ok);
    assert.deepEqual(listPrefixes(r.update.nlri), [
      { pathId: 1, prefix: '203.0.113.0/24' },
      { pathId: 2, prefix: '203.0.113.0/24' },
    ]);
  });

  it('keeps an unknown optional transitive attribute byte-exact', () => {
    const unknown = attr(0xc0, 99, 'deadbeef');
    const body = updateBody(Buffer.alloc(0), Buffer.concat([BASE, unknown]), NLRI_ONE);
    const r = decodeUpdate(body, AS4);
    assert.ok(r.ok);
    const other = r.update.attributes.find((a) => a.kind === 'other');
    assert.equal(other?.code, 99);
    assert.deepEqual(encodeUpdate(r.update, AS4).subarray(19), body);
  });
});

/** One row of the RFC 7606 case table. */
interface Case {
  name: string;
  rfc: string;
  ctx?: CodecCtx;
  body: Buffer;
  /** null: clean. 'sessionReset' means ok:false. */
  action: 'attributeDiscard' | 'treatAsWithdraw' | 'sessionReset' | null;
  code?: number;
  subcode?: number;
  attrCode?: number;
  /** The semantic pass (classifyUpdate) instead of decodeUpdate. */
  semantic?: boolean;
}

const withAttrs = (...extra: Buffer[]): Buffer => updateBody(Buffer.alloc(0), Buffer.concat([BASE, ...extra]), NLRI_ONE);
const replacing = (first: Buffer): Buffer => updateBody(Buffer.alloc(0), Buffer.concat([first, AS_PATH4, NEXT_HOP]), NLRI_ONE);

const CASES: Case[] = [
  { name: 'ORIGIN value 3', rfc: '7606 §7.1', body: replacing(attr(0x40, 1, '03')), action: 'treatAsWithdraw', subcode: 6, attrCode: 1 },
  { name: 'ORIGIN length 2', rfc: '7606 §7.1', body: replacing(attr(0x40, 1, '0000')), action: 'treatAsWithdraw', subcode: 5, attrCode: 1 },
  { name: 'ORIGIN flagged optional', rfc: '7606 §3c', body: replacing(attr(0xc0, 1, '00')), action: 'treatAsWithdraw', subcode: 4, attrCode: 1 },
  {
    name: 'AS_PATH segment overruns',
    rfc: '7606 §7.2',
    body: updateBody(Buffer.alloc(0), Buffer.concat([ORIGIN_IGP, attr(0x40, 2, '02 03 0000fde8'), NEXT_HOP]), NLRI_ONE),
    action: 'treatAsWithdraw',
    subcode: 11,
    attrCode: 2,
  },
  {
    name: 'AS_PATH zero-length segment',
    rfc: '7606 §7.2',
    body: updateBody(Buffer.alloc(0), Buffer.concat([ORIGIN_IGP, attr(0x40, 2, '02 00'), NEXT_HOP]), NLRI_ONE),
    action: 'treatAsWithdraw',
    subcode: 11,
  },
  {
    name: 'AS_PATH unknown segment type 5',
    rfc: '7606 §7.2',
    body: updateBody(Buffer.alloc(0), Buffer.concat([ORIGIN_IGP, attr(0x40, 2, '05 01 0000fde8'), NEXT_HOP]), NLRI_ONE),
    action: 'treatAsWithdraw',
    subcode: 11,
  },
  {
    name: 'AS_PATH with AS 0',
    rfc: '7607 §2',
    body: updateBody(Buffer.alloc(0), Buffer.concat([ORIGIN_IGP, attr(0x40, 2, '02 02 0000fde8 00000000'), NEXT_HOP]), NLRI_ONE),
    action: 'treatAsWithdraw',
    semantic: true,
  },
  {
    name: 'AS_PATH confed segment from eBGP',
    rfc: '7606 §7.2, 5065 §5',
    ctx: EBGP,
    body: updateBody(Buffer.alloc(0), Buffer.concat([ORIGIN_IGP, attr(0x40, 2, '03 01 0000fde8 02 01 0000fde9'), NEXT_HOP]), NLRI_ONE),
    action: 'treatAsWithdraw',
    semantic: true,
  },
  { name: 'NEXT_HOP length 5', rfc: '7606 §7.3', body: updateBody(Buffer.alloc(0), Buffer.concat([ORIGIN_IGP, AS_PATH4, attr(0x40, 3, 'c612000201')]), NLRI_ONE), action: 'treatAsWithdraw', attrCode: 3 },
  { name: 'MED length 2', rfc: '7606 §7.4', body: withAttrs(attr(0x80, 4, '0001')), action: 'treatAsWithdraw', attrCode: 4 },
  { name: 'LOCAL_PREF length 3', rfc: '7606 §7.5', body: withAttrs(attr(0x40, 5, '000064')), action: 'treatAsWithdraw', attrCode: 5 },
  { name: 'LOCAL_PREF from eBGP', rfc: '7606 §7.5', ctx: EBGP, body: withAttrs(attr(0x40, 5, '00000064')), action: 'attributeDiscard', semantic: true, attrCode: 5 },
  { name: 'ATOMIC_AGGREGATE length 1', rfc: '7606 §7.6', body: withAttrs(attr(0x40, 6, '00')), action: 'attributeDiscard', attrCode: 6 },
  { name: 'AGGREGATOR length 7 (4-octet session)', rfc: '7606 §7.7', body: withAttrs(attr(0xc0, 7, '0000fde8 c61200')), action: 'attributeDiscard', attrCode: 7 },
  { name: 'AGGREGATOR length 8 on a 2-octet session', rfc: '7606 §7.7', ctx: AS2, body: updateBody(Buffer.alloc(0), Buffer.concat([ORIGIN_IGP, attr(0x40, 2, '02 01 fde8'), NEXT_HOP, attr(0xc0, 7, '0000fde8 c6120001')]), NLRI_ONE), action: 'attributeDiscard', attrCode: 7 },
  { name: 'AGGREGATOR with AS 0', rfc: '7607 §2', body: withAttrs(attr(0xc0, 7, '00000000 c6120001')), action: 'attributeDiscard', semantic: true, attrCode: 7 },
  { name: 'COMMUNITIES length 6', rfc: '7606 §7.8', body: withAttrs(attr(0xc0, 8, '0001000200ff')), action: 'treatAsWithdraw', attrCode: 8 },
  { name: 'COMMUNITIES length 0', rfc: '7606 §7.8', body: withAttrs(attr(0xc0, 8, '')), action: 'treatAsWithdraw', attrCode: 8 },
  { name: 'ORIGINATOR_ID length 3', rfc: '7606 §7.9', body: withAttrs(attr(0x80, 9, '0a0000')), action: 'treatAsWithdraw', attrCode: 9 },
  { name: 'CLUSTER_LIST length 5', rfc: '7606 §7.10', body: withAttrs(attr(0x80, 10, '0a00000101')), action: 'treatAsWithdraw', attrCode: 10 },
  { name: 'EXTENDED_COMMUNITIES length 7', rfc: '7606 §7.14', body: withAttrs(attr(0xc0, 16, '00020000fde800')), action: 'treatAsWithdraw', attrCode: 16 },
  { name: 'LARGE_COMMUNITY length 8', rfc: '8092 §6', body: withAttrs(attr(0xc0, 32, '0000fde800000001')), action: 'treatAsWithdraw', attrCode: 32 },
  { name: 'ONLY_TO_CUSTOMER length 2', rfc: '9234 §5', body: withAttrs(attr(0xc0, 35, 'fde8')), action: 'treatAsWithdraw', attrCode: 35 },
  { name: 'AIGP TLV overrun', rfc: '7311 §3.1', body: withAttrs(attr(0x80, 26, '01 000b 0000')), action: 'attributeDiscard', attrCode: 26 },
  { name: 'AS4_PATH with confed segment', rfc: '6793 §6', ctx: AS2, body: updateBody(Buffer.alloc(0), Buffer.concat([ORIGIN_IGP, attr(0x40, 2, '02 01 5ba0'), NEXT_HOP, attr(0xc0, 17, '03 01 00010000')]), NLRI_ONE), action: 'attributeDiscard', attrCode: 17 },
  { name: 'AS4_PATH from a 4-octet speaker', rfc: '6793 §3', body: withAttrs(attr(0xc0, 17, '02 01 00010000')), action: 'attributeDiscard', semantic: true, attrCode: 17 },
  { name: 'missing ORIGIN', rfc: '7606 §3d', body: updateBody(Buffer.alloc(0), Buffer.concat([AS_PATH4, NEXT_HOP]), NLRI_ONE), action: 'treatAsWithdraw', subcode: 3 },
  { name: 'missing NEXT_HOP with IPv4 NLRI', rfc: '7606 §3d', body: updateBody(Buffer.alloc(0), Buffer.concat([ORIGIN_IGP, AS_PATH4]), NLRI_ONE), action: 'treatAsWithdraw', subcode: 3 },
  { name: 'NLRI with no attributes at all', rfc: '7606 §3d', body: updateBody(Buffer.alloc(0), Buffer.alloc(0), NLRI_ONE), action: 'treatAsWithdraw', subcode: 3 },
  { name: 'duplicate MED: later copy discarded', rfc: '7606 §3g', body: withAttrs(attr(0x80, 4, '00000001'), attr(0x80, 4, '00000002')), action: 'attributeDiscard', attrCode: 4 },
  {
    name: 'duplicate MP_REACH_NLRI',
    rfc: '7606 §3g',
    body: updateBody(Buffer.alloc(0), Buffer.concat([attr(0x80, 14, '0002 01 10 20010db8000000000000000000000001 00'), attr(0x80, 14, '0002 01 10 20010db8000000000000000000000001 00'), ORIGIN_IGP, AS_PATH4]), Buffer.alloc(0)),
    action: 'sessionReset',
    code: 3,
    subcode: 1,
  },
  { name: 'unrecognized well-known attribute', rfc: '4271 §6.3 (BIRD: withdraw)', body: withAttrs(attr(0x40, 99, '00')), action: 'treatAsWithdraw', subcode: 2, attrCode: 99 },
  { name: 'attribute overruns the attribute field', rfc: '7606 §4', body: updateBody(Buffer.alloc(0), Buffer.concat([BASE, hex('c0 08 08 00010002')]), NLRI_ONE), action: 'treatAsWithdraw', attrCode: 8 },
  { name: 'two stray octets after the last attribute', rfc: '7606 §4', body: updateBody(Buffer.alloc(0), Buffer.concat([BASE, hex('c008')]), NLRI_ONE), action: 'treatAsWithdraw' },
  { name: 'MP_REACH_NLRI overruns the attribute field', rfc: '7606 §4, §5.3', body: updateBody(Buffer.alloc(0), Buffer.concat([hex('80 0e 30 0002 01 10'), ORIGIN_IGP]), Buffer.alloc(0)), action: 'sessionReset', code: 3, subcode: 5 },
  { name: 'MP_REACH_NLRI next hop length 5 for IPv6', rfc: '7606 §7.11', body: updateBody(Buffer.alloc(0), Buffer.concat([attr(0x80, 14, '0002 01 05 2001db8000 00'), ORIGIN_IGP, AS_PATH4]), Buffer.alloc(0)), action: 'sessionReset', code: 3, subcode: 9 },
  { name: 'MP_REACH_NLRI prefix length 129', rfc: '7606 §5.3', body: updateBody(Buffer.alloc(0), Buffer.concat([attr(0x80, 14, '0002 01 10 20010db8000000000000000000000001 00 81 20010db8000000000000000000000000ff'), ORIGIN_IGP, AS_PATH4]), Buffer.alloc(0)), action: 'sessionReset', code: 3 },
  { name: 'MP_UNREACH_NLRI truncated prefix', rfc: '7606 §5.3', body: updateBody(Buffer.alloc(0), attr(0x80, 15, '0002 01 40 20010db8'), Buffer.alloc(0)), action: 'sessionReset', code: 3 },
  { name: 'IPv4 NLRI prefix length 33', rfc: '7606 §5.3', body: updateBody(Buffer.alloc(0), BASE, hex('21 cb007100 01')), action: 'sessionReset', code: 3, subcode: 10 },
  { name: 'IPv4 NLRI truncated', rfc: '7606 §5.3', body: updateBody(Buffer.alloc(0), BASE, hex('18 cb00')), action: 'sessionReset', code: 3, subcode: 10 },
  { name: 'withdrawn routes truncated', rfc: '7606 §5.3', body: updateBody(hex('18 cb00'), Buffer.alloc(0), Buffer.alloc(0)), action: 'sessionReset', code: 3, subcode: 10 },
  { name: 'Withdrawn Routes Length overruns the message', rfc: '4271 §6.3', body: hex('00ff 0000'), action: 'sessionReset', code: 3, subcode: 1 },
  { name: 'Total Path Attribute Length overruns the message', rfc: '4271 §6.3', body: hex('0000 00ff 40010100'), action: 'sessionReset', code: 3, subcode: 1 },
  { name: 'body shorter than the two length fields', rfc: '4271 §6.3', body: hex('00'), action: 'sessionReset', code: 3, subcode: 1 },
];

describe('RFC 7606 case table', () => {
  for (const c of CASES) {
    it(`${c.name} → ${c.action ?? 'clean'} (RFC ${c.rfc})`, () => {
      const ctx = c.ctx ?? AS4;
      const syntax = decodeUpdate(c.body, ctx);
      const r = c.semantic === true ? classifyUpdate(c.body, ctx) : syntax;
      if (c.semantic === true) {
        // The syntax pass alone accepts it: the rule is semantic.
        assert.ok(syntax.ok);
        assert.equal(syntax.action, null);
      }
      if (c.action === 'sessionReset') {
        assert.equal(r.ok, false, 'expected a session reset');
        if (r.ok) return;
        assert.equal(r.error.action, 'sessionReset');
        if (c.code !== undefined) assert.equal(r.error.notification.code, c.code);
        if (c.subcode !== undefined) assert.equal(r.error.notification.subcode, c.subcode);
        return;
      }
      assert.ok(r.ok, r.ok ? '' : `unexpected reset: ${r.error.detail}`);
      assert.equal(r.action, c.action);
      if (c.action !== null) {
        const e = r.errors.find((x) => x.action === c.action);
        assert.ok(e, 'the error behind the action is reported');
        if (c.subcode !== undefined) assert.equal(e.notification.subcode, c.subcode);
        if (c.attrCode !== undefined) assert.equal(e.attrCode, c.attrCode);
        assert.ok(e.detail.length > 0);
      }
      if (c.action === 'attributeDiscard' && c.attrCode !== undefined && c.name.indexOf('duplicate') < 0) {
        assert.equal(r.update.attributes.find((a) => a.code === c.attrCode), undefined, 'discarded attribute is gone');
      }
    });
  }

  it('keeps scanning after a non-fatal error and reports the strongest action', () => {
    const body = withAttrs(attr(0x40, 6, '00'), attr(0xc0, 8, '000100'));
    const r = decodeUpdate(body, AS4);
    assert.ok(r.ok);
    assert.equal(r.action, 'treatAsWithdraw');
    assert.deepEqual(r.errors.map((e) => e.action).sort(), ['attributeDiscard', 'treatAsWithdraw']);
  });

  it('a session reset found after a non-fatal error still wins', () => {
    const body = updateBody(Buffer.alloc(0), Buffer.concat([attr(0x40, 6, '00'), attr(0x80, 15, '0002 01 40 20'), ORIGIN_IGP]), Buffer.alloc(0));
    const r = decodeUpdate(body, AS4);
    assert.equal(r.ok, false);
    assert.equal(r.errors.length, 2);
  });

  it('does not report a malformed well-known attribute as missing too', () => {
    const r = decodeUpdate(replacing(attr(0x40, 1, '07')), AS4);
    assert.ok(r.ok);
    assert.equal(r.errors.length, 1);
    assert.equal(r.errors[0]?.reason, 'originValue');
  });
});

describe('MP attributes with wrong flags (RFC 7606 §3c)', () => {
  it('decodes MP_REACH_NLRI flagged well-known and treats its NLRI as withdrawn', () => {
    const reach = attr(0x40, 14, '0002 01 10 20010db8000000000000000000000001 00 30 20010db80001');
    const r = decodeUpdate(updateBody(Buffer.alloc(0), Buffer.concat([reach, ORIGIN_IGP, AS_PATH4]), Buffer.alloc(0)), AS4);
    assert.ok(r.ok);
    assert.equal(r.action, 'treatAsWithdraw');
    const m = findAttribute(r.update.attributes, 'mpReach');
    assert.deepEqual(m && listPrefixes(m.value.nlri), [{ pathId: 0, prefix: '2001:db8:1::/48' }], 'the NLRI can still be located and withdrawn');
  });
  it('resets the session when the mis-flagged MP attribute does not parse either', () => {
    const r = decodeUpdate(updateBody(Buffer.alloc(0), Buffer.concat([attr(0x40, 15, '0002 01 40 20'), ORIGIN_IGP]), Buffer.alloc(0)), AS4);
    assert.equal(r.ok, false);
  });
});
