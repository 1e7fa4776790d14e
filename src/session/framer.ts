/**
 * Splits a TCP byte stream into whole BGP messages (RFC 4271 §4.1). Pure: the socket driver
 * pushes chunks in and pulls messages out, a bounded number per event-loop turn, so a peer
 * that sends faster than we process is slowed by TCP (the driver pauses the socket while
 * `buffered` is high), never by unbounded buffering here.
 *
 * Messages are returned as views into the receive buffer: they are valid until the next
 * `push`. Whatever must outlive that (attribute sets interned by the RIB) is copied by its
 * owner (STYLE.md §5).
 */
import { checkHeader } from '../wire/header.js';
import type { WireError } from '../wire/errors.js';
import type { MessageType } from '../wire/iana.js';

export type Frame =
  | { readonly kind: 'message'; readonly type: MessageType; readonly msg: Buffer }
  | { readonly kind: 'need' }
  | { readonly kind: 'error'; readonly error: WireError };

const NEED: Frame = { kind: 'need' };

export class MessageFramer {
  private buf: Buffer = Buffer.alloc(0);
  private off = 0;
  private failed: WireError | null = null;

  /** @param maxLength 4096, or 65535 after the extended message capability (RFC 8654). */
  constructor(private maxLength: number) {}

  /** Raise the limit once extended messages are negotiated. */
  setMaxLength(n: number): void {
    this.maxLength = n;
  }

  /** Octets received and not yet returned as messages. */
  get buffered(): number {
    return this.buf.length - this.off;
  }

  push(chunk: Buffer): void {
    if (this.failed !== null) return;
    if (this.off >= this.buf.length) {
      this.buf = chunk;
    } else {
      // Only the tail of a partial message (< 64 KiB) is copied.
      this.buf = Buffer.concat([this.buf.subarray(this.off), chunk]);
    }
    this.off = 0;
  }

  /** The next whole message, `need` when more bytes are required, or a framing error (sticky). */
  next(): Frame {
    if (this.failed !== null) return { kind: 'error', error: this.failed };
    const h = checkHeader(this.buf, this.off, this.maxLength);
    if (h.kind === 'need') return NEED;
    if (h.kind === 'error') {
      this.failed = h.error;
      return h;
    }
    const msg = this.buf.subarray(this.off, this.off + h.length);
    this.off += h.length;
    return { kind: 'message', type: h.type, msg };
  }
}
