/**
 * The path attribute table (STYLE.md §3): one row per attribute code with the expected
 * Optional/Transitive flags, the RFC 7606 action on error, a decoder and an encoder. The
 * scanning, duplicate and framing rules that use it live in ../attributes.ts.
 */
import { ATTR, FLAG, UPDATE_SUB } from '../iana.js';
import type { CodecCtx } from '../context.js';
import type { ErrorAction } from '../errors.js';
import type { Aggregator, AsPath, MpReach, MpUnreach, PathAttribute } from '../attribute-types.js';
import { asPathLength, decodeAsPath, encodeAsPathInto, hasConfedSegments } from './as-path.js';
import { decodeMpReach, decodeMpUnreach, encodeMpReachInto, encodeMpUnreachInto, mpReachLength, mpUnreachLength } from './mp.js';
import { type AttrFault, fault, isFault } from './fault.js';

type Decoded = PathAttribute | AttrFault;

export interface Row {
  readonly name: string;
  /** Expected Optional and Transitive bits (FLAG.OPTIONAL | FLAG.TRANSITIVE mask). */
  readonly flags: number;
  /** RFC 7606 action for a malformed value or wrong flags. */
  readonly action: ErrorAction;
  decode(v: Buffer, flags: number, ctx: CodecCtx, mrtRib: boolean): Decoded;
  length(a: PathAttribute, ctx: CodecCtx, mrtRib: boolean): number;
  encode(a: PathAttribute, buf: Buffer, offset: number, ctx: CodecCtx, mrtRib: boolean): number;
}

const WK = FLAG.TRANSITIVE; // well-known: Optional 0, Transitive 1
const OPT_T = FLAG.OPTIONAL | FLAG.TRANSITIVE;
const OPT_NT = FLAG.OPTIONAL;

function u32(
  kind: 'nextHop' | 'med' | 'localPref' | 'originatorId' | 'onlyToCustomer',
  code: 3 | 4 | 5 | 9 | 35,
  name: string,
  flags: number,
  reason: 'nextHopSyntax' | 'attributeLength' | 'originatorIdSyntax' | 'otcSyntax',
  subcode: number,
): Row {
  return {
    name,
    flags,
    action: 'treatAsWithdraw',
    decode(v, fl) {
      if (v.length !== 4) return fault(reason, subcode, `${name} of ${v.length} octets`);
      return { kind, code, flags: fl, value: v.readUInt32BE(0) } as PathAttribute;
    },
    length: () => 4,
    encode(a, buf, off) {
      buf.writeUInt32BE((a.value as number) >>> 0, off);
      return off + 4;
    },
  };
}

function u32List(kind: 'communities' | 'clusterList', code: 8 | 10, name: string, flags: number, reason: 'communitiesSyntax' | 'clusterListSyntax'): Row {
  return {
    name,
    flags,
    action: 'treatAsWithdraw',
    decode(v, fl) {
      // RFC 7606 §7.8 / §7.10: a length that is not a non-zero multiple of 4.
      if (v.length === 0 || v.length % 4 !== 0) return fault(reason, UPDATE_SUB.OPTIONAL_ATTRIBUTE_ERROR, `${name} of ${v.length} octets`);
      const n = v.length >> 2;
      const out = new Array<number>(n);
      for (let i = 0; i < n; i++) out[i] = v.readUInt32BE(i * 4);
      return { kind, code, flags: fl, value: out } as PathAttribute;
    },
    length: (a) => (a.value as readonly number[]).length * 4,
    encode(a, buf, off) {
      for (const c of a.value as readonly number[]) {
        buf.writeUInt32BE(c >>> 0, off);
        off += 4;
      }
      return off;
    },
  };
}

function rawMultiple(kind: 'extendedCommunities' | 'ipv6ExtendedCommunities', code: 16 | 25, name: string, unit: number): Row {
  return {
    name,
    flags: OPT_T,
    action: 'treatAsWithdraw',
    decode(v, fl) {
      // RFC 7606 §7.14 (extended communities), RFC 5701 + RFC 7606 §7.15 (IPv6-address-specific).
      if (v.length === 0 || v.length % unit !== 0) {
        return fault('extendedCommunitiesSyntax', UPDATE_SUB.OPTIONAL_ATTRIBUTE_ERROR, `${name} of ${v.length} octets`);
      }
      return { kind, code, flags: fl, value: v } as PathAttribute;
    },
    length: (a) => (a.value as Buffer).length,
    encode: (a, buf, off) => off + (a.value as Buffer).copy(buf, off),
  };
}

