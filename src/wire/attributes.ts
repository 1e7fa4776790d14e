/**
 * Path attributes (RFC 4271 §4.3, §5): one table row per attribute code with the expected
 * Optional/Transitive flags, the RFC 7606 action on error, a decoder and an encoder
 * (STYLE.md §3). `decodeAttributes` scans the whole attribute field, keeps going past
 * non-fatal errors and reports the strongest action (RFC 7606 §3). `encodeAttributesInto`
 * writes the attributes back with the flags they arrived with, so a decoded set re-encodes
 * to identical bytes.
 *
 * RFC 7606 choices, each cited where it is made:
 * - flags conflicting with the type: treat-as-withdraw (§3c), attribute discard for the
 *   attributes whose own rule is discard (ATOMIC_AGGREGATE, AGGREGATOR, AS4_*, AIGP);
 *   MP_REACH/MP_UNREACH with wrong flags are decoded anyway so their NLRI is withdrawn
 *   (a value that does not parse is a session reset);
 * - attribute header or value overrunning the field: treat-as-withdraw (§4), session reset
 *   when it is MP_REACH/MP_UNREACH (their NLRI cannot be located, §5.3);
 * - duplicate MP_REACH/MP_UNREACH: session reset, Malformed Attribute List (§3g); any other
 *   duplicate: later copies discarded (§3g);
 * - unrecognized well-known attribute: treat-as-withdraw (RFC 7606 has no rule; BIRD does
 *   this, and it keeps the session up);
 * - unknown optional attributes are kept byte-exact; the export side sets Partial on
 *   transitive ones and drops non-transitive ones (RFC 4271 §5).
 */
import { ATTR, FLAG, UPDATE_SUB } from './iana.js';
import type { CodecCtx } from './context.js';
import { type ErrorAction, type WireError, strongerAction, updateError } from './errors.js';
import type { Aggregator, AsPath, MpReach, MpUnreach, PathAttribute } from './attribute-types.js';
import { asPathLength, decodeAsPath, encodeAsPathInto, hasConfedSegments } from './attrs/as-path.js';
import { decodeMpReach, decodeMpUnreach, encodeMpReachInto, encodeMpUnreachInto, mpReachLength, mpUnreachLength } from './attrs/mp.js';
import { type AttrFault, fault, isFault } from './attrs/fault.js';

export interface AttrOpts {
  /** MRT TABLE_DUMP_V2 RIB entry: abbreviated MP_REACH_NLRI (RFC 6396 §4.3.4). */
  readonly mrtRib?: boolean;
}

type Decoded = PathAttribute | AttrFault;

