// Header framing (RFC 4271 §4.1, §6.1) and KEEPALIVE (§4.4): hand vectors, GoBGP's fuzzer-found
// bad-length messages from ../shared/data, and fast-check "random bytes never throw".
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { checkHeader, encodeHeader, frameMessage, isMessageType, minimumLength } from '../../src/wire/header.js';
import type { HeaderCheck } from '../../src/wire/header.js';
import { checkKeepalive, encodeKeepalive, encodeKeepaliveInto, keepaliveLength } from '../../src/wire/keepalive.js';
import { decodeOpen } from '../../src/wire/open.js';
import { decodeNotification } from '../../src/wire/notification.js';
import { decodeRouteRefresh } from '../../src/wire/route-refresh.js';
import { MAX_EXTENDED_MESSAGE_LENGTH, MAX_MESSAGE_LENGTH, MSG } from '../../src/wire/iana.js';
import { dataPath } from '../vectors/helpers-data.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/[^0-9a-fA-F]/g, ''), 'hex');
const MARKER = 'ffffffffffffffffffffffffffffffff';

function expectError(r: HeaderCheck, subcode: number, data?: string): void {
  assert.equal(r.kind, 'error');
  if (r.kind !== 'error') return;
  assert.equal(r.error.action, 'sessionReset');
  assert.equal(r.error.notification.code, 1); // Message Header Error
  assert.equal(r.error.notification.subcode, subcode);
  if (data !== undefined) assert.equal(r.error.notification.data.toString('hex'), data);
}

describe('checkHeader', () => {
  it('asks for 19 octets before anything else', () => {
    assert.deepEqual(checkHeader(Buffer.alloc(0), 0, MAX_MESSAGE_LENGTH), { kind: 'need', bytes: 19 });
    assert.deepEqual(checkHeader(hex(MARKER + '0013'), 0, MAX_MESSAGE_LENGTH), { kind: 'need', bytes: 19 });
    // 19 octets at offset 3 of a 21-octet buffer: only 18 available
    assert.deepEqual(checkHeader(Buffer.concat([hex('000000'), hex(MARKER + '00')]), 3, 4096), { kind: 'need', bytes: 19 });
  });

  it('accepts a KEEPALIVE at a non-zero offset', () => {
    const buf = hex('aabb' + MARKER + '0013' + '04'); // 2 junk octets, marker, length 19, type 4
    assert.deepEqual(checkHeader(buf, 2, MAX_MESSAGE_LENGTH), { kind: 'message', type: MSG.KEEPALIVE, length: 19 });
  });

  it('waits for the declared length once the header is good', () => {
    const buf = hex(MARKER + '0017' + '02' + '0000'); // UPDATE of 23, 21 octets present
    assert.deepEqual(checkHeader(buf, 0, MAX_MESSAGE_LENGTH), { kind: 'need', bytes: 23 });
    const full = Buffer.concat([buf, hex('0000')]);
    assert.deepEqual(checkHeader(full, 0, MAX_MESSAGE_LENGTH), { kind: 'message', type: MSG.UPDATE, length: 23 });
  });

  it('rejects a marker that is not all ones: 1/1 Connection Not Synchronized', () => {
    expectError(checkHeader(hex('ffffffffffffffffffffffffffffff7f' + '0013' + '04'), 0, 4096), 1, '');
  });

  it('rejects lengths outside 19..max: 1/2 with the Length field as data', () => {
    expectError(checkHeader(hex(MARKER + '0012' + '04'), 0, 4096), 2, '0012');
    // 4097 with only the header buffered: reported at once, not after waiting for the body
    expectError(checkHeader(hex(MARKER + '1001' + '02'), 0, 4096), 2, '1001');
    assert.deepEqual(checkHeader(hex(MARKER + '1001' + '02'), 0, MAX_EXTENDED_MESSAGE_LENGTH), { kind: 'need', bytes: 4097 });
  });

  it('keeps OPEN within 4096 even with extended messages (RFC 8654 §4)', () => {
    expectError(checkHeader(hex(MARKER + '1001' + '01'), 0, MAX_EXTENDED_MESSAGE_LENGTH), 2, '1001');
  });

  it('applies per-type minimum lengths (RFC 4271 §6.1)', () => {
    const cases: [number, number][] = [
      [MSG.OPEN, 29],
      [MSG.UPDATE, 23],
      [MSG.NOTIFICATION, 21],
      [MSG.ROUTE_REFRESH, 23],
    ];
    for (const [type, min] of cases) {
      assert.equal(minimumLength(type as 1 | 2 | 3 | 5), min);
      const short = Buffer.alloc(min - 1);
      encodeHeader(short, 0, min - 1, type);
      expectError(checkHeader(short, 0, 4096), 2, (min - 1).toString(16).padStart(4, '0'));
      const ok = Buffer.alloc(min);
      encodeHeader(ok, 0, min, type);
      assert.deepEqual(checkHeader(ok, 0, 4096), { kind: 'message', type, length: min });
    }
    // KEEPALIVE must be exactly 19
    expectError(checkHeader(hex(MARKER + '0014' + '04' + '00'), 0, 4096), 2, '0014');
  });

  it('rejects unknown types: 1/3 with the Type field as data', () => {
    expectError(checkHeader(hex(MARKER + '0013' + '06'), 0, 4096), 3, '06');
    expectError(checkHeader(hex(MARKER + '0013' + '00'), 0, 4096), 3, '00');
    assert.equal(isMessageType(0), false);
    assert.equal(isMessageType(5), true);
  });

  it('never throws on random input, and every answer is consistent', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.nat(70), fc.constantFrom(4096, 65535), (bytes, off, max) => {
        const buf = Buffer.from(bytes);
        const offset = Math.min(off, buf.length);
        const r = checkHeader(buf, offset, max);
        if (r.kind === 'message') assert.ok(r.length >= 19 && r.length <= buf.length - offset);
        if (r.kind === 'need') assert.ok(r.bytes > buf.length - offset);
      }),
    );
    // the same with a valid marker so the deeper checks run
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 3, maxLength: 40 }), (tail) => {
        checkHeader(Buffer.concat([hex(MARKER), Buffer.from(tail)]), 0, 4096);
      }),
    );
  });
});

