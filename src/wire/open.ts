/**
 * OPEN message (RFC 4271 §4.2) with optional parameters (RFC 5492) in both the classic
 * one-octet-length format and the extended format of RFC 9072. Pure codec: negotiation of
 * what both sides advertised belongs to the session layer, and so do the checks that need
 * config: hold time (RFC 4271 §6.2 Unacceptable Hold Time), peer AS and BGP Identifier are
 * decoded faithfully and not judged here.
 *
 * Errors, all `sessionReset` with code 2 OPEN Message Error, following FRR
 * (`bgp_open_receive` and `bgp_open_option_parse` in bgpd/bgp_packet.c and bgp_open.c send
 * BGP_NOTIFY_OPEN_MALFORMED_ATTR = 0 for every optional-parameter length problem) and BIRD
 * (`bgp_read_options` / `bgp_read_capabilities` in proto/bgp/packets.c: `bgp_error(conn, 2, 0)`):
 * - version other than 4: subcode 1, data = 2-octet largest supported version (RFC 4271 §6.2);
 *   checked first, since another version may lay out the rest differently;
 * - fixed part truncated, optional parameters (or one parameter, or a capability TLV)
 *   overrunning their length, or octets left after them: subcode 0 (Unspecific). BIRD sends
 *   Message Header Error / Bad Message Length for the last case (message length != 29 +
 *   parameter length); we keep 1/2 for header problems only and use 2/0 like FRR.
 * - an optional parameter type other than Capabilities is kept as `other`, not rejected, so
 *   the OPEN still decodes; `unsupportedParameterError` gives subcode 4 for the session.
 *
 * RFCs: 4271 §4.2 and §6.2, 5492 §4, 9072 (extended optional parameters length).
 */
import { ERR, HEADER_LENGTH, MSG, OPEN_PARAM, OPEN_SUB } from './iana.js';
import { decodeCapabilities } from './capability-decode.js';
import { capabilitiesLength, encodeCapabilitiesInto } from './capability-encode.js';
import type { Capability } from './capabilities.js';
import { wireError } from './errors.js';
import type { WireError } from './errors.js';
import { encodeHeader } from './header.js';

/** One optional parameter, in the order it was on the wire. */
export type OptionalParameter =
  | { readonly type: 'capabilities'; readonly capabilities: readonly Capability[] }
  /** Any other parameter type (e.g. the deprecated authentication parameter 1), kept raw. */
  | { readonly type: 'other'; readonly code: number; readonly value: Buffer };

export interface OpenMessage {
  readonly version: number;
  /** My Autonomous System: a 2-octet field, AS_TRANS when the real AS needs 4 octets. */
  readonly myAs: number;
  readonly holdTime: number;
  /** BGP Identifier as an unsigned 32-bit number (RFC 6286). */
  readonly bgpId: number;
  readonly params: readonly OptionalParameter[];
  /** The parameters were (or are to be) written in the RFC 9072 extended format. */
  readonly extendedParams: boolean;
}

// ===== codec =====

/** The only BGP version this codec speaks (RFC 4271 §4.2). */
export const BGP_VERSION = 4;

/** Version, My AS, Hold Time, BGP Identifier, Opt Parm Len (RFC 4271 §4.2). */
const FIXED_LENGTH = 10;
/** Non-Ext OP Type + Extended Opt. Parm. Length (RFC 9072 §2). */
const EXTENDED_PREFIX = 3;
const NON_EXT_MARKER = OPEN_PARAM.EXTENDED_LENGTH; // 255, both as Non-Ext OP Len and Type

export type OpenResult = { readonly ok: true; readonly open: OpenMessage } | { readonly ok: false; readonly error: WireError };

function openError(reason: 'openTruncated' | 'badOptionalParameters', detail: string): OpenResult {
  return { ok: false, error: wireError(reason, 'sessionReset', ERR.OPEN_MESSAGE, 0, detail) };
}

/**
 * Decodes an OPEN body (the message without its 19-octet header). Never throws. Parameter
 * values are copied, so the result does not pin the receive buffer.
 */
export function decodeOpen(body: Buffer): OpenResult {
  const version = body[0];
  if (version !== undefined && version !== BGP_VERSION) {
    const data = Buffer.alloc(2);
    data.writeUInt16BE(BGP_VERSION);
    const error = wireError(
      'unsupportedVersion',
      'sessionReset',
      ERR.OPEN_MESSAGE,
      OPEN_SUB.UNSUPPORTED_VERSION_NUMBER,
      `version ${version}`,
      null,
      data,
    );
    return { ok: false, error };
  }
  if (body.length < FIXED_LENGTH) return openError('openTruncated', `OPEN body of ${body.length} octets`);

  const optLen = body.readUInt8(9);
  let start = FIXED_LENGTH;
  let paramsLength = optLen;
  // RFC 9072 §2: Non-Ext OP Len 255 followed by Non-Ext OP Type 255 selects the extended
  // format; a classic parameter list can never start with type 255 (reserved by §4).
  const extendedParams = optLen === NON_EXT_MARKER && body[FIXED_LENGTH] === NON_EXT_MARKER;
  if (extendedParams) {
    if (body.length < FIXED_LENGTH + EXTENDED_PREFIX) return openError('badOptionalParameters', 'extended length truncated');
    paramsLength = body.readUInt16BE(FIXED_LENGTH + 1);
    start = FIXED_LENGTH + EXTENDED_PREFIX;
  }
  if (start + paramsLength !== body.length) {
    return openError('badOptionalParameters', `optional parameters length ${paramsLength}, ${body.length - start} octets present`);
  }

  const params: OptionalParameter[] = [];
  const headerLength = extendedParams ? 3 : 2; // RFC 9072 §2: Parm. Length is 2 octets
  let at = start;
  while (at < body.length) {
    if (body.length - at < headerLength) return openError('badOptionalParameters', `parameter header truncated at ${at}`);
    const type = body.readUInt8(at);
    const len = extendedParams ? body.readUInt16BE(at + 1) : body.readUInt8(at + 1);
    const end = at + headerLength + len;
    if (end > body.length) return openError('badOptionalParameters', `parameter ${type} length ${len} overruns`);
    const value = body.subarray(at + headerLength, end);
    if (type === OPEN_PARAM.CAPABILITIES) {
      const caps = decodeCapabilities(value);
      if (!caps.ok) return caps;
      params.push({ type: 'capabilities', capabilities: caps.capabilities });
    } else {
      params.push({ type: 'other', code: type, value: Buffer.from(value) });
    }
    at = end;
  }

  return {
    ok: true,
    open: {
      version: BGP_VERSION,
      myAs: body.readUInt16BE(1),
      holdTime: body.readUInt16BE(3),
      bgpId: body.readUInt32BE(5),
      params,
      extendedParams,
    },
  };
}

