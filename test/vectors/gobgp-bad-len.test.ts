/**
 * GoBGP's fuzzer-found bad-length corpus (osrg/gobgp pkg/packet/bgp/testdata/bad-len/, copied
 * byte for byte into ../shared/data/vectors/gobgp-bad-len/, provenance in SOURCES.md).
 *
 * GoBGP's TestParseMessageWithBadLength only asks that parsing does not crash and that it
 * either succeeds and re-serialises, or fails with a BGP error whose Message Header Error
 * subcode, if any, is 1 (Connection Not Synchronized) or 2 (Bad Message Length). We assert
 * more, per vector, with the outcome worked out by hand from the bytes:
 *
 * 1. as received: the whole file through decodeMessage (the 16-octet marker is checked
 *    first, RFC 4271 §6.1, so all of them fail there with 1/1);
 * 2. as GoBGP parses it (GoBGP does not check the marker): the marker repaired to all ones
 *    and the message cut to its length field, as a framer would; the body codec must then
 *    give the class RFC 4271 §6.2 / §6.3 and RFC 7606 prescribe;
 * 3. for UPDATEs, the path attribute field alone (NLRI dropped): the class RFC 7606 gives to
 *    the attribute-level malformation, which 2. hides behind the NLRI error.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeMessage, encodeMessage } from '../../src/wire/message.js';
import { classifyUpdate } from '../../src/wire/validate.js';
import { AS4_CTX } from '../../src/wire/context.js';
import type { ErrorAction } from '../../src/wire/errors.js';
import { listData, readData } from './helpers-data.js';

const DIR = 'vectors/gobgp-bad-len/';

interface Outcome {
  readonly code: number;
  readonly subcode: number;
  /** The RFC 7606 class; OPEN and header errors are always a session reset. */
  readonly action: ErrorAction;
  /** Expected NOTIFICATION data, hex, when the RFC fixes it. */
  readonly data?: string;
}

interface Vector {
  readonly file: string;
  /** What is malformed, from reading the bytes. */
  readonly why: string;
  readonly asReceived: Outcome;
  readonly markerRepaired: Outcome;
  /** UPDATE only: the attribute field decoded alone (NLRI and withdrawn routes empty). */
  readonly attributesOnly?: Outcome;
}

const NOT_SYNCHRONIZED: Outcome = { code: 1, subcode: 1, action: 'sessionReset' };
// RFC 4271 §6.2: Unsupported Version Number, data = largest supported version (2 octets).
const BAD_VERSION: Outcome = { code: 2, subcode: 1, action: 'sessionReset', data: '0004' };
// RFC 7606 §5.3 (RFC 4271 §6.3 Invalid Network Field): an NLRI field that cannot be parsed.
const BAD_NLRI: Outcome = { code: 3, subcode: 10, action: 'sessionReset' };
// RFC 7606 §4 + §5.3: an MP_UNREACH_NLRI whose length overruns the attribute field; its
// NLRI cannot be located, so session reset; RFC 4271 §6.3 subcode Attribute Length Error.
const MP_UNREACH_OVERRUN: Outcome = { code: 3, subcode: 5, action: 'sessionReset' };

