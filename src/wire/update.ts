/**
 * UPDATE message (RFC 4271 §4.3) decode and encode, with the message-level RFC 7606 rules:
 * field lengths that do not add up (§4, session reset: the NLRI cannot be located),
 * malformed IPv4 NLRI (§5.3, session reset), missing well-known attributes (§3d,
 * treat-as-withdraw), and the per-attribute rules of ./attributes.ts.
 *
 * Missing well-known attributes are checked only when the UPDATE announces something (IPv4
 * NLRI or MP_REACH_NLRI): a withdraw-only UPDATE needs no attributes (RFC 4271 §4.3,
 * RFC 4760 §4). NEXT_HOP is required only with IPv4 NLRI (RFC 4760 §3). LOCAL_PREF is not
 * required on iBGP: like BIRD and FRR we accept its absence (the decision process then uses
 * the default).
 */
import { ATTR, HEADER_LENGTH, MSG, UPDATE_SUB, AFI, SAFI } from './iana.js';
import type { CodecCtx } from './context.js';
import { hasAddPath } from './context.js';
import { type ErrorAction, type WireError, strongerAction, updateError } from './errors.js';
import type { NlriBlock, PathAttribute, UpdateMessage } from './attribute-types.js';
import { attributesLength, decodeAttributes, encodeAttributesInto } from './attributes.js';
import { validNlri } from './nlri.js';

export type UpdateDecodeResult =
  | {
      readonly ok: true;
      readonly update: UpdateMessage;
      /** Strongest non-fatal action: null (clean), attributeDiscard, treatAsWithdraw or afiSafiDisable. */
      readonly action: ErrorAction | null;
      readonly errors: readonly WireError[];
    }
  | { readonly ok: false; readonly error: WireError; readonly errors: readonly WireError[] };

function reset(e: WireError, prior: readonly WireError[]): UpdateDecodeResult {
  return { ok: false, error: e, errors: [...prior, e] };
}

/**
 * Decodes an UPDATE body (the message without its 19-octet header). Never throws.
 * Views into `body` are kept (NLRI bytes, raw attribute values): copy before keeping the
 * result beyond the life of the receive buffer.
 */
