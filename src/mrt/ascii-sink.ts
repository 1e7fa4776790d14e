/**
 * An append-only ASCII output buffer for text dumps: lines are written as bytes straight into
 * large Buffers (1 MiB by default) instead of being built as many small strings and joined,
 * which keeps a 500k-line dump free of per-line string garbage. Full buffers are handed out by
 * take() and never written to again until the caller gives them back with recycle() (once
 * written out): reusing them spares the page faults of fresh 1 MiB allocations.
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
  /** Recycled buffers of `size` octets, ready for reuse. */
  private readonly free: Buffer[] = [];

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
      if (addPath) {
        buf[p++] = BAR;
        const id = (((nlri[q] as number) << 24) | ((nlri[q + 1] as number) << 16) | ((nlri[q + 2] as number) << 8) | (nlri[q + 3] as number)) >>> 0;
        p += buf.write(String(id), p, 'latin1');
      }
      buf.set(rest, p);
      this.pos = p + rl;
      q = o + n;
      lines++;
    }
    return lines;
  }

  /** Hands out everything written so far (the caller owns the buffers). */
  take(): Buffer[] {
    const out = this.done;
    if (this.pos > 0) out.push(this.buf.subarray(0, this.pos));
    this.done = [];
    this.doneBytes = 0;
    // The current buffer now belongs to the caller; start a fresh one.
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
