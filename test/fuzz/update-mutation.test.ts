/**
 * Property tests of the UPDATE codec (STYLE.md §7), deterministic (fixed fast-check seeds)
 * and bounded (the whole file well under 20 s):
 *
 * 1. seeds: real UPDATEs (ExaBGP's functional tests, a RIPE RIS MRT dump) decode and
 *    classify; the RIS ones are clean and re-encode byte for byte;
 * 2. mutations: random byte sets/xors, truncations, insertions, deletions and length-field
 *    changes of those UPDATEs never make decodeUpdate, classifyUpdate or decodeMessage
 *    throw; each result is ok:false with a session reset carrying NOTIFICATION code 3
 *    (code 1 from decodeMessage for a bad header length), or ok:true with action null,
 *    attributeDiscard or treatAsWithdraw, the strongest of its errors; a clean result
 *    re-encodes to the mutated bytes exactly;
 * 3. random well-formed UPDATEs (every attribute kind, random IPv4/IPv6 prefixes, add-path,
 *    2- and 4-octet AS) round-trip: decode(encode(x)) = x, cleanly.
 *
 * A counterexample that crashes the codec is kept in ./crashes/ (see crashes.test.ts).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeUpdate, encodeUpdate, encodeUpdateInto, updateLength } from '../../src/wire/update.js';
import { classifyUpdate } from '../../src/wire/validate.js';
import { decodeMessage } from '../../src/wire/message.js';
import { encodeAttributes } from '../../src/wire/attributes.js';
import { ACTION_RANK } from '../../src/wire/errors.js';
import { listPrefixes, isParsedFamily } from '../../src/wire/nlri.js';
import { makeCtx, maxMessageLength, type CodecCtx } from '../../src/wire/context.js';
import { afiSafiKey, AFI, SAFI } from '../../src/wire/iana.js';
import type { NlriBlock, UpdateMessage } from '../../src/wire/attribute-types.js';
import { exabgpSeeds, mrtSeeds, type Seed } from './helpers-corpus.js';
import { mutationArb, validUpdateArb } from './helpers-arbitraries.js';
import { assertClassified, mutate } from './helpers-mutate.js';

const SEED = 0x6d657368; // "mesh"
const MUTATION_RUNS = 200_000;
const VALID_RUNS = 20_000;

const SEEDS: readonly Seed[] = [...exabgpSeeds(), ...mrtSeeds(300)];

const ctxArb: fc.Arbitrary<CodecCtx> = fc
  .record({
    as4: fc.boolean(),
    external: fc.boolean(),
    extendedMessage: fc.boolean(),
    addPath: fc.subarray([afiSafiKey(AFI.IPV4, SAFI.UNICAST), afiSafiKey(AFI.IPV6, SAFI.UNICAST), afiSafiKey(AFI.IPV4, SAFI.MPLS_VPN)]),
  })
  .map((c) => makeCtx({ ...c, addPath: new Set(c.addPath) }));

function header(length: number): Buffer {
  const h = Buffer.alloc(19, 0xff);
  h.writeUInt16BE(length & 0xffff, 16);
  h[18] = 2;
  return h;
}

/** Blocks of the families we parse must iterate without throwing. */
function walkBlocks(u: UpdateMessage): void {
  const blocks: NlriBlock[] = [u.withdrawn, u.nlri];
  for (const a of u.attributes) {
    if (a.kind === 'mpReach') blocks.push(a.value.nlri);
    else if (a.kind === 'mpUnreach') blocks.push(a.value.withdrawn);
  }
  for (const b of blocks) if (isParsedFamily(b.afi, b.safi)) listPrefixes(b);
}