interface Row {
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
const ROWS: readonly (Row | undefined)[] = (() => {
  const t = new Array<Row | undefined>(256).fill(undefined);
  for (const [code, row] of ROW_LIST) t[code] = row;
  return t;
})();

/** Name of an attribute code for logs ("AS_PATH", "attribute 99"). */
export function attributeName(code: number): string {
  return ROWS[code]?.name ?? `attribute ${code}`;
}

export type AttributesDecodeResult =
  | {
      readonly ok: true;
      readonly attributes: readonly PathAttribute[];
      /** Strongest non-fatal action found, or null when the field was clean. */
      readonly action: ErrorAction | null;
      readonly errors: readonly WireError[];
    }
  | { readonly ok: false; readonly error: WireError; readonly errors: readonly WireError[] };

const NO_ERRORS: readonly WireError[] = Object.freeze([]);

/**
 * Decodes a whole path attribute field. Never throws. `ok: false` means session reset;
 * otherwise `action` says what the caller must do with the UPDATE's NLRI.
 */
export function decodeAttributes(buf: Buffer, ctx: CodecCtx, opts?: AttrOpts): AttributesDecodeResult {
  const mrtRib = opts?.mrtRib === true;
  const attributes: PathAttribute[] = [];
  let errors: WireError[] | null = null;
  let action: ErrorAction | null = null;
  let seen0 = 0; // bitmap of codes 0..31 seen
  let seenHigh: number[] | null = null; // codes >= 32 seen
  const end = buf.length;
  let p = 0;
  while (p < end) {
    // RFC 7606 §4: an attribute header or value that does not fit the field.
    if (end - p < 3 || (((buf[p] as number) & FLAG.EXTENDED_LENGTH) !== 0 && end - p < 4)) {
      const e = updateError('attributeHeaderTruncated', 'treatAsWithdraw', UPDATE_SUB.MALFORMED_ATTRIBUTE_LIST, `${end - p} stray octets at the end of the attribute field`);
      (errors ??= []).push(e);
      action = action === null ? e.action : strongerAction(action, e.action);
      break;
    }
    const flags = buf[p] as number;
    const code = buf[p + 1] as number;
    const ext = (flags & FLAG.EXTENDED_LENGTH) !== 0;
    const hdr = ext ? 4 : 3;
    const len = ext ? buf.readUInt16BE(p + 2) : (buf[p + 2] as number);
    if (p + hdr + len > end) {
      const isMp = code === ATTR.MP_REACH_NLRI || code === ATTR.MP_UNREACH_NLRI;
      const e = updateError(
        'attributeLengthOverrun',
        isMp ? 'sessionReset' : 'treatAsWithdraw',
        UPDATE_SUB.ATTRIBUTE_LENGTH_ERROR,
        `${attributeName(code)} length ${len} overruns the attribute field by ${p + hdr + len - end} octets`,
        code,
        Buffer.from(buf.subarray(p)),
      );
      if (isMp) return { ok: false, error: e, errors: [...(errors ?? []), e] };
      (errors ??= []).push(e);
      action = action === null ? e.action : strongerAction(action, e.action);
      break;
    }
    const start = p;
    const value = buf.subarray(p + hdr, p + hdr + len);
    p += hdr + len;

    // RFC 7606 §3g: duplicates.
    let dup: boolean;
    if (code < 32) {
      dup = (seen0 & (1 << code)) !== 0;
      seen0 |= 1 << code;
    } else {
      seenHigh ??= [];
      dup = seenHigh.includes(code);
      if (!dup) seenHigh.push(code);
    }
    if (dup) {
      if (code === ATTR.MP_REACH_NLRI || code === ATTR.MP_UNREACH_NLRI) {
        const e = updateError('duplicateMpAttribute', 'sessionReset', UPDATE_SUB.MALFORMED_ATTRIBUTE_LIST, `${attributeName(code)} appears twice`, code);
        return { ok: false, error: e, errors: [...(errors ?? []), e] };
      }
      (errors ??= []).push(updateError('duplicateAttribute', 'attributeDiscard', UPDATE_SUB.MALFORMED_ATTRIBUTE_LIST, `${attributeName(code)} appears twice; later copy discarded`, code));
      action = action === null ? 'attributeDiscard' : strongerAction(action, 'attributeDiscard');
      continue;
    }

    const row = ROWS[code];
    if (row === undefined) {
      if ((flags & FLAG.OPTIONAL) === 0) {
        (errors ??= []).push(updateError('unrecognizedWellKnown', 'treatAsWithdraw', UPDATE_SUB.UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE, `unrecognized well-known attribute ${code}`, code, Buffer.from(buf.subarray(start, p))));
        action = action === null ? 'treatAsWithdraw' : strongerAction(action, 'treatAsWithdraw');
        continue;
      }
      attributes.push({ kind: 'other', code, flags, value });
      continue;
    }
    // RFC 7606 §3c: Optional/Transitive bits must match the type. MP_REACH/MP_UNREACH with
    // wrong flags are still decoded: their NLRI can be located, so treat-as-withdraw applies
    // to them; only a value that does not parse makes it a session reset.
    if ((flags & (FLAG.OPTIONAL | FLAG.TRANSITIVE)) !== row.flags) {
      const isMp = code === ATTR.MP_REACH_NLRI || code === ATTR.MP_UNREACH_NLRI;
      const a: ErrorAction = isMp ? 'treatAsWithdraw' : row.action;
      const e = updateError('attributeFlags', a, UPDATE_SUB.ATTRIBUTE_FLAGS_ERROR, `${row.name} flags 0x${flags.toString(16)}`, code, Buffer.from(buf.subarray(start, p)));
      if (isMp) {
        const d = row.decode(value, flags, ctx, mrtRib);
        if (isFault(d)) {
          const r = updateError(d.reason, 'sessionReset', d.subcode, d.detail, code, Buffer.from(buf.subarray(start, p)));
          return { ok: false, error: r, errors: [...(errors ?? []), e, r] };
        }
        attributes.push(d);
      }
      (errors ??= []).push(e);
      action = action === null ? a : strongerAction(action, a);
      continue;
    }
    const d = row.decode(value, flags, ctx, mrtRib);
    if (isFault(d)) {
      const a = d.action ?? row.action;
      const e = updateError(d.reason, a, d.subcode, d.detail, code, Buffer.from(buf.subarray(start, p)));
      if (a === 'sessionReset') return { ok: false, error: e, errors: [...(errors ?? []), e] };
      (errors ??= []).push(e);
      action = action === null ? a : strongerAction(action, a);
      continue;
    }
    attributes.push(d);
  }
  return { ok: true, attributes, action, errors: errors ?? NO_ERRORS };
}

function valueLength(a: PathAttribute, ctx: CodecCtx, mrtRib: boolean): number {
  const row = a.kind === 'other' ? undefined : ROWS[a.code];
  return row === undefined ? (a.value as Buffer).length : row.length(a, ctx, mrtRib);
}

/** Encoded length of one attribute, header included. Extended Length is used when the flags ask or the value needs it. */
export function attributeLength(a: PathAttribute, ctx: CodecCtx, opts?: AttrOpts): number {
  const len = valueLength(a, ctx, opts?.mrtRib === true);
  return len + ((a.flags & FLAG.EXTENDED_LENGTH) !== 0 || len > 255 ? 4 : 3);
}

/** Encoded length of a list of attributes. */
export function attributesLength(list: readonly PathAttribute[], ctx: CodecCtx, opts?: AttrOpts): number {
  let n = 0;
  for (const a of list) n += attributeLength(a, ctx, opts);
  return n;
}

/** Writes one attribute at `offset`; returns the offset after it. */
export function encodeAttributeInto(a: PathAttribute, buf: Buffer, offset: number, ctx: CodecCtx, opts?: AttrOpts): number {
  const mrtRib = opts?.mrtRib === true;
  const len = valueLength(a, ctx, mrtRib);
  const ext = (a.flags & FLAG.EXTENDED_LENGTH) !== 0 || len > 255;
  buf[offset] = ext ? a.flags | FLAG.EXTENDED_LENGTH : a.flags;
  buf[offset + 1] = a.code;
  let p: number;
  if (ext) {
    buf.writeUInt16BE(len, offset + 2);
    p = offset + 4;
  } else {
    buf[offset + 2] = len;
    p = offset + 3;
  }
  const row = a.kind === 'other' ? undefined : ROWS[a.code];
  const after = row === undefined ? p + (a.value as Buffer).copy(buf, p) : row.encode(a, buf, p, ctx, mrtRib);
  if (after !== p + len) throw new Error(`encoder for ${attributeName(a.code)} wrote ${after - p} octets, expected ${len}`);
  return after;
}

/** Writes a list of attributes; returns the offset after the last. */
export function encodeAttributesInto(list: readonly PathAttribute[], buf: Buffer, offset: number, ctx: CodecCtx, opts?: AttrOpts): number {
  let p = offset;
  for (const a of list) p = encodeAttributeInto(a, buf, p, ctx, opts);
  return p;
}

/** Encodes a list of attributes into a new Buffer. */
export function encodeAttributes(list: readonly PathAttribute[], ctx: CodecCtx, opts?: AttrOpts): Buffer {
  const buf = Buffer.allocUnsafe(attributesLength(list, ctx, opts));
  encodeAttributesInto(list, buf, 0, ctx, opts);
  return buf;
}