function paramValueLength(p: OptionalParameter): number {
  return p.type === 'capabilities' ? capabilitiesLength(p.capabilities) : p.value.length;
}

/** Octets of the optional parameters, excluding the Opt Parm Len field(s). */
function paramsLength(open: OpenMessage): number {
  const headerLength = open.extendedParams ? 3 : 2;
  const maxValue = open.extendedParams ? 0xffff : 0xff;
  let n = 0;
  for (const p of open.params) {
    const len = paramValueLength(p);
    if (len > maxValue) throw new RangeError(`optional parameter of ${len} octets needs extendedParams`);
    n += headerLength + len;
  }
  if (n > maxValue) throw new RangeError(`optional parameters of ${n} octets need extendedParams`);
  const first = open.params[0];
  if (!open.extendedParams && n === 0xff && first?.type === 'other' && first.code === NON_EXT_MARKER) {
    throw new RangeError('a classic parameter list of 255 octets cannot start with type 255 (RFC 9072 §2)');
  }
  return n;
}

/**
 * Octets of the whole OPEN message, header included. Throws RangeError (a caller bug) when
 * the parameters do not fit the chosen format: set `extendedParams` for RFC 9072.
 */
export function openLength(open: OpenMessage): number {
  return HEADER_LENGTH + FIXED_LENGTH + (open.extendedParams ? EXTENDED_PREFIX : 0) + paramsLength(open);
}

/** Writes the whole OPEN message (header included) at `offset`; returns the offset after it. */
export function encodeOpenInto(open: OpenMessage, buf: Buffer, offset: number): number {
  const total = openLength(open);
  const optLength = total - HEADER_LENGTH - FIXED_LENGTH;
  let at = encodeHeader(buf, offset, total, MSG.OPEN);
  at = buf.writeUInt8(open.version, at);
  at = buf.writeUInt16BE(open.myAs, at);
  at = buf.writeUInt16BE(open.holdTime, at);
  at = buf.writeUInt32BE(open.bgpId, at);
  if (open.extendedParams) {
    at = buf.writeUInt8(NON_EXT_MARKER, at); // Non-Ext OP Len
    at = buf.writeUInt8(NON_EXT_MARKER, at); // Non-Ext OP Type
    at = buf.writeUInt16BE(optLength - EXTENDED_PREFIX, at);
  } else {
    at = buf.writeUInt8(optLength, at);
  }
  for (const p of open.params) {
    const len = paramValueLength(p);
    if (p.type === 'capabilities') {
      at = buf.writeUInt8(OPEN_PARAM.CAPABILITIES, at);
      at = open.extendedParams ? buf.writeUInt16BE(len, at) : buf.writeUInt8(len, at);
      at = encodeCapabilitiesInto(p.capabilities, buf, at);
    } else {
      at = buf.writeUInt8(p.code, at);
      at = open.extendedParams ? buf.writeUInt16BE(len, at) : buf.writeUInt8(len, at);
      at += p.value.copy(buf, at);
    }
  }
  return at;
}

/** A new Buffer holding the whole OPEN message. */
export function encodeOpen(open: OpenMessage): Buffer {
  const out = Buffer.allocUnsafe(openLength(open));
  encodeOpenInto(open, out, 0);
  return out;
}

/** All capabilities from all capabilities parameters, in wire order. */
export function capabilitiesOf(open: OpenMessage): Capability[] {
  const out: Capability[] = [];
  for (const p of open.params) if (p.type === 'capabilities') out.push(...p.capabilities);
  return out;
}

/**
 * OPEN Message Error / Unsupported Optional Parameter (subcode 4, RFC 4271 §6.2) for the
 * first parameter that is not Capabilities, or null. No data, as FRR sends.
 */
export function unsupportedParameterError(open: OpenMessage): WireError | null {
  for (const p of open.params) {
    if (p.type === 'other') {
      return wireError(
        'unsupportedOptionalParameter',
        'sessionReset',
        ERR.OPEN_MESSAGE,
        OPEN_SUB.UNSUPPORTED_OPTIONAL_PARAMETER,
        `optional parameter type ${p.code}`,
      );
    }
  }
  return null;
}
