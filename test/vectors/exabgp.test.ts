/**
 * ExaBGP's functional-test messages (../shared/data/vectors/exabgp, see SOURCES.md): every
 * UPDATE decodes cleanly, re-encodes to the identical bytes (also at a non-zero offset, with
 * updateLength equal to the bytes written), and, where ExaBGP's own JSON decoding follows the
 * raw line, our decoding agrees with it field by field. Families we keep opaque (flowspec,
 * VPN, EVPN, MVPN, VPLS, MUP, BGP-LS, SR policy) are compared by family only.
 *
 * Two vectors are malformed by design and are asserted with the class the RFCs give them
 * (EXPECTED_ERRORS). The other message types on raw lines (OPEN, NOTIFICATION,
 * ROUTE-REFRESH) are decoded and re-encoded through decodeMessage/encodeMessage.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeUpdate, encodeUpdate, encodeUpdateInto, updateLength } from '../../src/wire/update.js';
import { classifyUpdate } from '../../src/wire/validate.js';
import { decodeMessage, encodeMessage } from '../../src/wire/message.js';
import { AS4_CTX, type CodecCtx } from '../../src/wire/context.js';
import type { ErrorAction, WireErrorReason } from '../../src/wire/errors.js';
import { HEADER_LENGTH } from '../../src/wire/iana.js';
import { actualForExabgp, ctxFor, exaUpdate, expectedFromExabgp, readCiVectors, readDecodingVectors, type ExaVector } from './helpers-exabgp.js';
import { summarise } from './helpers-summary.js';

interface ExpectedError {
  readonly why: string;
  readonly ok: boolean;
  readonly action: ErrorAction;
  readonly reason: WireErrorReason;
  readonly code: number;
  readonly subcode: number;
}

/** Vectors ExaBGP sends on purpose that are malformed for us, keyed by file:line. */
const EXPECTED_ERRORS: Readonly<Record<string, ExpectedError>> = {
  'encoding/conf-generic-attribute.ci:6': {
    why: 'generic attribute 0x99 with flags 0x60: Optional bit clear, so an unrecognised well-known attribute (RFC 4271 §6.3 subcode 2); RFC 7606 has no rule, the codec treats the UPDATE as withdraw (like BIRD)',
    ok: true,
    action: 'treatAsWithdraw',
    reason: 'unrecognizedWellKnown',
    code: 3,
    subcode: 2,
  },
  'encoding/conf-generic-attribute.ci:9': {
    why: 'generic attribute 0x99 with flags 0x70 (Extended Length, Optional clear): unrecognised well-known, as above',
    ok: true,
    action: 'treatAsWithdraw',
    reason: 'unrecognizedWellKnown',
    code: 3,
    subcode: 2,
  },
  'encoding/extended-nexthop.ci:6': {
    why: 'MP_REACH_NLRI IPv6 unicast with a 4-octet (IPv4) next hop: RFC 2545 §3 allows 16 or 32, RFC 8950 only covers IPv4 NLRI over IPv6; RFC 7606 §7.11 makes an inconsistent next hop length malformed: session reset (FRR does the same)',
    ok: false,
    action: 'sessionReset',
    reason: 'mpReachSyntax',
    code: 3,
    subcode: 9,
  },
};

const counts = { updates: 0, roundTrips: 0, withJson: 0, fields: 0, others: 0, expectedErrors: 0, decodingFiles: 0 };
const skippedKeys = new Set<string>();

/** Decodes `body`, checks it is clean and that it re-encodes to `whole`; returns the update. */
function roundTrip(v: ExaVector, body: Buffer, whole: Buffer, ctx: CodecCtx): ReturnType<typeof summarise> {
  const r = decodeUpdate(body, ctx);
  assert.ok(r.ok, r.ok ? '' : `session reset: ${r.error.reason} ${r.error.detail}`);
  assert.deepEqual(r.errors.map((e) => `${e.reason}: ${e.detail}`), [], 'no RFC 7606 error');
  assert.equal(r.action, null);
  const c = classifyUpdate(body, ctx);
  assert.ok(c.ok && c.action === null, `classifyUpdate: ${c.ok ? c.errors.map((e) => e.reason).join(', ') : c.error.reason}`);
  const again = encodeUpdate(r.update, ctx);
  assert.equal(again.toString('hex'), whole.toString('hex'), 're-encoded bytes');
  assert.equal(updateLength(r.update, ctx), whole.length, 'updateLength');
  const big = Buffer.alloc(whole.length + 10, 0xaa);
  assert.equal(encodeUpdateInto(r.update, big, 7, ctx), 7 + whole.length, 'offset after encodeUpdateInto');
  assert.ok(big.subarray(7, 7 + whole.length).equals(whole), 'encoding at offset 7');
  counts.roundTrips++;
  void v;
  return summarise(r.update);
}

