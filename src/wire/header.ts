/**
 * The 19-octet BGP message header (RFC 4271 §4.1): marker, length, type. Owns framing checks
 * (RFC 4271 §6.1, with the per-type minimum lengths of §4.2-§4.5, RFC 2918 §3 and the OPEN /
 * KEEPALIVE 4096-octet cap of RFC 8654 §4) and header encoding. It does not read bodies, keep
 * socket state or decide what to do with an error: the session layer does.
 */
import { ERR, HEADER_LENGTH, HEADER_SUB, MARKER_LENGTH, MAX_MESSAGE_LENGTH, MSG } from './iana.js';
import type { MessageType } from './iana.js';
import { wireError } from './errors.js';
import type { WireError } from './errors.js';

/** Result of looking at the bytes buffered from `offset` on. */
export type HeaderCheck =
  /** Not enough bytes yet: wait until `bytes` octets (counted from `offset`) are buffered. */
  | { readonly kind: 'need'; readonly bytes: number }
  /** A good header; the whole message (`length` octets, header included) is available. */
  | { readonly kind: 'message'; readonly type: MessageType; readonly length: number }
  /** A framing error: send its NOTIFICATION and close (RFC 4271 §6.1). */
  | { readonly kind: 'error'; readonly error: WireError };

const MIN_LENGTH: Readonly<Record<MessageType, number>> = {
  [MSG.OPEN]: 29, // RFC 4271 §4.2: header + 10 fixed octets
  [MSG.UPDATE]: 23, // RFC 4271 §4.3: header + two 2-octet length fields
  [MSG.NOTIFICATION]: 21, // RFC 4271 §4.5: header + code + subcode
  [MSG.KEEPALIVE]: HEADER_LENGTH, // RFC 4271 §4.4: header only (checked as exact below)
  [MSG.ROUTE_REFRESH]: 23, // RFC 2918 §3: header + AFI, reserved/subtype, SAFI
};

/** Whether `type` is one of the message types this codec knows. */
export function isMessageType(type: number): type is MessageType {
  return type >= MSG.OPEN && type <= MSG.ROUTE_REFRESH;
}

/** Smallest legal length (header included) of a message of this type. */
export function minimumLength(type: MessageType): number {
  return MIN_LENGTH[type];
}

function badLength(buf: Buffer, offset: number, length: number, detail: string): HeaderCheck {
  // RFC 4271 §6.1: "The Data field MUST contain the erroneous Length field."
  const data = Buffer.from(buf.subarray(offset + MARKER_LENGTH, offset + MARKER_LENGTH + 2));
  return {
    kind: 'error',
    error: wireError(
      'badMessageLength',
      'sessionReset',
      ERR.MESSAGE_HEADER,
      HEADER_SUB.BAD_MESSAGE_LENGTH,
      `${detail} (length ${length})`,
      null,
      data,
    ),
  };
}

/**
 * Checks the header at `offset`. `maxLength` is 4096, or 65535 once the extended message
 * capability is negotiated (RFC 8654; see `maxMessageLength(ctx)`). The header is validated
 * as soon as its 19 octets are in, so a bad length is reported without waiting for a body
 * that may never come. Never throws.
 */
export function checkHeader(buf: Buffer, offset: number, maxLength: number): HeaderCheck {
  const available = buf.length - offset;
  if (available < HEADER_LENGTH) return { kind: 'need', bytes: HEADER_LENGTH };

  for (let i = 0; i < MARKER_LENGTH; i++) {
    if (buf[offset + i] !== 0xff) {
      return {
        kind: 'error',
        error: wireError(
          'badMarker',
          'sessionReset',
          ERR.MESSAGE_HEADER,
          HEADER_SUB.CONNECTION_NOT_SYNCHRONIZED,
          'marker is not all ones',
        ),
      };
    }
  }

  const length = buf.readUInt16BE(offset + MARKER_LENGTH);
  const type = buf[offset + MARKER_LENGTH + 2] ?? 0;
  if (length < HEADER_LENGTH) return badLength(buf, offset, length, 'message shorter than its header');
  if (length > maxLength) return badLength(buf, offset, length, `message longer than ${maxLength}`);

  if (!isMessageType(type)) {
    return {
      kind: 'error',
      error: wireError(
        'badMessageType',
        'sessionReset',
        ERR.MESSAGE_HEADER,
        HEADER_SUB.BAD_MESSAGE_TYPE,
        `unknown message type ${type}`,
        null,
        // RFC 4271 §6.1: "The Data field MUST contain the erroneous Type field."
        Buffer.from([type]),
      ),
    };
  }

  if (length < MIN_LENGTH[type]) return badLength(buf, offset, length, `type ${type} shorter than ${MIN_LENGTH[type]}`);
  if (type === MSG.KEEPALIVE && length !== HEADER_LENGTH) {
    return badLength(buf, offset, length, 'KEEPALIVE must be exactly 19 octets');
  }
  // RFC 8654 §4: OPEN (and KEEPALIVE) stay within 4096 even with extended messages.
  if (type === MSG.OPEN && length > MAX_MESSAGE_LENGTH) {
    return badLength(buf, offset, length, `OPEN longer than ${MAX_MESSAGE_LENGTH}`);
  }

  if (available < length) return { kind: 'need', bytes: length };
  return { kind: 'message', type, length };
}

/**
 * Writes marker, `length` (of the whole message, header included) and `type` at `offset`.
 * Returns the offset just past the header, where the body goes.
 */
export function encodeHeader(buf: Buffer, offset: number, length: number, type: number): number {
  buf.fill(0xff, offset, offset + MARKER_LENGTH);
  buf.writeUInt16BE(length, offset + MARKER_LENGTH);
  buf.writeUInt8(type, offset + MARKER_LENGTH + 2);
  return offset + HEADER_LENGTH;
}

/** A new Buffer holding header + `body`. For small or rare messages; hot paths encode in place. */
export function frameMessage(type: number, body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(HEADER_LENGTH + body.length);
  const at = encodeHeader(out, 0, out.length, type);
  body.copy(out, at);
  return out;
}
