/**
 * ROUTE-REFRESH message (RFC 2918 §3) with the RFC 7313 §3 Message Subtype (0 normal request,
 * 1 BoRR, 2 EoRR) in the octet RFC 2918 called Reserved. ORF entries (RFC 5291 §4) that may
 * follow a subtype-0 request are kept as raw bytes; this codec does not interpret ORFs, and
 * whether ORF was negotiated (so whether trailing octets are legal) is the session's call.
 * Unknown subtypes decode to a value the caller must ignore (RFC 7313 §5).
 */
import { ERR, HEADER_LENGTH, MSG, ROUTE_REFRESH_SUB, ROUTE_REFRESH_SUBTYPE } from './iana.js';
import { wireError } from './errors.js';
import type { WireError } from './errors.js';
import { encodeHeader, frameMessage } from './header.js';

export interface RouteRefreshMessage {
  readonly afi: number;
  readonly safi: number;
  /** 0 normal request, 1 BoRR, 2 EoRR (ROUTE_REFRESH_SUBTYPE); anything else is to be ignored. */
  readonly subtype: number;
  /** Octets after the 4-octet fixed part: ORF entries of a subtype-0 request, else empty. */
  readonly orf: Buffer;
}

export type RouteRefreshResult =
  | { readonly ok: true; readonly routeRefresh: RouteRefreshMessage }
  | { readonly ok: false; readonly error: WireError };

const FIXED_LENGTH = 4; // AFI (2), subtype (1), SAFI (1)

/** Whether the subtype is one RFC 7313 defines; the caller ignores the message otherwise. */
export function isKnownRouteRefreshSubtype(subtype: number): boolean {
  return subtype <= ROUTE_REFRESH_SUBTYPE.EORR;
}

/**
 * ROUTE-REFRESH Message Error / Invalid Message Length (RFC 7313 §5), whose data is the whole
 * received message. The header is rebuilt from the body: `checkHeader` accepted it, so it can
 * only have been the all-ones marker, this length and type 5. The session also uses this for a
 * subtype-0 message with ORF octets when ORF was not negotiated.
 */
export function invalidRouteRefreshLength(body: Buffer): WireError {
  return wireError(
    'routeRefreshLength',
    'sessionReset',
    ERR.ROUTE_REFRESH_MESSAGE,
    ROUTE_REFRESH_SUB.INVALID_MESSAGE_LENGTH,
    `ROUTE-REFRESH body of ${body.length} octets`,
    null,
    frameMessage(MSG.ROUTE_REFRESH, body),
  );
}

/**
 * Decodes a ROUTE-REFRESH body (without header). Never throws. Errors (RFC 7313 §5): a body
 * shorter than 4 octets, or a BoRR/EoRR whose body is not exactly 4 octets. A subtype-0
 * request may carry ORF entries; an unknown subtype keeps whatever follows in `orf`
 * uninspected, since the message is to be ignored.
 */
export function decodeRouteRefresh(body: Buffer): RouteRefreshResult {
  if (body.length < FIXED_LENGTH) return { ok: false, error: invalidRouteRefreshLength(body) };
  const subtype = body.readUInt8(2);
  if ((subtype === ROUTE_REFRESH_SUBTYPE.BORR || subtype === ROUTE_REFRESH_SUBTYPE.EORR) && body.length !== FIXED_LENGTH) {
    return { ok: false, error: invalidRouteRefreshLength(body) };
  }
  return {
    ok: true,
    routeRefresh: {
      afi: body.readUInt16BE(0),
      safi: body.readUInt8(3),
      subtype,
      orf: Buffer.from(body.subarray(FIXED_LENGTH)),
    },
  };
}

/** Octets of the whole message, header included. */
export function routeRefreshLength(m: RouteRefreshMessage): number {
  return HEADER_LENGTH + FIXED_LENGTH + m.orf.length;
}

/** Writes the whole ROUTE-REFRESH at `offset`; returns the offset after it. */
export function encodeRouteRefreshInto(m: RouteRefreshMessage, buf: Buffer, offset: number): number {
  let at = encodeHeader(buf, offset, routeRefreshLength(m), MSG.ROUTE_REFRESH);
  at = buf.writeUInt16BE(m.afi, at);
  at = buf.writeUInt8(m.subtype, at);
  at = buf.writeUInt8(m.safi, at);
  return at + m.orf.copy(buf, at);
}

/** A new Buffer holding the whole ROUTE-REFRESH. */
export function encodeRouteRefresh(m: RouteRefreshMessage): Buffer {
  const out = Buffer.allocUnsafe(routeRefreshLength(m));
  encodeRouteRefreshInto(m, out, 0);
  return out;
}
