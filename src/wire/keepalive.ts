/**
 * KEEPALIVE message (RFC 4271 §4.4): a header and nothing else. Owns its encoding and the body
 * check; when to send one (hold time / 3) is the session layer's job.
 */
import { ERR, HEADER_LENGTH, HEADER_SUB, MSG } from './iana.js';
import { wireError } from './errors.js';
import type { WireError } from './errors.js';
import { encodeHeader } from './header.js';

/** A KEEPALIVE is always 19 octets. */
export function keepaliveLength(): number {
  return HEADER_LENGTH;
}

/** Writes a KEEPALIVE at `offset`; returns the offset after it. */
export function encodeKeepaliveInto(buf: Buffer, offset: number): number {
  return encodeHeader(buf, offset, HEADER_LENGTH, MSG.KEEPALIVE);
}

/** A new 19-octet KEEPALIVE. */
export function encodeKeepalive(): Buffer {
  const out = Buffer.allocUnsafe(HEADER_LENGTH);
  encodeKeepaliveInto(out, 0);
  return out;
}

/**
 * Checks a KEEPALIVE body (the message without its header): it must be empty. Returns null
 * when it is, else a Bad Message Length error whose data is the Length field (RFC 4271 §6.1).
 * `checkHeader` already rejects this; the check is here for callers that frame differently.
 */
export function checkKeepalive(body: Buffer): WireError | null {
  if (body.length === 0) return null;
  const lengthField = Buffer.alloc(2);
  lengthField.writeUInt16BE(Math.min(body.length + HEADER_LENGTH, 0xffff));
  return wireError(
    'keepaliveLength',
    'sessionReset',
    ERR.MESSAGE_HEADER,
    HEADER_SUB.BAD_MESSAGE_LENGTH,
    `KEEPALIVE with a ${body.length}-octet body`,
    null,
    lengthField,
  );
}
