/**
 * Byte-level ASCII output for text dumps. Lines are written as bytes straight into buffers
 * (numbers digit by digit, addresses octet by octet) instead of being built as strings and
 * joined, which keeps a 500k-line dump free of per-line string garbage.
 *
 * - ByteWriter: the writing methods, over a buffer that the subclass keeps room in.
 * - LineScratch: a small growable buffer for the parts of a line shared by several lines
 *   (its view() is copied once per line).
 * - AsciiSink: the output: 1 MiB buffers handed out by take() and never written to again
 *   until the caller gives them back with recycle() once written out (reusing them spares the
 *   page faults of fresh allocations).
 *
 * Owns: bytes of text. Must not: do I/O.
 */

/** Decimal digits of 0..255, three slots per value, and their lengths. */
const DEC8 = new Uint8Array(256 * 3);
const DEC8_LEN = new Uint8Array(256);
for (let i = 0; i < 256; i++) {
  const s = String(i);
  DEC8_LEN[i] = s.length;
  for (let j = 0; j < s.length; j++) DEC8[i * 3 + j] = s.charCodeAt(j);
}

/** Three zero-padded decimal digits of 0..999, and the length without leading zeros. */
const DEC3 = new Uint8Array(1000 * 3);
const DEC3_LEN = new Uint8Array(1000);
for (let i = 0; i < 1000; i++) {
  DEC3[i * 3] = 0x30 + Math.floor(i / 100);
  DEC3[i * 3 + 1] = 0x30 + (Math.floor(i / 10) % 10);
  DEC3[i * 3 + 2] = 0x30 + (i % 10);
  DEC3_LEN[i] = String(i).length;
}

const DOT = 0x2e;
const SLASH = 0x2f;
const BAR = 0x7c;
const ZERO = 0x30;

export abstract class ByteWriter {
  protected buf: Buffer;
  protected pos = 0;

  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }

  /** Makes room for `n` more bytes at `pos`. */
  protected abstract room(n: number): void;

  /** Bytes written into the current buffer. */
  get written(): number {
    return this.pos;
  }

  /** Appends bytes (TypedArray.set is a memcpy: faster than a loop even for 12 bytes). */
  bytes(b: Uint8Array): void {
    const n = b.length;
    this.room(n);
    this.buf.set(b, this.pos);
    this.pos += n;
  }

  /** Appends a short ASCII string (constant pieces, rare texts). */
  ascii(s: string): void {
    const n = s.length;
    if (this.pos + n > this.buf.length) this.room(n);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) buf[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  /** Appends one byte. */
  byte(c: number): void {
    if (this.pos >= this.buf.length) this.room(1);
    this.buf[this.pos++] = c;
  }

  /** Appends 0..255 in decimal. */
  dec8(v: number): void {
    if (this.pos + 3 > this.buf.length) this.room(3);
    const buf = this.buf;
    let p = this.pos;
    const o = v * 3;
    const n = DEC8_LEN[v] as number;
    buf[p++] = DEC8[o] as number;
    if (n > 1) buf[p++] = DEC8[o + 1] as number;
    if (n > 2) buf[p++] = DEC8[o + 2] as number;
    this.pos = p;
  }

  /** Appends an unsigned 32-bit number in decimal (three digits at a time). */
  dec32(v: number): void {
    if (v < 256) {
      this.dec8(v);
      return;
    }
    if (this.pos + 10 > this.buf.length) this.room(10);
    const buf = this.buf;
    let p = this.pos;
    // Groups of three digits, most significant first; only the first is unpadded.
    let g1 = 0;
    let g2 = 0;
    let g3 = 0;
    let top = v;
    let groups = 0;
    if (top >= 1000) {
      const q = Math.floor(top / 1000);
      g3 = top - q * 1000;
      top = q;
      groups = 1;
      if (top >= 1000) {
        const q2 = Math.floor(top / 1000);
        g2 = top - q2 * 1000;
        top = q2;
        groups = 2;
        if (top >= 1000) {
          const q3 = Math.floor(top / 1000);
          g1 = top - q3 * 1000;
          top = q3;
          groups = 3;
        }
      }
    }
    const n = DEC3_LEN[top] as number;
    for (let i = 3 - n; i < 3; i++) buf[p++] = DEC3[top * 3 + i] as number;
    if (groups >= 3) {
      buf[p++] = DEC3[g1 * 3] as number;
      buf[p++] = DEC3[g1 * 3 + 1] as number;
      buf[p++] = DEC3[g1 * 3 + 2] as number;
    }
    if (groups >= 2) {
      buf[p++] = DEC3[g2 * 3] as number;
      buf[p++] = DEC3[g2 * 3 + 1] as number;
      buf[p++] = DEC3[g2 * 3 + 2] as number;
    }
    if (groups >= 1) {
      buf[p++] = DEC3[g3 * 3] as number;
      buf[p++] = DEC3[g3 * 3 + 1] as number;
      buf[p++] = DEC3[g3 * 3 + 2] as number;
    }
    this.pos = p;
  }

  /** Appends a 32-bit number read as signed, in decimal (C's %d of an unsigned value). */
  decSigned32(v: number): void {
    const s = v | 0;
    if (s < 0) {
      this.byte(0x2d);
      this.dec32(-s);
    } else this.dec32(s);
  }

  /** Appends `v` in decimal with at least `width` digits (leading zeros). */
  decPadded(v: number, width: number): void {
    let n = 1;
    for (let t = 10; v >= t && n < 10; t *= 10) n++;
    for (; n < width; n++) this.byte(ZERO);
    this.dec32(v);
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

  /** The text written into the current buffer (tests and small outputs). */
  toString(): string {
    return this.buf.toString('latin1', 0, this.pos);
  }
}

/** A reusable, growable line part; view() is valid until the next reset(). */
export class LineScratch extends ByteWriter {
  constructor() {
    super(512);
  }

  protected room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(2 * this.buf.length, this.pos + n));
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }

  /** Drops what was written after `at` (a value of `written`). */
  truncate(at: number): void {
    if (at < this.pos) this.pos = at;
  }

  /** Empties the scratch. */
  reset(): this {
    this.pos = 0;
    return this;
  }

  /** The bytes written so far. */
  view(): Uint8Array {
    return new Uint8Array(this.buf.buffer, this.buf.byteOffset, this.pos);
  }
}

