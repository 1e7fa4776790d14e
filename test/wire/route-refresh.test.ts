// ROUTE-REFRESH codec (RFC 2918 §3, RFC 7313 §3 and §5, RFC 5291 ORF kept raw), with ExaBGP's
// ROUTE-REFRESH messages from ../shared/data/vectors/exabgp.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  decodeRouteRefresh,
  encodeRouteRefresh,
  encodeRouteRefreshInto,
  invalidRouteRefreshLength,
  isKnownRouteRefreshSubtype,
  routeRefreshLength,
} from '../../src/wire/route-refresh.js';
import type { RouteRefreshMessage } from '../../src/wire/route-refresh.js';
import { checkHeader } from '../../src/wire/header.js';
import { dataPath } from '../vectors/helpers-data.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/[^0-9a-fA-F]/g, ''), 'hex');
const MARKER = 'ffffffffffffffffffffffffffffffff';

function roundTrip(message: Buffer): RouteRefreshMessage {
  const h = checkHeader(message, 0, 4096);
  assert.equal(h.kind, 'message');
  const r = decodeRouteRefresh(message.subarray(19));
  if (!r.ok) assert.fail(r.error.detail);
  assert.equal(routeRefreshLength(r.routeRefresh), message.length);
  assert.ok(encodeRouteRefresh(r.routeRefresh).equals(message));
  const buf = Buffer.alloc(message.length + 4, 0xee);
  assert.equal(encodeRouteRefreshInto(r.routeRefresh, buf, 2), 2 + message.length);
  assert.ok(buf.subarray(2, 2 + message.length).equals(message));
  return r.routeRefresh;
}

function expectLengthError(body: string): void {
  const r = decodeRouteRefresh(hex(body));
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.equal(r.error.reason, 'routeRefreshLength');
  assert.deepEqual([r.error.notification.code, r.error.notification.subcode], [7, 1]);
  // RFC 7313 §5: data is the complete message, header included
  const len = (19 + hex(body).length).toString(16).padStart(4, '0');
  assert.equal(r.error.notification.data.toString('hex'), MARKER + len + '05' + hex(body).toString('hex'));
}

describe('vectors', () => {
  it('normal request (subtype 0)', () => {
    const m = roundTrip(hex(MARKER + '0017 05' + '0002' + '00' + '01')); // AFI IPv6, subtype 0, SAFI unicast
    assert.deepEqual(m, { afi: 2, safi: 1, subtype: 0, orf: Buffer.alloc(0) });
  });

  it('subtype 0 with ORF entries kept raw (RFC 5291 §4)', () => {
    const m = roundTrip(
      hex(
        MARKER +
          '0020 05' + // length 32
          '0001 00 01' + // IPv4 unicast, subtype 0
          '01' + // When-to-refresh: IMMEDIATE
          '40' + // ORF type 64 (address prefix)
          '0005' + // length of ORF entries
          '0000000a 00', // opaque entry bytes
      ),
    );
    assert.equal(m.orf.toString('hex'), '01400005' + '0000000a00');
  });

  it('unknown subtypes decode so the caller can ignore them (RFC 7313 §5)', () => {
    const m = roundTrip(hex(MARKER + '0019 05' + '0001 07 01' + 'abcd'));
    assert.equal(m.subtype, 7);
    assert.equal(isKnownRouteRefreshSubtype(m.subtype), false);
    assert.equal(isKnownRouteRefreshSubtype(2), true);
  });
});

describe('ExaBGP ROUTE-REFRESH vectors (api-rr, api-rr-rib)', () => {
  const found: { file: string; bytes: Buffer }[] = [];
  for (const sub of ['encoding', 'api']) {
    const dir = dataPath(`vectors/exabgp/${sub}/`);
    for (const name of readdirSync(dir).filter((n) => n.endsWith('.ci')).sort()) {
      for (const line of readFileSync(dir + name, 'utf8').split('\n')) {
        const m = /^[^:]+:raw:(.*)$/.exec(line.trim());
        const bytes = Buffer.from((m?.[1] ?? '').replace(/:/g, ''), 'hex');
        if (bytes[18] === 5) found.push({ file: `${sub}/${name}`, bytes });
      }
    }
  }

  it('finds the five ROUTE-REFRESH messages', () => assert.equal(found.length, 5));

  it('decodes and re-encodes each; subtypes are normal, BoRR or EoRR for IPv4 unicast', () => {
    const subtypes = found.map((v) => {
      const m = roundTrip(v.bytes);
      assert.deepEqual([m.afi, m.safi, m.orf.length], [1, 1, 0]);
      return m.subtype;
    });
    assert.deepEqual([...subtypes].sort(), [0, 1, 1, 2, 2]);
  });
});

describe('RFC 7313 §5 length errors: 7/1 with the whole message as data', () => {
  it('BoRR longer than 4', () => expectLengthError('0001 01 01 00'));
  it('EoRR longer than 4', () => expectLengthError('0001 02 01 0000'));
  it('any body shorter than 4', () => {
    expectLengthError('0001 00');
    expectLengthError('');
  });
  it('is available to the session for ORF octets when ORF was not negotiated', () => {
    const e = invalidRouteRefreshLength(hex('0001 00 01 01'));
    assert.deepEqual([e.notification.code, e.notification.subcode, e.notification.data.length], [7, 1, 24]);
  });
});

describe('properties', () => {
  const u8 = fc.integer({ min: 0, max: 255 });
  const messageArb = fc
    .tuple(fc.integer({ min: 0, max: 0xffff }), u8, u8, fc.uint8Array({ maxLength: 40 }))
    .map(([afi, safi, subtype, orf]): RouteRefreshMessage => ({
      afi,
      safi,
      subtype,
      orf: subtype === 1 || subtype === 2 ? Buffer.alloc(0) : Buffer.from(orf),
    }));

  it('decode(encode(m)) = m at any offset', () => {
    fc.assert(
      fc.property(messageArb, fc.nat(10), (m, offset) => {
        const buf = Buffer.alloc(offset + routeRefreshLength(m));
        assert.equal(encodeRouteRefreshInto(m, buf, offset), buf.length);
        const r = decodeRouteRefresh(buf.subarray(offset + 19));
        assert.ok(r.ok);
        assert.deepEqual(r.ok && r.routeRefresh, m);
      }),
    );
  });

  it('random bodies never throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (b) => {
        const r = decodeRouteRefresh(Buffer.from(b));
        if (r.ok) assert.equal(routeRefreshLength(r.routeRefresh), 19 + b.length);
      }),
    );
  });
});
