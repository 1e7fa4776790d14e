/** NLRI validation, iteration and text forms (RFC 4271 §4.3, RFC 4760 §5, RFC 7911 §3, RFC 5952). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  countPrefixes,
  encodePrefixes,
  ipv6ToString,
  listPrefixes,
  nlriBlock,
  parseIpv6,
  parsePrefix,
  prefixToString,
  validNlri,
} from '../../src/wire/nlri.js';
import { hex } from '../helpers/bytes.js';

describe('validNlri', () => {
  it('accepts well-formed IPv4 and IPv6 prefixes, including /0 and host routes', () => {
    assert.ok(validNlri(1, 1, false, hex('00 08 0a 20 c0000201')));
    assert.ok(validNlri(2, 1, false, hex('00 80 20010db8000000000000000000000001')));
    assert.ok(validNlri(1, 1, false, Buffer.alloc(0)));
  });
  it('rejects lengths past the family maximum and truncated prefixes', () => {
    assert.equal(validNlri(1, 1, false, hex('21 0a000000 00')), false);
    assert.equal(validNlri(2, 1, false, hex('81' + '00'.repeat(17))), false);
    assert.equal(validNlri(1, 1, false, hex('18 0a00')), false);
    assert.equal(validNlri(1, 1, true, hex('000000')), false, 'path id cut short');
    assert.equal(validNlri(1, 1, true, hex('00000001')), false, 'path id without prefix');
  });
  it('checks that every route of other families can be located (EVPN, VPN, flowspec)', () => {
    assert.ok(validNlri(25, 70, false, hex('03 04 0a0b0c0d')), 'EVPN type 3 with a 4-octet value');
    assert.equal(validNlri(25, 70, false, hex('ff ff ff')), false, 'EVPN route overruns the field');
    assert.equal(validNlri(1, 128, false, hex('34 000001 0000000000000001 0a')), false, 'VPN route shorter than label + RD');
    assert.ok(validNlri(1, 133, false, hex('05 0118c00002')), 'flowspec: destination 192.0.2.0/24');
    assert.ok(validNlri(16388, 71, false, hex('ff ff ff')), 'a family we cannot split is one opaque route');
  });
});

describe('prefix iteration and text', () => {
  it('lists prefixes with masked trailing bits (RFC 4271 §4.3)', () => {
    // 11.13.0.0/13 as sent (bits past /13 set) prints as 11.8.0.0/13
    const block = nlriBlock(1, 1, false, hex('0d 0b0d'));
    assert.deepEqual(listPrefixes(block), [{ pathId: 0, prefix: '11.8.0.0/13' }]);
  });
  it('counts prefixes with and without path ids', () => {
    assert.equal(countPrefixes(nlriBlock(1, 1, false, hex('08 0a 10 ac10 00'))), 3);
    assert.equal(countPrefixes(nlriBlock(1, 1, true, hex('00000001 08 0a 00000002 00'))), 2);
  });
  it('encodes text prefixes back to the same wire bytes', () => {
    const bytes = encodePrefixes([{ prefix: '10.0.0.0/8' }, { prefix: '2001:db8::/32' }], false);
    assert.deepEqual(bytes, hex('08 0a 20 20010db8'));
    assert.deepEqual(encodePrefixes([{ prefix: '192.0.2.0/24', pathId: 7 }], true), hex('00000007 18 c00002'));
  });
  it('prints IPv6 in RFC 5952 form', () => {
    const cases: [string, string][] = [
      ['20010db8000000000000000000000001', '2001:db8::1'],
      ['00000000000000000000000000000000', '::'],
      ['20010db8000000010000000000000000', '2001:db8:0:1::'],
      ['20010db8000000000001000000000001', '2001:db8::1:0:0:1'],
      ['fe800000000000000000000000000001', 'fe80::1'],
    ];
    for (const [h, text] of cases) assert.equal(ipv6ToString(Buffer.from(h, 'hex')), text);
  });
  it('parses and prints every IPv6 address the same way (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (octets) => {
        const text = ipv6ToString(octets);
        const back = parseIpv6(text);
        assert.ok(back);
        assert.deepEqual([...back], [...octets]);
      }),
      { seed: 4271, numRuns: 500 },
    );
  });
  it('round-trips random IPv4 prefixes through wire bytes and text (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 }), (addr, bits) => {
        const o = Buffer.alloc(4);
        o.writeUInt32BE(addr >>> 0);
        const text = prefixToString(1, bits, o, 0);
        const parsed = parsePrefix(text);
        assert.ok(parsed);
        assert.equal(parsed.bits, bits);
        assert.equal(prefixToString(1, parsed.bits, parsed.octets, 0), text);
      }),
      { seed: 7911, numRuns: 500 },
    );
  });
  it('rejects bad prefix text', () => {
    for (const t of ['10.0.0.0', '10.0.0.0/33', '300.0.0.0/8', '2001:db8::/129', '1:2:3:4:5:6:7:8:9/64', 'x/8']) {
      assert.equal(parsePrefix(t), null, t);
    }
  });
});
