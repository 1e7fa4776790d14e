/**
 * An append-only ASCII output buffer for text dumps: lines are written as bytes straight into
 * large Buffers (1 MiB by default) instead of being built as many small strings and joined,
 * which keeps a 500k-line dump free of per-line string garbage. Full buffers are handed out by
 * take() and never written to again.
 *
 * Owns: byte-level text output (decimal numbers, dotted quads). Must not: do I/O.
 */

/** Decimal digits of 0..255, three slots per value, and their lengths. */
const DEC8 = new Uint8Array(256 * 3);
const DEC8_LEN = new Uint8Array(256);
for (let i = 0; i < 256; i++) {
  const s = String(i);
  DEC8_LEN[i] = s.length;
  for (let j = 0; j < s.length; j++) DEC8[i * 3 + j] = s.charCodeAt(j);
}

const DOT = 0x2e;
const SLASH = 0x2f;
const BAR = 0x7c;

/**
 * Latin1 bytes of `s` in a reusable scratch array (grown when needed): lets a caller turn a
 * per-message string into bytes once and copy it per line without allocating a Buffer.
 */
export class Latin1Scratch {
  private store = new Uint8Array(1024);

  /** The bytes of `s`, as a view valid until the next call. */
  set(s: string): Uint8Array {
    const n = s.length;
    if (n > this.store.length) this.store = new Uint8Array(Math.max(n, 2 * this.store.length));
    const b = this.store;
    for (let i = 0; i < n; i++) b[i] = s.charCodeAt(i);
    return b.subarray(0, n);
  }
}

export class AsciiSink {
  private buf: Buffer;
  private pos = 0;
  private done: Buffer[] = [];
  private doneBytes = 0;

  constructor(private readonly size = 1 << 20) {
    this.buf = Buffer.allocUnsafe(size);
  }

  /** Bytes written and not yet taken. */
  get length(): number {
    return this.doneBytes + this.pos;
  }

  /** Makes room for `n` more bytes. */
  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    if (this.pos > 0) {
      this.done.push(this.buf.subarray(0, this.pos));
      this.doneBytes += this.pos;
    }
    this.buf = Buffer.allocUnsafe(Math.max(this.size, n));
    this.pos = 0;
  }

  /** Appends bytes (TypedArray.set is a memcpy: faster than a loop even for 12 bytes). */
  bytes(b: Uint8Array): void {
    const n = b.length;
    this.room(n);
    this.buf.set(b, this.pos);
    this.pos += n;
  }

  /** Appends an ASCII (latin1) string. */
  text(s: string): void {
    this.room(s.length);
    this.pos += this.buf.write(s, this.pos, 'latin1');
  }

  /** Appends one byte. */
  byte(c: number): void {
    this.room(1);
    this.buf[this.pos++] = c;
  }

  /** Appends 0..255 in decimal. */
  dec8(v: number): void {
    this.room(3);
    const buf = this.buf;
    let p = this.pos;
    const o = v * 3;
    const n = DEC8_LEN[v] as number;
    buf[p++] = DEC8[o] as number;
    if (n > 1) buf[p++] = DEC8[o + 1] as number;
    if (n > 2) buf[p++] = DEC8[o + 2] as number;
    this.pos = p;
  }

  /** Appends an unsigned 32-bit number in decimal. */
  dec32(v: number): void {
    if (v < 256) {
      this.dec8(v);
      return;
    }
    this.text(String(v >>> 0));
  }

  /** Appends the dotted quad of an unsigned 32-bit address. */
  ipv4(a: number): void {
    this.dec8(a >>> 24);
    this.byte(DOT);
    this.dec8((a >>> 16) & 255);
    this.byte(DOT);
    this.dec8((a >>> 8) & 255);
    this.byte(DOT);
    this.dec8(a & 255);
  }

  /**
   * Appends `head`, the IPv4 prefix `a`/`bits`, "|pathId" when pathId >= 0, then `rest`: the
   * hot path of a dump (one call per line, no intermediate strings).
   */
  ipv4PrefixLine(head: Uint8Array, a: number, bits: number, pathId: number, rest: Uint8Array): void {
    this.room(head.length + rest.length + 32);
    const buf = this.buf;
    buf.set(head, this.pos);
    let p = this.pos + head.length;
    for (let shift = 24; shift >= 0; shift -= 8) {
      const v = (a >>> shift) & 255;
      const o = v * 3;
      const n = DEC8_LEN[v] as number;
      buf[p++] = DEC8[o] as number;
      if (n > 1) buf[p++] = DEC8[o + 1] as number;
      if (n > 2) buf[p++] = DEC8[o + 2] as number;
      buf[p++] = shift === 0 ? SLASH : DOT;
    }
    const o = bits * 3;
    const n = DEC8_LEN[bits] as number;
    buf[p++] = DEC8[o] as number;
    if (n > 1) buf[p++] = DEC8[o + 1] as number;
    if (n > 2) buf[p++] = DEC8[o + 2] as number;
    if (pathId >= 0) {
      buf[p++] = BAR;
      p += buf.write(String(pathId), p, 'latin1');
    }
    buf.set(rest, p);
    this.pos = p + rest.length;
  }

  /** Hands out everything written so far (the caller owns the buffers). */
  take(): Buffer[] {
    const out = this.done;
    if (this.pos > 0) out.push(this.buf.subarray(0, this.pos));
    this.done = [];
    this.doneBytes = 0;
    // The current buffer now belongs to the caller; start a fresh one.
    this.buf = this.pos > 0 ? Buffer.allocUnsafe(this.size) : this.buf;
    this.pos = 0;
    return out;
  }

  /** Everything written so far as one string (tests and small outputs). */
  takeText(): string {
    const parts = this.take();
    return parts.length === 0 ? '' : Buffer.concat(parts).toString('latin1');
  }
}