const VECTORS: readonly Vector[] = [
  {
    file: '000852858287eb2ece5cd12aabef453f87b77adb',
    why: 'marker 0x30 x16; length 64, type 1 OPEN; version 0x30 (48); opt param length 31 with a capability (code 5) of length 255 overrunning it',
    asReceived: NOT_SYNCHRONIZED,
    markerRepaired: BAD_VERSION, // the version is checked first (RFC 4271 §6.2)
  },
  {
    file: '0b229debaa2fc1e8b997c9894ad3184cce8c7bb4',
    why: 'marker 00 00 02 00 54 03 27 ... (not all ones); length 64, type 1 OPEN; version 0xff; opt params overrun (capability 1 of length 254)',
    asReceived: NOT_SYNCHRONIZED,
    markerRepaired: BAD_VERSION,
  },
  {
    file: '147a924d9a4a4d9960f8bb49e3ec782ee93f82a7',
    why: 'length 31 of 33 octets, type 2; withdrawn 0, attributes 3: "80 0f 05" = MP_UNREACH_NLRI header claiming 5 octets; NLRI "00 19 46 03 00": /0, then a /25 with 3 of its 4 octets',
    asReceived: NOT_SYNCHRONIZED,
    markerRepaired: BAD_NLRI,
    attributesOnly: MP_UNREACH_OVERRUN,
  },
  {
    file: '1d1fb484828b4f23af3ff0ab71b67682d5876fd6',
    why: 'marker 0x30 x16; length 64, type 1 OPEN; version 0x30; opt param length 32 whose first parameter (type 0x30) claims 254 octets',
    asReceived: NOT_SYNCHRONIZED,
    markerRepaired: BAD_VERSION,
  },
  {
    file: '27f19d6959e9cbecfcd09b28c3aec493a4b6f18d',
    why: 'length 64, type 2; withdrawn 0, attributes 3: "30 30 30" = flags 0x30 (Extended Length) needing a 4-octet header in a 3-octet field; NLRI starts with prefix length 0x30 = 48 > 32',
    asReceived: NOT_SYNCHRONIZED,
    markerRepaired: BAD_NLRI,
    // RFC 7606 §4: attributes that do not fill the field exactly, NLRI still locatable:
    // treat-as-withdraw, Malformed Attribute List.
    attributesOnly: { code: 3, subcode: 1, action: 'treatAsWithdraw' },
  },
  {
    file: '3765bb2392d48ca8edaf0b5e39209eb2d1b87c53',
    why: 'length 48 of 64 octets, type 2; withdrawn 0, attributes 3: "30 30 30" (truncated extended-length header); NLRI "30 e0 28 ..." = prefix length 48',
    asReceived: NOT_SYNCHRONIZED,
    markerRepaired: BAD_NLRI,
    attributesOnly: { code: 3, subcode: 1, action: 'treatAsWithdraw' },
  },
  {
    file: '3dce7e046d709b142092e15b78e9ad20ee5144fa',
    why: 'length 31 of 37 octets, type 2; attributes 3: MP_UNREACH_NLRI header claiming 5 octets; NLRI "00 19 46 02 00": /0 then a /25 with 3 of its 4 octets',
    asReceived: NOT_SYNCHRONIZED,
    markerRepaired: BAD_NLRI,
    attributesOnly: MP_UNREACH_OVERRUN,
  },
  {
    file: '4d4dc736bc89bf41363774d282b8a7641c3e7a98',
    why: 'length 31, type 2; attributes 3: "80 1a 05" = AIGP header claiming 5 octets; NLRI "30 00 02 30 30" = prefix length 48',
    asReceived: NOT_SYNCHRONIZED,
    markerRepaired: BAD_NLRI,
    // RFC 7606 §4: a non-MP attribute overrunning the field: treat-as-withdraw; RFC 4271
    // §6.3: Attribute Length Error.
    attributesOnly: { code: 3, subcode: 5, action: 'treatAsWithdraw' },
  },
  {
    file: '66e6aab4f34c9c5783c18f90b2d987e5dad241e0',
    why: 'length 31, type 2; attributes 3: MP_UNREACH_NLRI header claiming 5 octets; NLRI "00 19 46 01 00": /0 then a /25 with 3 of its 4 octets',
    asReceived: NOT_SYNCHRONIZED,
    markerRepaired: BAD_NLRI,
    attributesOnly: MP_UNREACH_OVERRUN,
  },
  {
    file: 'a8ecedce17e2e28a466cf9fb3bfaf2d8554fef42',
    why: 'length 31, type 2; attributes 3: MP_UNREACH_NLRI header claiming 5 octets; NLRI "00 19 46 04 00": /0 then a /25 with 3 of its 4 octets',
    asReceived: NOT_SYNCHRONIZED,
    markerRepaired: BAD_NLRI,
    attributesOnly: MP_UNREACH_OVERRUN,
  },
  {
    file: 'b7ed0646a97127bf424da480a53a84a0cb9c9565',
    why: 'length 31 of 35 octets, type 2; attributes 3: MP_UNREACH_NLRI header claiming 5 octets; NLRI "00 01 86 30 30": /0, /1 (0x86), then prefix length 0x30 = 48',
    asReceived: NOT_SYNCHRONIZED,
    markerRepaired: BAD_NLRI,
    attributesOnly: MP_UNREACH_OVERRUN,
  },
];