export class AsciiSink extends ByteWriter {
  private done: Buffer[] = [];
  private doneBytes = 0;
  /** Recycled buffers of `size` octets, ready for reuse. */
  private readonly free: Buffer[] = [];

  constructor(private readonly size = 1 << 20) {
    super(size);
  }

  /** Bytes written and not yet taken. */
  get length(): number {
    return this.doneBytes + this.pos;
  }

  protected room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    if (this.pos > 0) {
      this.done.push(this.buf.subarray(0, this.pos));
      this.doneBytes += this.pos;
    }
    this.buf = n <= this.size ? this.fresh() : Buffer.allocUnsafe(n);
    this.pos = 0;
  }

  private fresh(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafe(this.size);
  }

  /**
   * Gives back a buffer returned by take() once its content has been written out; it will be
   * written over. Buffers of another size (a single huge line) are left to the GC.
   */
  recycle(b: Buffer): void {
    const ab = b.buffer;
    if (b.byteOffset !== 0 || ab.byteLength !== this.size || this.free.length >= 8) return;
    if (ab === this.buf.buffer) return;
    this.free.push(Buffer.from(ab, 0, this.size));
  }

  /**
   * Appends one line per IPv4 prefix of an NLRI field (RFC 4271 §4.3; a 4-octet path
   * identifier first when `addPath`, RFC 7911 §3): `head`, the prefix with the bits past its
   * length masked, "|pathId" when `addPath`, then `rest` (which ends the line). The hot path
   * of a dump: one call per field, no per-line objects or strings. Stops at the first prefix
   * that does not fit the field or is longer than 32 bits; returns the lines written.
   */
  ipv4Lines(head: Uint8Array, nlri: Uint8Array, addPath: boolean, rest: Uint8Array): number {
    const end = nlri.length;
    const hl = head.length;
    const rl = rest.length;
    const need = hl + rl + 32;
    const step = addPath ? 5 : 1;
    // Room for every line the field can hold (one per `step` octets) is made up front when it
    // fits a buffer, so the loop below has no buffer switch: V8 then optimizes it at once.
    const most = Math.ceil(end / step) * need;
    if (most <= this.size) this.room(most);
    let lines = 0;
    let q = 0;
    while (q + step <= end) {
      const bits = nlri[q + step - 1] as number;
      const n = (bits + 7) >> 3;
      if (bits > 32 || q + step + n > end) break;
      let a = 0;
      const o = q + step;
      for (let i = 0; i < n; i++) a |= (nlri[o + i] as number) << (24 - 8 * i);
      if (bits < 32) a &= bits === 0 ? 0 : ~(0xffffffff >>> bits);
      if (this.pos + need > this.buf.length) this.room(need);
      const buf = this.buf;
      buf.set(head, this.pos);
      let p = this.pos + hl;
      for (let shift = 24; shift >= 0; shift -= 8) {
        const v = (a >>> shift) & 255;
        const d = v * 3;
        const len = DEC8_LEN[v] as number;
        buf[p++] = DEC8[d] as number;
        if (len > 1) buf[p++] = DEC8[d + 1] as number;
        if (len > 2) buf[p++] = DEC8[d + 2] as number;
        buf[p++] = shift === 0 ? SLASH : DOT;
      }
      const d = bits * 3;
      const len = DEC8_LEN[bits] as number;
      buf[p++] = DEC8[d] as number;
      if (len > 1) buf[p++] = DEC8[d + 1] as number;
      if (len > 2) buf[p++] = DEC8[d + 2] as number;
      this.pos = p;
      if (addPath) {
        this.buf[this.pos++] = BAR;
        this.dec32((((nlri[q] as number) << 24) | ((nlri[q + 1] as number) << 16) | ((nlri[q + 2] as number) << 8) | (nlri[q + 3] as number)) >>> 0);
      }
      this.buf.set(rest, this.pos);
      this.pos += rl;
      q = o + n;
      lines++;
    }
    return lines;
  }

  /** Hands out everything written so far (the caller owns the buffers until it recycles them). */
  take(): Buffer[] {
    const out = this.done;
    if (this.pos > 0) out.push(this.buf.subarray(0, this.pos));
    this.done = [];
    this.doneBytes = 0;
    this.buf = this.pos > 0 ? this.fresh() : this.buf;
    this.pos = 0;
    return out;
  }

  /** Everything written so far as one string (tests and small outputs). */
  takeText(): string {
    const parts = this.take();
    return parts.length === 0 ? '' : Buffer.concat(parts).toString('latin1');
  }
}
