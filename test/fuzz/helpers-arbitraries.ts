/**
 * fast-check arbitraries: well-formed UPDATEs built from typed attributes (every kind the
 * codec interprets, plus unknown optional ones kept raw) and random IPv4 / IPv6 prefixes,
 * and byte-level mutations of real UPDATEs.
 */
import fc from 'fast-check';
import type { AsPathSegment, NlriBlock, PathAttribute, UpdateMessage } from '../../src/wire/attribute-types.js';
import { makeCtx, type CodecCtx } from '../../src/wire/context.js';
import { afiSafiKey, AFI, SAFI } from '../../src/wire/iana.js';

const u32 = fc.nat({ max: 0xffffffff });
const bytes = (min: number, max: number): fc.Arbitrary<Buffer> => fc.uint8Array({ minLength: min, maxLength: max }).map((a) => Buffer.from(a));

/** One prefix in wire form (length octet + the octets it needs), bits past the length zero. */
function prefixArb(maxBits: 32 | 128): fc.Arbitrary<Buffer> {
  return fc.tuple(fc.nat({ max: maxBits }), bytes(maxBits / 8, maxBits / 8)).map(([bits, addr]) => {
    const n = (bits + 7) >> 3;
    const out = Buffer.alloc(1 + n);
    out[0] = bits;
    addr.copy(out, 1, 0, n);
    if (bits % 8 !== 0) out[n] = (out[n] as number) & (0xff << (8 - (bits % 8)));
    return out;
  });
}

/** NLRI bytes: 0..n prefixes, each with a 4-octet path identifier when `addPath`. */
function nlriArb(afi: number, addPath: boolean, maxCount: number): fc.Arbitrary<NlriBlock> {
  const one = addPath ? fc.tuple(u32, prefixArb(afi === AFI.IPV4 ? 32 : 128)).map(([id, p]) => Buffer.concat([Buffer.from([id >>> 24, (id >>> 16) & 0xff, (id >>> 8) & 0xff, id & 0xff]), p])) : prefixArb(afi === AFI.IPV4 ? 32 : 128);
  return fc.array(one, { maxLength: maxCount }).map((ps) => ({ afi, safi: SAFI.UNICAST, addPath, bytes: Buffer.concat(ps) }));
}

function segmentArb(maxAsn: number, types: readonly number[]): fc.Arbitrary<AsPathSegment> {
  return fc.record({ type: fc.constantFrom(...types), asns: fc.array(fc.integer({ min: 1, max: maxAsn }), { minLength: 1, maxLength: 12 }) }, { noNullPrototype: true });
}

/** Codes with no row in the attribute table, for unknown optional attributes. */
const UNKNOWN_CODES = [11, 12, 13, 19, 20, 21, 22, 23, 24, 27, 28, 29, 30, 31, 33, 34, 36, 40, 99, 128, 200, 254];

/** Flags as a speaker would send them; Extended Length sometimes set on short values (legal). */
function flagsArb(base: number): fc.Arbitrary<number> {
  return fc.boolean().map((ext) => (ext ? base | 0x10 : base));
}

function attr<K extends PathAttribute['kind']>(kind: K, code: number, base: number, value: fc.Arbitrary<Extract<PathAttribute, { kind: K }>['value']>): fc.Arbitrary<PathAttribute> {
  return fc.tuple(flagsArb(base), value).map(([flags, v]) => ({ kind, code, flags, value: v }) as PathAttribute);
}

export interface ValidCase {
  readonly ctx: CodecCtx;
  readonly update: UpdateMessage;
}