function aggregatorRow(kind: 'aggregator' | 'as4Aggregator', code: 7 | 18, name: string): Row {
  const width = (ctx: CodecCtx): 2 | 4 => (kind === 'as4Aggregator' || ctx.as4 ? 4 : 2);
  return {
    name,
    flags: OPT_T,
    // RFC 7606 §7.7 (AGGREGATOR), RFC 6793 §6 (AS4_AGGREGATOR): attribute discard.
    action: 'attributeDiscard',
    decode(v, fl, ctx) {
      const w = width(ctx);
      if (v.length !== w + 4) return fault('aggregatorSyntax', UPDATE_SUB.ATTRIBUTE_LENGTH_ERROR, `${name} of ${v.length} octets, expected ${w + 4}`);
      const asn = w === 4 ? v.readUInt32BE(0) : v.readUInt16BE(0);
      const value: Aggregator = { asn, address: v.readUInt32BE(w) };
      return { kind, code, flags: fl, value } as PathAttribute;
    },
    length: (_a, ctx) => width(ctx) + 4,
    encode(a, buf, off, ctx) {
      const g = a.value as Aggregator;
      if (width(ctx) === 4) {
        buf.writeUInt32BE(g.asn >>> 0, off);
        off += 4;
      } else {
        buf.writeUInt16BE(g.asn > 0xffff ? 23456 : g.asn, off);
        off += 2;
      }
      buf.writeUInt32BE(g.address >>> 0, off);
      return off + 4;
    },
  };
}

