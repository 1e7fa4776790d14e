/**
 * IPv4 prefix bookkeeping for the fan-out clients without per-prefix objects: a PrefixIndex
 * maps (address, length) to a dense index with an open-addressing hash over typed arrays,
 * and `tableTarget` replays a table (concatenated BGP UPDATE messages) to find the prefixes a
 * receiver must hold at the end (announced and not withdrawn since). Receivers then keep one
 * byte per index. Addresses are masked to their length, as every reflector does.
 */
import { HEADER_LENGTH, MARKER_LENGTH, MSG } from '../src/wire/iana.js';

/** Network mask of a prefix length as an unsigned 32-bit number. */
export function maskOf(len: number): number {
  return len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
}

/**
 * Open addressing with linear probing over one Int32Array of slot pairs (address, then
 * index << 6 | length + 1; 0 marks an empty slot), so a lookup touches one cache line.
 */
export class PrefixIndex {
  private slots: Int32Array;
  private mask: number;
  /** Prefixes stored; indices run from 0 to size - 1. */
  size = 0;

  constructor(expected = 1024) {
    let cap = 1024;
    while (cap < expected * 2) cap *= 2;
    this.slots = new Int32Array(cap * 2);
    this.mask = cap - 1;
  }

  private static slot(addr: number, len: number, mask: number): number {
    let h = Math.imul(addr, 0x9e3779b1) ^ Math.imul(len + 1, 0x85ebca6b);
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    h ^= h >>> 13;
    return h & mask;
  }

  /** Index of a (masked) prefix, or -1. */
  get(addr: number, len: number): number {
    const a = addr | 0;
    const mask = this.mask;
    const slots = this.slots;
    let s = PrefixIndex.slot(a, len, mask);
    for (;;) {
      const v = slots[2 * s + 1] as number;
      if (v === 0) return -1;
      if ((v & 63) === len + 1 && slots[2 * s] === a) return v >>> 6;
      s = (s + 1) & mask;
    }
  }

  /** Index of a (masked) prefix, added if new. */
  add(addr: number, len: number): number {
    const found = this.get(addr, len);
    if (found >= 0) return found;
    if ((this.size + 1) * 2 > this.mask + 1) this.grow();
    const idx = this.size++;
    this.put(addr | 0, (idx << 6) | (len + 1));
    return idx;
  }

  private put(a: number, v: number): void {
    let s = PrefixIndex.slot(a, (v & 63) - 1, this.mask);
    while (this.slots[2 * s + 1] !== 0) s = (s + 1) & this.mask;
    this.slots[2 * s] = a;
    this.slots[2 * s + 1] = v;
  }

  private grow(): void {
    const old = this.slots;
    this.mask = this.mask * 2 + 1;
    this.slots = new Int32Array((this.mask + 1) * 2);
    for (let i = 0; i < old.length; i += 2) {
      const v = old[i + 1] as number;
      if (v !== 0) this.put(old[i] as number, v);
    }
  }
}

/** Calls `fn(addr, len)` for each IPv4 prefix in buf[p, end); returns false if one overruns. */
export function forEachIpv4(buf: Buffer, p: number, end: number, fn: (addr: number, len: number) => void): boolean {
  while (p < end) {
    const len = buf[p] as number;
    const n = (len + 7) >> 3;
    if (len > 32 || p + 1 + n > end) return false;
    let a = 0;
    for (let i = 0; i < n; i++) a |= (buf[p + 1 + i] as number) << (24 - 8 * i);
    fn((a & maskOf(len)) >>> 0, len);
    p += 1 + n;
  }
  return true;
}

/** The final table of a replay: every prefix seen, and which of them are held at the end. */
export interface TableTarget {
  readonly index: PrefixIndex;
  /** 1 for each index held at the end of the table. */
  readonly target: Uint8Array;
  readonly targetCount: number;
  readonly updates: number;
}

/** Replays concatenated UPDATE messages (withdrawals, then announcements, per message). */
export function tableTarget(table: Buffer): TableTarget {
  const index = new PrefixIndex(1 << 16);
  let live = new Uint8Array(1 << 16);
  let updates = 0;
  const set = (v: number) => (addr: number, len: number): void => {
    const i = index.add(addr, len);
    if (i >= live.length) {
      const l = new Uint8Array(live.length * 2);
      l.set(live);
      live = l;
    }
    live[i] = v;
  };
  const withdraw = set(0);
  const announce = set(1);
  let off = 0;
  while (off + HEADER_LENGTH <= table.length) {
    const length = table.readUInt16BE(off + MARKER_LENGTH);
    const type = table[off + MARKER_LENGTH + 2];
    if (length < HEADER_LENGTH || off + length > table.length) throw new Error(`table: bad message at ${off}`);
    if (type === MSG.UPDATE) {
      updates++;
      let p = off + HEADER_LENGTH;
      const end = off + length;
      const wl = table.readUInt16BE(p);
      p += 2;
      forEachIpv4(table, p, p + wl, withdraw);
      p += wl;
      const al = table.readUInt16BE(p);
      p += 2 + al;
      forEachIpv4(table, p, end, announce);
    }
    off += length;
  }
  const target = live.subarray(0, index.size);
  let targetCount = 0;
  for (let i = 0; i < target.length; i++) targetCount += target[i] as number;
  return { index, target, targetCount, updates };
}