/** Every check on one (possibly mutated) UPDATE body. */
function checkBody(body: Buffer, ctx: CodecCtx, hdrDelta: number): void {
  const d = decodeUpdate(body, ctx);
  assertClassified(d, 'decodeUpdate');
  const c = classifyUpdate(body, ctx);
  assertClassified(c, 'classifyUpdate');
  assert.equal(c.ok, d.ok, 'classifyUpdate fails exactly when decodeUpdate does');
  if (d.ok && c.ok) {
    assert.ok(ACTION_RANK[c.action ?? 'attributeDiscard'] >= ACTION_RANK[d.action ?? 'attributeDiscard'] || d.action === null, 'the semantic pass never weakens the action');
    walkBlocks(d.update);
    walkBlocks(c.update);
    // What survives classification (attribute discard) is re-encoded on export: never a throw.
    encodeUpdate(c.update, ctx);
    if (d.action === null) {
      const again = encodeUpdate(d.update, ctx);
      assert.equal(again.subarray(19).toString('hex'), body.toString('hex'), 'a clean decode re-encodes to the same bytes');
      assert.equal(updateLength(d.update, ctx), 19 + body.length);
    }
  }
  // The whole message through the dispatcher, with a correct or a wrong length field.
  const total = 19 + body.length;
  if (total + hdrDelta > 0xffff) return;
  const m = decodeMessage(Buffer.concat([header(total + hdrDelta), body]), ctx);
  if (hdrDelta !== 0) {
    assert.ok(!m.ok && m.error.notification.code === 1 && m.error.notification.subcode === 2, 'a wrong length field is Bad Message Length');
  } else if (total > maxMessageLength(ctx) || total < 23) {
    assert.ok(!m.ok && m.error.notification.code === 1 && m.error.notification.subcode === 2, 'a message outside 23..max is Bad Message Length');
  } else if (!m.ok) {
    assert.ok(!d.ok, 'decodeMessage fails only where decodeUpdate does');
    assert.equal(m.error.reason, d.ok ? '' : d.error.reason);
  } else {
    assert.ok(d.ok && m.message.type === 'update' && m.message.action === d.action);
  }
}

describe('UPDATE fuzzing', () => {
  it(`seed corpus (${SEEDS.length} real UPDATEs) decodes and classifies`, () => {
    let clean = 0;
    for (const s of SEEDS) {
      checkBody(s.msg.subarray(19), s.ctx, 0);
      const d = decodeUpdate(s.msg.subarray(19), s.ctx);
      if (s.where.startsWith('mrt/')) assert.ok(d.ok && d.action === null, `${s.where} is clean`);
      if (d.ok && d.action === null) clean++;
    }
    assert.ok(clean >= SEEDS.length - 3, `${clean} of ${SEEDS.length} seeds clean`);
  });

  it(`${MUTATION_RUNS} mutations of real UPDATEs: never a throw, always an RFC 7606 outcome`, () => {
    fc.assert(
      fc.property(
        fc.nat({ max: SEEDS.length - 1 }),
        fc.array(mutationArb, { minLength: 1, maxLength: 4 }),
        fc.oneof({ weight: 9, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: -4, max: 4 }) }),
        // Mostly the seed's own context; sometimes another one (2-octet AS, eBGP, add-path...).
        fc.option(ctxArb, { nil: null, freq: 3 }),
        (i, mutations, hdrDelta, otherCtx) => {
          const seed = SEEDS[i] as Seed;
          let body = seed.msg.subarray(19);
          for (const m of mutations) body = mutate(body, m);
          checkBody(body, otherCtx ?? seed.ctx, hdrDelta);
        },
      ),
      { seed: SEED, numRuns: MUTATION_RUNS },
    );
  });

  it(`${VALID_RUNS} random well-formed UPDATEs round-trip: decode(encode(x)) = x`, () => {
    fc.assert(
      fc.property(validUpdateArb, ({ ctx, update }) => {
        const msg = encodeUpdate(update, ctx);
        assert.equal(msg.length, updateLength(update, ctx));
        const big = Buffer.alloc(msg.length + 9, 0x5a);
        assert.equal(encodeUpdateInto(update, big, 5, ctx), 5 + msg.length);
        assert.ok(big.subarray(5, 5 + msg.length).equals(msg), 'encoding at offset 5');
        const d = decodeUpdate(msg.subarray(19), ctx);
        assert.ok(d.ok, d.ok ? '' : d.error.detail);
        assert.deepEqual(d.errors.map((e) => e.detail), []);
        // A sender sets Extended Length on values over 255 octets; the codec does too.
        const expected = { ...update, attributes: update.attributes.map((a) => ({ ...a, flags: encodeAttributes([a], ctx)[0] as number })) };
        assert.deepEqual(d.update, expected);
        const c = classifyUpdate(msg.subarray(19), ctx);
        assert.ok(c.ok && c.action === null, c.ok ? c.errors.map((e) => e.reason).join(', ') : c.error.reason);
      }),
      { seed: SEED, numRuns: VALID_RUNS },
    );
  });
});
