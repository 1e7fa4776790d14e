// NOTIFICATION codec (RFC 4271 §4.5), RFC 9003 shutdown communication, RFC 8538 Hard Reset and
// the operator text, with ExaBGP's NOTIFICATION messages from ../shared/data/vectors/exabgp.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  decodeNotification,
  encodeNotification,
  encodeNotificationInto,
  makeShutdownNotification,
  notificationLength,
  shutdownMessage,
  unwrapHardReset,
  wrapHardReset,
} from '../../src/wire/notification.js';
import type { NotificationMessage } from '../../src/wire/notification.js';
import { describeNotification } from '../../src/wire/notification-text.js';
import { checkHeader } from '../../src/wire/header.js';
import { CEASE_SUB, ERR, FSM_SUB, HEADER_SUB, OPEN_SUB, ROUTE_REFRESH_SUB, UPDATE_SUB } from '../../src/wire/iana.js';
import { dataPath } from '../vectors/helpers-data.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/[^0-9a-fA-F]/g, ''), 'hex');
const MARKER = 'ffffffffffffffffffffffffffffffff';

function roundTrip(message: Buffer): NotificationMessage {
  const h = checkHeader(message, 0, 4096);
  assert.equal(h.kind, 'message');
  const r = decodeNotification(message.subarray(19));
  if (!r.ok) assert.fail(r.error.detail);
  assert.equal(notificationLength(r.notification), message.length);
  assert.ok(encodeNotification(r.notification).equals(message));
  const buf = Buffer.alloc(message.length + 6, 0xee);
  assert.equal(encodeNotificationInto(r.notification, buf, 3), 3 + message.length);
  assert.ok(buf.subarray(3, 3 + message.length).equals(message));
  return r.notification;
}

describe('codec', () => {
  it('hand vector: Cease / Peer De-configured, no data', () => {
    const n = roundTrip(hex(MARKER + '0015 03' + '06' + '03')); // length 21, NOTIFICATION, Cease, subcode 3
    assert.deepEqual(n, { code: 6, subcode: 3, data: Buffer.alloc(0) });
  });

  it('hand vector: UPDATE Message Error / Malformed AS_PATH with data', () => {
    const n = roundTrip(hex(MARKER + '0018 03' + '03' + '0b' + '400200')); // code 3, subcode 11, the bad attribute
    assert.equal(describeNotification(n.code, n.subcode, n.data), 'UPDATE Message Error/Malformed AS_PATH');
  });

  it('copies the data out of the receive buffer', () => {
    const body = hex('0602 00');
    const r = decodeNotification(body);
    assert.ok(r.ok);
    body[2] = 0x99;
    assert.equal(r.ok && r.notification.data[0], 0);
  });

  it('a body under 2 octets is an error (never answered: RFC 4271 §6.4)', () => {
    for (const body of ['', '06']) {
      const r = decodeNotification(hex(body));
      assert.equal(r.ok, false);
      if (r.ok) continue;
      assert.equal(r.error.reason, 'notificationTruncated');
      assert.deepEqual([r.error.notification.code, r.error.notification.subcode], [1, 2]);
    }
  });
});

describe('ExaBGP NOTIFICATION vectors', () => {
  const found: { file: string; bytes: Buffer }[] = [];
  for (const sub of ['encoding', 'api']) {
    const dir = dataPath(`vectors/exabgp/${sub}/`);
    for (const name of readdirSync(dir).filter((n) => n.endsWith('.ci')).sort()) {
      for (const line of readFileSync(dir + name, 'utf8').split('\n')) {
        const m = /^[^:]+:raw:(.*)$/.exec(line.trim());
        const bytes = Buffer.from((m?.[1] ?? '').replace(/:/g, ''), 'hex');
        if (bytes[18] === 3) found.push({ file: `${sub}/${name}`, bytes });
      }
    }
  }

  it('finds the three NOTIFICATION messages', () => assert.equal(found.length, 3));

  for (const v of found) {
    it(v.file, () => {
      const n = roundTrip(v.bytes);
      if (v.file.includes('teardown')) {
        // Cease / Administrative Reset with shutdown communication "Administrative Reset"
        assert.deepEqual([n.code, n.subcode], [6, 4]);
        assert.equal(shutdownMessage(n), 'Administrative Reset');
        assert.equal(describeNotification(n.code, n.subcode, n.data), 'Cease/Administrative Reset "Administrative Reset"');
      } else {
        // Message Header Error / 0 with ASCII data (ExaBGP's own diagnostics)
        assert.deepEqual([n.code, n.subcode], [1, 0]);
        assert.equal(n.data.toString('latin1'), 'can not decode update message of type "255"');
        assert.equal(shutdownMessage(n), null);
        assert.equal(describeNotification(n.code, n.subcode, n.data), 'Message Header Error/Unspecific');
      }
    });
  }
});

