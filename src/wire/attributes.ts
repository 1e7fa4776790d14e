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
import type { PathAttribute } from './attribute-types.js';
import { isFault } from './attrs/fault.js';
import { ROWS } from './attrs/table.js';

export interface AttrOpts {
  /** MRT TABLE_DUMP_V2 RIB entry: abbreviated MP_REACH_NLRI (RFC 6396 §4.3.4). */
  readonly mrtRib?: boolean;
}

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
