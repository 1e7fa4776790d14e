/**
 * NOTIFICATION message (RFC 4271 §4.5): code, subcode, data. Owns its codec, the RFC 9003
 * shutdown communication carried by Cease / Administrative Shutdown and Administrative Reset,
 * and the RFC 8538 Hard Reset wrapping (Cease / Hard Reset carrying another NOTIFICATION).
 * Deciding *whether* to hard-reset lives in errors.ts (`isHardReset`); turning codes into text
 * lives in notification-text.ts. No NOTIFICATION is ever sent in reply to a bad NOTIFICATION
 * (RFC 4271 §6.4): the error returned by `decodeNotification` is for logging and closing only.
 */
import { CEASE_SUB, ERR, HEADER_LENGTH, HEADER_SUB, MSG } from './iana.js';
import { wireError } from './errors.js';
import type { NotificationFields, WireError } from './errors.js';
import { encodeHeader } from './header.js';

/** A NOTIFICATION as sent or received; the same shape as the fields of a WireError. */
export interface NotificationMessage extends NotificationFields {
  readonly code: number;
  readonly subcode: number;
  readonly data: Buffer;
}

export type NotificationResult =
  | { readonly ok: true; readonly notification: NotificationMessage }
  | { readonly ok: false; readonly error: WireError };

/** RFC 9003 §2: the shutdown communication is at most 255 octets of UTF-8. */
export const MAX_SHUTDOWN_MESSAGE_LENGTH = 255;

/** Decodes a NOTIFICATION body (without header). The data is copied. Never throws. */
export function decodeNotification(body: Buffer): NotificationResult {
  if (body.length < 2) {
    const lengthField = Buffer.alloc(2);
    lengthField.writeUInt16BE(body.length + HEADER_LENGTH);
    return {
      ok: false,
      error: wireError(
        'notificationTruncated',
        'sessionReset',
        ERR.MESSAGE_HEADER,
        HEADER_SUB.BAD_MESSAGE_LENGTH,
        `NOTIFICATION body of ${body.length} octets`,
        null,
        lengthField,
      ),
    };
  }
  return {
    ok: true,
    notification: { code: body.readUInt8(0), subcode: body.readUInt8(1), data: Buffer.from(body.subarray(2)) },
  };
}

/**
 * Octets of the whole message. The caller keeps `data` within the negotiated maximum message
 * size (4096, or 65535 with RFC 8654), e.g. by cutting the copy of a huge attribute.
 */
export function notificationLength(n: NotificationFields): number {
  return HEADER_LENGTH + 2 + n.data.length;
}

/** Writes the whole NOTIFICATION at `offset`; returns the offset after it. */
export function encodeNotificationInto(n: NotificationFields, buf: Buffer, offset: number): number {
  let at = encodeHeader(buf, offset, notificationLength(n), MSG.NOTIFICATION);
  at = buf.writeUInt8(n.code, at);
  at = buf.writeUInt8(n.subcode, at);
  return at + n.data.copy(buf, at);
}

/** A new Buffer holding the whole NOTIFICATION. */
export function encodeNotification(n: NotificationFields): Buffer {
  const out = Buffer.allocUnsafe(notificationLength(n));
  encodeNotificationInto(n, out, 0);
  return out;
}

function carriesShutdownCommunication(code: number, subcode: number): boolean {
  return (
    code === ERR.CEASE &&
    (subcode === CEASE_SUB.ADMINISTRATIVE_SHUTDOWN || subcode === CEASE_SUB.ADMINISTRATIVE_RESET)
  );
}

/**
 * The RFC 9003 shutdown communication of a Cease / Administrative Shutdown or Reset, or null
 * when there is none, it is empty, its length overruns the data, or it is not valid UTF-8
 * (RFC 9003 §2 and §5: a malformed communication is ignored, never an error). Octets after
 * the communication are ignored.
 */
export function shutdownMessage(n: NotificationFields): string | null {
  if (!carriesShutdownCommunication(n.code, n.subcode)) return null;
  const len = n.data[0];
  if (len === undefined || len === 0 || 1 + len > n.data.length) return null;
  const bytes = n.data.subarray(1, 1 + len);
  const text = bytes.toString('utf8');
  return Buffer.from(text, 'utf8').equals(bytes) ? text : null;
}

/** The longest prefix of `text` whose UTF-8 encoding fits `max` octets, cut between code points. */
function utf8Prefix(text: string, max: number): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= max) return bytes;
  let end = max;
  // Step back over continuation octets (10xxxxxx) so no code point is split.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end);
}

/**
 * A Cease / Administrative Shutdown (2) or Administrative Reset (4) carrying `text` as its
 * RFC 9003 shutdown communication, cut to 255 octets on a UTF-8 boundary. An empty text gives
 * empty data. Throws RangeError for any other subcode (a caller bug).
 */
export function makeShutdownNotification(subcode: number, text: string): NotificationMessage {
  if (!carriesShutdownCommunication(ERR.CEASE, subcode)) {
    throw new RangeError(`Cease subcode ${subcode} carries no shutdown communication`);
  }
  const bytes = utf8Prefix(text, MAX_SHUTDOWN_MESSAGE_LENGTH);
  if (bytes.length === 0) return { code: ERR.CEASE, subcode, data: Buffer.alloc(0) };
  const data = Buffer.allocUnsafe(1 + bytes.length);
  data.writeUInt8(bytes.length, 0);
  bytes.copy(data, 1);
  return { code: ERR.CEASE, subcode, data };
}

/**
 * RFC 8538 §3: a Cease / Hard Reset whose data is the inner NOTIFICATION's code, subcode and
 * data. Use `isHardReset` (errors.ts) to decide when to send it.
 */
export function wrapHardReset(inner: NotificationFields): NotificationMessage {
  const data = Buffer.allocUnsafe(2 + inner.data.length);
  data.writeUInt8(inner.code, 0);
  data.writeUInt8(inner.subcode, 1);
  inner.data.copy(data, 2);
  return { code: ERR.CEASE, subcode: CEASE_SUB.HARD_RESET, data };
}

/**
 * The NOTIFICATION inside a Cease / Hard Reset (RFC 8538 §3), or null if `n` is not one or its
 * data is shorter than a code and subcode. The inner data is a view into `n.data`.
 */
export function unwrapHardReset(n: NotificationFields): NotificationMessage | null {
  if (n.code !== ERR.CEASE || n.subcode !== CEASE_SUB.HARD_RESET || n.data.length < 2) return null;
  return { code: n.data.readUInt8(0), subcode: n.data.readUInt8(1), data: n.data.subarray(2) };
}