const ROW_LIST: readonly (readonly [number, Row])[] = [
  [
    ATTR.ORIGIN,
    {
      name: 'ORIGIN',
      flags: WK,
      action: 'treatAsWithdraw', // RFC 7606 §7.1
      decode(v, fl) {
        if (v.length !== 1) return fault('attributeLength', UPDATE_SUB.ATTRIBUTE_LENGTH_ERROR, `ORIGIN of ${v.length} octets`);
        const o = v[0] as number;
        if (o > 2) return fault('originValue', UPDATE_SUB.INVALID_ORIGIN_ATTRIBUTE, `ORIGIN value ${o}`);
        return { kind: 'origin', code: 1, flags: fl, value: o };
      },
      length: () => 1,
      encode(a, buf, off) {
        buf[off] = a.value as number;
        return off + 1;
      },
    },
  ],
  [
    ATTR.AS_PATH,
    {
      name: 'AS_PATH',
      flags: WK,
      action: 'treatAsWithdraw', // RFC 7606 §7.2
      decode(v, fl, ctx) {
        const path = decodeAsPath(v, ctx.as4 ? 4 : 2);
        return isFault(path) ? path : { kind: 'asPath', code: 2, flags: fl, value: path };
      },
      length: (a, ctx) => asPathLength(a.value as AsPath, ctx.as4 ? 4 : 2),
      encode: (a, buf, off, ctx) => encodeAsPathInto(a.value as AsPath, ctx.as4 ? 4 : 2, buf, off),
    },
  ],
  [ATTR.NEXT_HOP, u32('nextHop', 3, 'NEXT_HOP', WK, 'nextHopSyntax', UPDATE_SUB.ATTRIBUTE_LENGTH_ERROR)], // RFC 7606 §7.3
  [ATTR.MULTI_EXIT_DISC, u32('med', 4, 'MULTI_EXIT_DISC', OPT_NT, 'attributeLength', UPDATE_SUB.ATTRIBUTE_LENGTH_ERROR)], // §7.4
  [
    ATTR.LOCAL_PREF,
    // RFC 7606 §7.5; LOCAL_PREF from an external peer is a semantic rule (../validate.ts).
    u32('localPref', 5, 'LOCAL_PREF', WK, 'attributeLength', UPDATE_SUB.ATTRIBUTE_LENGTH_ERROR),
  ],
  [
    ATTR.ATOMIC_AGGREGATE,
    {
      name: 'ATOMIC_AGGREGATE',
      flags: WK,
      action: 'attributeDiscard', // RFC 7606 §7.6
      decode(v, fl) {
        if (v.length !== 0) return fault('attributeLength', UPDATE_SUB.ATTRIBUTE_LENGTH_ERROR, `ATOMIC_AGGREGATE of ${v.length} octets`);
        return { kind: 'atomicAggregate', code: 6, flags: fl, value: null };
      },
      length: () => 0,
      encode: (_a, _buf, off) => off,
    },
  ],
  [ATTR.AGGREGATOR, aggregatorRow('aggregator', 7, 'AGGREGATOR')],
  [ATTR.COMMUNITIES, u32List('communities', 8, 'COMMUNITIES', OPT_T, 'communitiesSyntax')],
  [ATTR.ORIGINATOR_ID, u32('originatorId', 9, 'ORIGINATOR_ID', OPT_NT, 'originatorIdSyntax', UPDATE_SUB.ATTRIBUTE_LENGTH_ERROR)], // §7.9
  [ATTR.CLUSTER_LIST, u32List('clusterList', 10, 'CLUSTER_LIST', OPT_NT, 'clusterListSyntax')],
  [
    ATTR.MP_REACH_NLRI,
    {
      name: 'MP_REACH_NLRI',
      flags: OPT_NT,
      action: 'sessionReset', // RFC 7606 §5.3, §7.11
      decode(v, fl, ctx, mrtRib) {
        const m = decodeMpReach(v, ctx, mrtRib);
        return isFault(m) ? m : { kind: 'mpReach', code: 14, flags: fl, value: m };
      },
      length: (a, _ctx, mrtRib) => mpReachLength(a.value as MpReach, mrtRib),
      encode: (a, buf, off, _ctx, mrtRib) => encodeMpReachInto(a.value as MpReach, buf, off, mrtRib),
    },
  ],
  [
    ATTR.MP_UNREACH_NLRI,
    {
      name: 'MP_UNREACH_NLRI',
      flags: OPT_NT,
      action: 'sessionReset', // RFC 7606 §5.3, §7.12
      decode(v, fl, ctx) {
        const m = decodeMpUnreach(v, ctx);
        return isFault(m) ? m : { kind: 'mpUnreach', code: 15, flags: fl, value: m };
      },
      length: (a) => mpUnreachLength(a.value as MpUnreach),
      encode: (a, buf, off) => encodeMpUnreachInto(a.value as MpUnreach, buf, off),
    },
  ],
  [ATTR.EXTENDED_COMMUNITIES, rawMultiple('extendedCommunities', 16, 'EXTENDED_COMMUNITIES', 8)],
  [
    ATTR.AS4_PATH,
    {
      name: 'AS4_PATH',
      flags: OPT_T,
      action: 'attributeDiscard', // RFC 6793 §6
      decode(v, fl) {
        const path = decodeAsPath(v, 4);
        if (isFault(path)) return path;
        // RFC 6793 §6: confederation segments in AS4_PATH make it malformed.
        if (hasConfedSegments(path)) return fault('asPathSyntax', UPDATE_SUB.MALFORMED_AS_PATH, 'confederation segment in AS4_PATH');
        return { kind: 'as4Path', code: 17, flags: fl, value: path };
      },
      length: (a) => asPathLength(a.value as AsPath, 4),
      encode: (a, buf, off) => encodeAsPathInto(a.value as AsPath, 4, buf, off),
    },
  ],
  [ATTR.AS4_AGGREGATOR, aggregatorRow('as4Aggregator', 18, 'AS4_AGGREGATOR')],
  [ATTR.IPV6_EXTENDED_COMMUNITIES, rawMultiple('ipv6ExtendedCommunities', 25, 'IPV6_EXTENDED_COMMUNITIES', 20)],
  [
    ATTR.AIGP,
    {
      name: 'AIGP',
      flags: OPT_NT,
      action: 'attributeDiscard', // RFC 7311 §3.1... malformed AIGP is discarded
      decode(v, fl) {
        let p = 0;
        while (p < v.length) {
          if (p + 3 > v.length) return fault('aigpSyntax', UPDATE_SUB.OPTIONAL_ATTRIBUTE_ERROR, 'AIGP TLV header truncated');
          const type = v[p] as number;
          const len = v.readUInt16BE(p + 1);
          if (len < 3 || p + len > v.length) return fault('aigpSyntax', UPDATE_SUB.OPTIONAL_ATTRIBUTE_ERROR, `AIGP TLV length ${len}`);
          if (type === 1 && len !== 11) return fault('aigpSyntax', UPDATE_SUB.OPTIONAL_ATTRIBUTE_ERROR, `AIGP metric TLV length ${len}`);
          p += len;
        }
        return { kind: 'aigp', code: 26, flags: fl, value: v };
      },
      length: (a) => (a.value as Buffer).length,
      encode: (a, buf, off) => off + (a.value as Buffer).copy(buf, off),
    },
  ],
  [
    ATTR.LARGE_COMMUNITY,
    {
      name: 'LARGE_COMMUNITY',
      flags: OPT_T,
      action: 'treatAsWithdraw', // RFC 8092 §6
      decode(v, fl) {
        if (v.length === 0 || v.length % 12 !== 0) return fault('largeCommunitySyntax', UPDATE_SUB.OPTIONAL_ATTRIBUTE_ERROR, `LARGE_COMMUNITY of ${v.length} octets`);
        const n = v.length >> 2;
        const out = new Array<number>(n);
        for (let i = 0; i < n; i++) out[i] = v.readUInt32BE(i * 4);
        return { kind: 'largeCommunities', code: 32, flags: fl, value: out };
      },
      length: (a) => (a.value as readonly number[]).length * 4,
      encode(a, buf, off) {
        for (const c of a.value as readonly number[]) {
          buf.writeUInt32BE(c >>> 0, off);
          off += 4;
        }
        return off;
      },
    },
  ],
  [ATTR.ONLY_TO_CUSTOMER, u32('onlyToCustomer', 35, 'ONLY_TO_CUSTOMER', OPT_T, 'otcSyntax', UPDATE_SUB.ATTRIBUTE_LENGTH_ERROR)], // RFC 9234 §5
];

/** The table indexed by attribute code (an array: the decode loop looks a row up per attribute). */
export const ROWS: readonly (Row | undefined)[] = (() => {
  const t = new Array<Row | undefined>(256).fill(undefined);
  for (const [code, row] of ROW_LIST) t[code] = row;
  return t;
})();