describe('RFC 9003 shutdown communication', () => {
  it('encodes a length octet and UTF-8 text', () => {
    const n = makeShutdownNotification(CEASE_SUB.ADMINISTRATIVE_SHUTDOWN, 'maintenance ✓');
    assert.equal(n.data.toString('hex'), '0f' + Buffer.from('maintenance ✓').toString('hex'));
    assert.equal(shutdownMessage(n), 'maintenance ✓');
    assert.equal(encodeNotification(n).toString('hex'), MARKER + '0025' + '03' + '0602' + n.data.toString('hex'));
  });

  it('truncates to 255 octets on a UTF-8 boundary', () => {
    const n = makeShutdownNotification(CEASE_SUB.ADMINISTRATIVE_RESET, 'a'.repeat(253) + '€€'); // € is 3 octets
    assert.equal(n.data[0], 253); // the first € would end at octet 256, so it is dropped whole
    assert.equal(shutdownMessage(n), 'a'.repeat(253));
    const exact = makeShutdownNotification(CEASE_SUB.ADMINISTRATIVE_RESET, 'a'.repeat(252) + '€');
    assert.equal(exact.data[0], 255);
    assert.equal(shutdownMessage(exact), 'a'.repeat(252) + '€');
    const emoji = makeShutdownNotification(CEASE_SUB.ADMINISTRATIVE_RESET, '🙂'.repeat(70)); // 4 octets each
    assert.equal(emoji.data[0], 252);
    assert.equal(shutdownMessage(emoji), '🙂'.repeat(63));
  });

  it('empty text gives empty data', () => {
    assert.equal(makeShutdownNotification(CEASE_SUB.ADMINISTRATIVE_SHUTDOWN, '').data.length, 0);
    assert.equal(shutdownMessage({ code: 6, subcode: 2, data: Buffer.alloc(0) }), null);
  });

  it('only Cease / Administrative Shutdown and Reset carry it', () => {
    assert.throws(() => makeShutdownNotification(CEASE_SUB.PEER_DECONFIGURED, 'x'), RangeError);
    assert.equal(shutdownMessage({ code: 6, subcode: 3, data: hex('01 41') }), null);
    assert.equal(shutdownMessage({ code: 2, subcode: 2, data: hex('01 41') }), null);
  });

  it('ignores malformed communications (RFC 9003 §5)', () => {
    assert.equal(shutdownMessage({ code: 6, subcode: 2, data: hex('05 4142') }), null); // overrun
    assert.equal(shutdownMessage({ code: 6, subcode: 2, data: hex('02 c328') }), null); // not UTF-8
    assert.equal(shutdownMessage({ code: 6, subcode: 2, data: hex('01 41 ffff') }), 'A'); // trailing octets ignored
  });
});

describe('RFC 8538 Hard Reset', () => {
  it('wraps and unwraps', () => {
    const inner = makeShutdownNotification(CEASE_SUB.ADMINISTRATIVE_SHUTDOWN, 'bye');
    const outer = wrapHardReset(inner);
    assert.deepEqual([outer.code, outer.subcode], [6, 9]);
    assert.equal(outer.data.toString('hex'), '0602' + '03' + Buffer.from('bye').toString('hex'));
    assert.deepEqual(unwrapHardReset(outer), inner);
    assert.equal(describeNotification(outer.code, outer.subcode, outer.data), 'Cease/Hard Reset (Cease/Administrative Shutdown "bye")');
    roundTrip(encodeNotification(outer));
  });

  it('unwrap refuses anything else', () => {
    assert.equal(unwrapHardReset({ code: 6, subcode: 2, data: hex('0602') }), null);
    assert.equal(unwrapHardReset({ code: 6, subcode: 9, data: hex('06') }), null);
  });

  it('describes only one level of nesting (no recursion on wire input)', () => {
    const deep = Buffer.alloc(60000);
    for (let i = 0; i < deep.length; i += 2) deep.set([6, 9], i);
    assert.equal(describeNotification(6, 9, deep), 'Cease/Hard Reset (Cease/Hard Reset)');
  });
});