/** Decodes and asserts the error against `want`; a success must re-encode to the same bytes. */
function expectOutcome(msg: Buffer, want: Outcome): void {
  const r = decodeMessage(msg, AS4_CTX);
  if (r.ok) {
    assert.deepEqual(encodeMessage(r.message, AS4_CTX), msg, 'a message that decodes must re-encode to the same bytes');
    assert.fail(`decoded as ${r.message.type}, expected NOTIFICATION ${want.code}/${want.subcode}`);
  }
  const n = r.error.notification;
  assert.deepEqual({ code: n.code, subcode: n.subcode, action: r.error.action }, { code: want.code, subcode: want.subcode, action: want.action }, r.error.detail);
  if (want.data !== undefined) assert.equal(n.data.toString('hex'), want.data);
  // GoBGP's own rule: a Message Header Error is 1 or 2 here.
  if (n.code === 1) assert.ok(n.subcode === 1 || n.subcode === 2);
}

describe('GoBGP bad-len corpus (vectors/gobgp-bad-len)', () => {
  it('has exactly the 11 vectors analysed below', () => {
    assert.deepEqual(listData(DIR, /^[0-9a-f]{40}$/), VECTORS.map((v) => v.file).sort());
  });

  for (const v of VECTORS) {
    describe(v.file.slice(0, 12), () => {
      const raw = readData(DIR + v.file);

      it(`as received (${v.why})`, () => {
        expectOutcome(raw, v.asReceived);
      });

      it('marker repaired and cut to its length field, as GoBGP parses it', () => {
        const length = raw.readUInt16BE(16);
        assert.ok(length <= raw.length, 'every vector holds its whole message');
        const msg = Buffer.from(raw.subarray(0, length));
        msg.fill(0xff, 0, 16);
        expectOutcome(msg, v.markerRepaired);
        // classifyUpdate (what a session calls) must agree with the syntax pass.
        if (msg[18] === 2) {
          const c = classifyUpdate(msg.subarray(19), AS4_CTX);
          assert.equal(c.ok, false);
          if (!c.ok) assert.equal(c.error.notification.subcode, v.markerRepaired.subcode);
        }
      });

      const attrsWant = v.attributesOnly;
      if (attrsWant !== undefined) {
        it('attribute field alone', () => {
          const body = raw.subarray(19, raw.readUInt16BE(16));
          const wLen = body.readUInt16BE(0);
          const aLen = body.readUInt16BE(2 + wLen);
          const attrs = body.subarray(4 + wLen, 4 + wLen + aLen);
          const alone = Buffer.concat([Buffer.from([0, 0]), Buffer.from([aLen >> 8, aLen & 0xff]), attrs]);
          const c = classifyUpdate(alone, AS4_CTX);
          const got = c.ok
            ? { action: c.action, code: c.errors[0]?.notification.code, subcode: c.errors[0]?.notification.subcode }
            : { action: c.error.action, code: c.error.notification.code, subcode: c.error.notification.subcode };
          assert.deepEqual(got, { action: attrsWant.action, code: attrsWant.code, subcode: attrsWant.subcode });
        });
      }
    });
  }
});