describe('GoBGP bad-len vectors (vectors/gobgp-bad-len)', () => {
  // Expectation from GoBGP TestParseMessageWithBadLength: no crash; a Message Header Error
  // has subcode 1 or 2. Most use 0x30 markers; we also retry each with the marker fixed so
  // the length and body checks are reached.
  const dir = dataPath('vectors/gobgp-bad-len/');
  const files = readdirSync(dir).sort();

  it('has the 11 vectors', () => assert.equal(files.length, 11));

  for (const name of files) {
    it(name.slice(0, 12), () => {
      const raw = readFileSync(dir + name);
      const fixed = Buffer.from(raw);
      fixed.fill(0xff, 0, 16);
      for (const buf of [raw, fixed]) {
        const r = checkHeader(buf, 0, MAX_MESSAGE_LENGTH);
        if (r.kind === 'error' && r.error.notification.code === 1) {
          assert.ok([1, 2].includes(r.error.notification.subcode), `subcode ${r.error.notification.subcode}`);
        }
        if (r.kind === 'message') {
          const body = buf.subarray(19, r.length);
          if (r.type === MSG.OPEN) decodeOpen(body);
          if (r.type === MSG.NOTIFICATION) decodeNotification(body);
          if (r.type === MSG.ROUTE_REFRESH) decodeRouteRefresh(body);
          if (r.type === MSG.KEEPALIVE) assert.equal(checkKeepalive(body), null);
        }
      }
    });
  }
});

describe('encodeHeader / frameMessage', () => {
  it('writes marker, length and type at an offset', () => {
    const buf = Buffer.alloc(25, 0xaa);
    assert.equal(encodeHeader(buf, 3, 23, MSG.ROUTE_REFRESH), 22);
    assert.equal(buf.toString('hex'), 'aaaaaa' + MARKER + '0017' + '05' + 'aaaaaa');
  });

  it('frames a body', () => {
    const m = frameMessage(MSG.NOTIFICATION, hex('0602'));
    assert.equal(m.toString('hex'), MARKER + '0015' + '03' + '0602');
    assert.deepEqual(checkHeader(m, 0, 4096), { kind: 'message', type: MSG.NOTIFICATION, length: 21 });
  });
});

describe('KEEPALIVE', () => {
  it('is a bare 19-octet header of type 4', () => {
    assert.equal(keepaliveLength(), 19);
    assert.equal(encodeKeepalive().toString('hex'), MARKER + '0013' + '04');
    const buf = Buffer.alloc(24, 0);
    assert.equal(encodeKeepaliveInto(buf, 5), 5 + keepaliveLength());
    assert.equal(buf.subarray(5).toString('hex'), MARKER + '0013' + '04');
  });

  it('must have an empty body', () => {
    assert.equal(checkKeepalive(Buffer.alloc(0)), null);
    const e = checkKeepalive(hex('00'));
    assert.ok(e);
    assert.equal(e.reason, 'keepaliveLength');
    assert.deepEqual([e.notification.code, e.notification.subcode], [1, 2]);
    assert.equal(e.notification.data.toString('hex'), '0014');
  });
});