function compareJson(v: ExaVector, s: ReturnType<typeof summarise>): void {
  const u = exaUpdate(v.json);
  if (u === null) return;
  const expected = expectedFromExabgp(u, skippedKeys);
  const actual = actualForExabgp(s, new Set(Object.keys(expected)));
  assert.deepEqual(actual, expected, `${v.where}: our decoding vs ExaBGP's JSON`);
  counts.withJson++;
  counts.fields += new Set([...Object.keys(expected), ...Object.keys(actual)]).size;
}

describe('ExaBGP encoding/ and api/ raw lines', () => {
  const vectors = readCiVectors();
  it('found the raw lines SOURCES.md lists (395)', () => {
    assert.equal(vectors.length, 395);
  });

  for (const v of vectors) {
    const type = v.bytes[18];
    const ctx = ctxFor(v.file);
    it(`${v.where} (type ${type})`, () => {
      assert.ok(v.bytes.length >= HEADER_LENGTH && v.bytes.readUInt16BE(16) === v.bytes.length, 'length field matches');
      if (type !== 2) {
        const m = decodeMessage(v.bytes, ctx);
        assert.ok(m.ok, m.ok ? '' : `${m.error.reason}: ${m.error.detail}`);
        assert.equal(encodeMessage(m.message, ctx).toString('hex'), v.bytes.toString('hex'));
        counts.others++;
        return;
      }
      counts.updates++;
      const body = v.bytes.subarray(HEADER_LENGTH);
      const want = EXPECTED_ERRORS[v.where];
      if (want !== undefined) {
        const c = classifyUpdate(body, ctx);
        const first = c.ok ? c.errors[0] : c.error;
        assert.deepEqual(
          { ok: c.ok, action: c.ok ? c.action : c.error.action, reason: first?.reason, code: first?.notification.code, subcode: first?.notification.subcode },
          { ok: want.ok, action: want.action, reason: want.reason, code: want.code, subcode: want.subcode },
          want.why,
        );
        counts.expectedErrors++;
        return;
      }
      const s = roundTrip(v, body, v.bytes, ctx);
      compareJson(v, s);
    });
  }
});

describe('ExaBGP decoding/ vectors', () => {
  for (const v of readDecodingVectors()) {
    it(`${v.where} (${v.kind})`, () => {
      counts.decodingFiles++;
      if (v.kind === 'open') {
        const m = decodeMessage(v.bytes, AS4_CTX);
        assert.ok(m.ok && m.message.type === 'open', 'decodes as OPEN');
        assert.equal(encodeMessage(m.message, AS4_CTX).toString('hex'), v.bytes.toString('hex'));
        return;
      }
      if (v.kind.startsWith('nlri ')) {
        // A bare BGP-LS NLRI, not a message: BGP-LS NLRI are carried opaque by this codec,
        // so there is nothing of ours to run on it.
        assert.ok(v.bodyOnly);
        return;
      }
      const body = v.bodyOnly ? v.bytes : v.bytes.subarray(HEADER_LENGTH);
      const whole = v.bodyOnly ? Buffer.concat([Buffer.alloc(16, 0xff), Buffer.from([(body.length + 19) >> 8, (body.length + 19) & 0xff, 2]), body]) : v.bytes;
      counts.updates++;
      const s = roundTrip(v, body, whole, AS4_CTX);
      compareJson(v, s);
    });
  }
});

after(() => {
  console.log(
    `exabgp: ${counts.updates} UPDATEs (${counts.roundTrips} byte-exact round trips, ${counts.expectedErrors} malformed by design), ` +
      `${counts.withJson} compared with ExaBGP JSON on ${counts.fields} fields; ${counts.others} other messages round-tripped; ` +
      `${counts.decodingFiles} decoding/ files; JSON keys not compared: ${[...skippedKeys].sort().join(', ') || 'none'}`,
  );
});