export function decodeUpdate(body: Buffer, ctx: CodecCtx): UpdateDecodeResult {
  const end = body.length;
  if (end < 4) {
    return reset(updateError('withdrawnLengthOverrun', 'sessionReset', UPDATE_SUB.MALFORMED_ATTRIBUTE_LIST, `UPDATE body of ${end} octets`), []);
  }
  const wLen = body.readUInt16BE(0);
  // RFC 4271 §6.3: Withdrawn Routes Length + Total Attribute Length + 23 > message length.
  if (2 + wLen + 2 > end) {
    return reset(updateError('withdrawnLengthOverrun', 'sessionReset', UPDATE_SUB.MALFORMED_ATTRIBUTE_LIST, `Withdrawn Routes Length ${wLen} overruns the message`), []);
  }
  const aLen = body.readUInt16BE(2 + wLen);
  const aStart = 4 + wLen;
  if (aStart + aLen > end) {
    return reset(updateError('attributesLengthOverrun', 'sessionReset', UPDATE_SUB.MALFORMED_ATTRIBUTE_LIST, `Total Path Attribute Length ${aLen} overruns the message`), []);
  }
  const v4AddPath = hasAddPath(ctx, AFI.IPV4, SAFI.UNICAST);
  const wBytes = body.subarray(2, 2 + wLen);
  // RFC 7606 §5.3: a syntactically incorrect withdrawn or NLRI field cannot be parsed
  // around: session reset with Invalid Network Field.
  if (!validNlri(AFI.IPV4, SAFI.UNICAST, v4AddPath, wBytes)) {
    return reset(updateError('withdrawnSyntax', 'sessionReset', UPDATE_SUB.INVALID_NETWORK_FIELD, 'Withdrawn Routes field malformed'), []);
  }
  const nBytes = body.subarray(aStart + aLen);
  if (!validNlri(AFI.IPV4, SAFI.UNICAST, v4AddPath, nBytes)) {
    return reset(updateError('nlriSyntax', 'sessionReset', UPDATE_SUB.INVALID_NETWORK_FIELD, 'NLRI field malformed'), []);
  }
  const withdrawn: NlriBlock = { afi: AFI.IPV4, safi: SAFI.UNICAST, addPath: v4AddPath, bytes: wBytes };
  const nlri: NlriBlock = { afi: AFI.IPV4, safi: SAFI.UNICAST, addPath: v4AddPath, bytes: nBytes };

  const attrs = decodeAttributes(body.subarray(aStart, aStart + aLen), ctx);
  if (!attrs.ok) return attrs;
  let action = attrs.action;
  let errors = attrs.errors;

  const list = attrs.attributes;
  let hasReach = false;
  let hasOrigin = false;
  let hasPath = false;
  let hasNextHop = false;
  for (const a of list) {
    if (a.code === ATTR.MP_REACH_NLRI) hasReach = true;
    else if (a.code === ATTR.ORIGIN) hasOrigin = true;
    else if (a.code === ATTR.AS_PATH) hasPath = true;
    else if (a.code === ATTR.NEXT_HOP) hasNextHop = true;
  }
  // An attribute that was present but malformed already produced its own (equal or
  // stronger) action; report "missing" only for attributes really absent from the field.
  if (nBytes.length > 0 || hasReach) {
    const missing: number[] = [];
    if (!hasOrigin && !malformedCode(errors, ATTR.ORIGIN)) missing.push(ATTR.ORIGIN);
    if (!hasPath && !malformedCode(errors, ATTR.AS_PATH)) missing.push(ATTR.AS_PATH);
    if (nBytes.length > 0 && !hasNextHop && !malformedCode(errors, ATTR.NEXT_HOP)) missing.push(ATTR.NEXT_HOP);
    if (missing.length > 0) {
      const e = updateError(
        'missingWellKnown',
        'treatAsWithdraw',
        UPDATE_SUB.MISSING_WELL_KNOWN_ATTRIBUTE,
        `missing well-known attribute ${missing.join(', ')}`,
        missing[0] ?? null,
        Buffer.from([missing[0] ?? 0]),
      );
      errors = [...errors, e];
      action = action === null ? 'treatAsWithdraw' : strongerAction(action, 'treatAsWithdraw');
    }
  }
  return { ok: true, update: { withdrawn, attributes: list, nlri }, action, errors };
}

function malformedCode(errors: readonly WireError[], code: number): boolean {
  for (const e of errors) if (e.attrCode === code) return true;
  return false;
}

/** Encoded length of the whole message, header included. */
export function updateLength(u: UpdateMessage, ctx: CodecCtx): number {
  return HEADER_LENGTH + 4 + u.withdrawn.bytes.length + attributesLength(u.attributes, ctx) + u.nlri.bytes.length;
}

/** Writes the whole message (header included) at `offset`; returns the offset after it. */
export function encodeUpdateInto(u: UpdateMessage, buf: Buffer, offset: number, ctx: CodecCtx): number {
  const total = updateLength(u, ctx);
  buf.fill(0xff, offset, offset + 16);
  buf.writeUInt16BE(total, offset + 16);
  buf[offset + 18] = MSG.UPDATE;
  let p = offset + HEADER_LENGTH;
  buf.writeUInt16BE(u.withdrawn.bytes.length, p);
  p += 2;
  p += u.withdrawn.bytes.copy(buf, p);
  const aLenAt = p;
  p = encodeAttributesInto(u.attributes, buf, p + 2, ctx);
  buf.writeUInt16BE(p - aLenAt - 2, aLenAt);
  p += u.nlri.bytes.copy(buf, p);
  return p;
}

/** Encodes the whole message into a new Buffer. */
export function encodeUpdate(u: UpdateMessage, ctx: CodecCtx): Buffer {
  const buf = Buffer.allocUnsafe(updateLength(u, ctx));
  encodeUpdateInto(u, buf, 0, ctx);
  return buf;
}

/** Builds an UPDATE from parts (for tools, tests and the export path). */
export function makeUpdate(parts: { withdrawn?: NlriBlock; attributes?: readonly PathAttribute[]; nlri?: NlriBlock }): UpdateMessage {
  const empty: NlriBlock = { afi: AFI.IPV4, safi: SAFI.UNICAST, addPath: false, bytes: Buffer.alloc(0) };
  return { withdrawn: parts.withdrawn ?? empty, attributes: parts.attributes ?? [], nlri: parts.nlri ?? empty };
}