describe('describeNotification', () => {
  it('names every code and subcode in iana.ts', () => {
    const tables: [number, Record<string, number>][] = [
      [ERR.MESSAGE_HEADER, HEADER_SUB],
      [ERR.OPEN_MESSAGE, OPEN_SUB],
      [ERR.UPDATE_MESSAGE, UPDATE_SUB],
      [ERR.FSM, FSM_SUB],
      [ERR.CEASE, CEASE_SUB],
      [ERR.ROUTE_REFRESH_MESSAGE, ROUTE_REFRESH_SUB],
    ];
    for (const [code, subs] of tables) {
      for (const sub of [0, ...Object.values(subs)]) {
        const text = describeNotification(code, sub);
        assert.ok(!text.includes('Unknown'), text);
        assert.match(text, /^[A-Z][^/]+\/[A-Z]/);
      }
    }
    assert.equal(describeNotification(ERR.HOLD_TIMER_EXPIRED, 0), 'Hold Timer Expired');
  });

  it('reads like FRR', () => {
    assert.equal(describeNotification(6, 2), 'Cease/Administrative Shutdown');
    assert.equal(describeNotification(3, 11), 'UPDATE Message Error/Malformed AS_PATH');
    assert.equal(describeNotification(2, 7), 'OPEN Message Error/Unsupported Capability');
    assert.equal(describeNotification(2, 11), 'OPEN Message Error/Role Mismatch');
    assert.equal(describeNotification(5, 2), 'Finite State Machine Error/Receive Unexpected Message in OpenConfirm State');
    assert.equal(describeNotification(7, 1), 'ROUTE-REFRESH Message Error/Invalid Message Length');
  });

  it('falls back for unknown numbers', () => {
    assert.equal(describeNotification(6, 42), 'Cease/Unknown subcode 42');
    assert.equal(describeNotification(4, 1), 'Hold Timer Expired/Unknown subcode 1');
    assert.equal(describeNotification(99, 1), 'Unknown error code 99/Unknown subcode 1');
  });

  it('quotes the shutdown communication so it cannot forge log lines', () => {
    const n = makeShutdownNotification(2, 'a\nb"c');
    assert.equal(describeNotification(n.code, n.subcode, n.data), 'Cease/Administrative Shutdown "a\\nb\\"c"');
  });
});

describe('properties', () => {
  const notificationArb = fc
    .tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 64 }))
    .map(([code, subcode, data]): NotificationMessage => ({ code, subcode, data: Buffer.from(data) }));

  it('decode(encode(n)) = n at any offset', () => {
    fc.assert(
      fc.property(notificationArb, fc.nat(10), (n, offset) => {
        const buf = Buffer.alloc(offset + notificationLength(n));
        assert.equal(encodeNotificationInto(n, buf, offset), buf.length);
        const r = decodeNotification(buf.subarray(offset + 19));
        assert.ok(r.ok);
        assert.deepEqual(r.ok && r.notification, n);
      }),
    );
  });

  it('random input never throws in any decoder or describer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const r = decodeNotification(Buffer.from(bytes));
        if (!r.ok) return;
        const n = r.notification;
        shutdownMessage(n);
        unwrapHardReset(n);
        describeNotification(n.code, n.subcode, n.data);
        describeNotification(6, 2, n.data);
        describeNotification(6, 9, n.data);
      }),
    );
  });

  it('shutdown communications round-trip for any text that fits', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 120 }), fc.constantFrom(2, 4), (text, subcode) => {
        const n = makeShutdownNotification(subcode, text);
        assert.ok(n.data.length <= 256);
        const got = shutdownMessage(n) ?? '';
        assert.ok(text.startsWith(got));
        if (Buffer.byteLength(text) <= 255) assert.equal(got, text);
      }),
    );
  });
});