/** A well-formed UPDATE with its context: random attributes of each kind and random prefixes. */
export const validUpdateArb: fc.Arbitrary<ValidCase> = fc
  .record({ as4: fc.boolean(), v4AddPath: fc.boolean(), v6AddPath: fc.boolean() })
  .chain(({ as4, v4AddPath, v6AddPath }) => {
    const maxAsn = as4 ? 0xffffffff : 0xffff;
    const addPath = new Set<number>();
    if (v4AddPath) addPath.add(afiSafiKey(AFI.IPV4, SAFI.UNICAST));
    if (v6AddPath) addPath.add(afiSafiKey(AFI.IPV6, SAFI.UNICAST));
    const ctx = makeCtx({ as4, addPath });
    const optional = (a: fc.Arbitrary<PathAttribute>): fc.Arbitrary<PathAttribute | null> => fc.option(a, { nil: null, freq: 2 });
    const aggregator = fc.record({ asn: fc.integer({ min: 1, max: maxAsn }), address: u32 }, { noNullPrototype: true });
    const mpReach = fc
      .tuple(fc.constantFrom(16, 32), nlriArb(AFI.IPV6, v6AddPath, 8))
      .chain(([nhLen, nlri]) => bytes(nhLen, nhLen).map((nextHop) => ({ afi: AFI.IPV6, safi: SAFI.UNICAST, nextHop, reserved: Buffer.from([0]), nlri })));
    const mpUnreach = nlriArb(AFI.IPV6, v6AddPath, 8).map((withdrawn) => ({ afi: AFI.IPV6, safi: SAFI.UNICAST, withdrawn }));
    const parts: fc.Arbitrary<PathAttribute | null>[] = [
      attr('origin', 1, 0x40, fc.nat({ max: 2 })),
      attr('asPath', 2, 0x40, fc.array(segmentArb(maxAsn, [1, 2, 3, 4]), { maxLength: 4 })),
      attr('nextHop', 3, 0x40, u32),
      optional(attr('med', 4, 0x80, u32)),
      optional(attr('localPref', 5, 0x40, u32)),
      optional(attr('atomicAggregate', 6, 0x40, fc.constant(null))),
      optional(attr('aggregator', 7, 0xc0, aggregator)),
      optional(attr('communities', 8, 0xc0, fc.array(u32, { minLength: 1, maxLength: 20 }))),
      optional(attr('originatorId', 9, 0x80, u32)),
      optional(attr('clusterList', 10, 0x80, fc.array(u32, { minLength: 1, maxLength: 8 }))),
      optional(attr('mpReach', 14, 0x80, mpReach)),
      optional(attr('mpUnreach', 15, 0x80, mpUnreach)),
      optional(attr('extendedCommunities', 16, 0xc0, fc.nat({ max: 6 }).chain((n) => bytes(8 * (n + 1), 8 * (n + 1))))),
      // AS4_PATH / AS4_AGGREGATOR only from a 2-octet speaker (RFC 6793 §3), no confed segments (§6).
      as4 ? fc.constant(null) : optional(attr('as4Path', 17, 0xc0, fc.array(segmentArb(0xffffffff, [1, 2]), { minLength: 1, maxLength: 3 }))),
      as4 ? fc.constant(null) : optional(attr('as4Aggregator', 18, 0xc0, fc.record({ asn: fc.integer({ min: 1, max: 0xffffffff }), address: u32 }, { noNullPrototype: true }))),
      optional(attr('ipv6ExtendedCommunities', 25, 0xc0, fc.nat({ max: 3 }).chain((n) => bytes(20 * (n + 1), 20 * (n + 1))))),
      optional(attr('aigp', 26, 0x80, bytes(8, 8).map((m) => Buffer.concat([Buffer.from([1, 0, 11]), m])))),
      optional(attr('largeCommunities', 32, 0xc0, fc.array(fc.tuple(u32, u32, u32), { minLength: 1, maxLength: 6 }).map((t) => t.flat()))),
      optional(attr('onlyToCustomer', 35, 0xc0, fc.integer({ min: 1, max: maxAsn }))),
    ];
    const unknown = fc.uniqueArray(
      fc.record({ code: fc.constantFrom(...UNKNOWN_CODES), flags: fc.constantFrom(0xc0, 0xe0, 0x80, 0xd0), value: bytes(0, 40) }),
      { maxLength: 3, selector: (u) => u.code },
    );
    return fc.tuple(fc.tuple(...parts), unknown, nlriArb(AFI.IPV4, v4AddPath, 20), nlriArb(AFI.IPV4, v4AddPath, 20)).map(([known, other, withdrawn, nlri]) => {
      const attributes: PathAttribute[] = [...known.filter((a): a is PathAttribute => a !== null), ...other.map((o) => ({ kind: 'other' as const, code: o.code, flags: o.flags, value: o.value }))];
      return { ctx, update: { withdrawn, attributes, nlri } };
    });
  });

/** A byte-level edit; positions are taken modulo the length of what it edits. */
export type ByteEdit =
  | { readonly kind: 'set'; readonly at: number; readonly value: number }
  | { readonly kind: 'xor'; readonly at: number; readonly mask: number }
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'insert'; readonly at: number; readonly bytes: readonly number[] }
  | { readonly kind: 'delete'; readonly at: number; readonly count: number };

/** One edit of an UPDATE body: anywhere, in a length field, or inside one attribute's value (lengths then fixed up). */
export type Mutation =
  | ByteEdit
  | { readonly kind: 'field'; readonly which: 'withdrawnLength' | 'attributesLength' | 'attributeLength' | 'attributeFlags' | 'prefixLength'; readonly index: number; readonly delta: number }
  | { readonly kind: 'value'; readonly index: number; readonly edit: ByteEdit };

const at = fc.nat({ max: 1 << 16 });
const delta = fc.oneof(fc.integer({ min: -40, max: 40 }), fc.constantFrom(0x7f, 0x80, 0xff, 0x100, 0xffff, -0xff));

const byteEditArb: fc.Arbitrary<ByteEdit> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at, value: fc.nat({ max: 255 }) }),
  fc.record({ kind: fc.constant('xor' as const), at, mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at }),
  fc.record({ kind: fc.constant('insert' as const), at, bytes: fc.array(fc.nat({ max: 255 }), { minLength: 1, maxLength: 12 }) }),
  fc.record({ kind: fc.constant('delete' as const), at, count: fc.integer({ min: 1, max: 12 }) }),
);

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 3, arbitrary: byteEditArb },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('field' as const),
      which: fc.constantFrom('withdrawnLength' as const, 'attributesLength' as const, 'attributeLength' as const, 'attributeFlags' as const, 'prefixLength' as const),
      index: fc.nat({ max: 16 }),
      delta,
    }),
  },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('value' as const), index: fc.nat({ max: 16 }), edit: byteEditArb }) },
);
