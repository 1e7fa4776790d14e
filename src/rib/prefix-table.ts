/**
 * Prefix → dense id, for one address family, without one JS object per prefix: open
 * addressing with linear probing over typed arrays (STYLE.md §5). Keys are the masked prefix
 * octets plus the length; ids are dense (0, 1, 2...) and stable for the life of the table,
 * so other structures index parallel typed arrays by id. Ids of removed prefixes are
 * recycled.
 *
 * IPv4 keys are one 32-bit word, IPv6 keys four. The prefix octets of each id are kept so
 * UPDATEs can be built from ids alone.
 */

import type { NlriTable } from './nlri-table.js';

const EMPTY = 0xff;
const TOMBSTONE = 0xfe;

export class PrefixTable implements NlriTable {
  /** 32-bit words per key: 1 (IPv4) or 4 (IPv6). */
  readonly words: 1 | 4;
  private cap: number;
  private mask: number;
  /** Words per slot: the key words, the length (or EMPTY / TOMBSTONE), the id. */
  private readonly stride: number;
  /** Slots interleaved (one cache line per probe): key words, length, id. */
  private slots: Uint32Array;
  private used = 0; // live + tombstones
  private live = 0;
  /** Id → key words and length. */
  private idKey: Uint32Array;
  private idLen: Uint8Array;
  private idSlot: Int32Array;
  private nextId = 0;
  private freeIds: number[] = [];

  constructor(words: 1 | 4, initialCapacity = 1024) {
    this.words = words;
    let cap = 16;
    while (cap < initialCapacity * 2) cap <<= 1;
    this.cap = cap;
    this.mask = cap - 1;
    this.stride = words + 2;
    this.slots = PrefixTable.emptySlots(cap, this.stride);
    const idCap = Math.max(16, initialCapacity);
    this.idKey = new Uint32Array(idCap * words);
    this.idLen = new Uint8Array(idCap);
    this.idSlot = new Int32Array(idCap);
  }

  private static emptySlots(cap: number, stride: number): Uint32Array {
    const a = new Uint32Array(cap * stride);
    for (let i = stride - 2; i < a.length; i += stride) a[i] = EMPTY;
    return a;
  }

  /** Number of prefixes held. */
  get size(): number {
    return this.live;
  }

  /** One past the largest id ever handed out (size parallel arrays with this). */
  get idLimit(): number {
    return this.nextId;
  }

  /** Capacity of the id space before the parallel arrays must grow. */
  get idCapacity(): number {
    return this.idLen.length;
  }

  private hash(k: Uint32Array, off: number, len: number): number {
    let h = Math.imul(len + 0x9e3779b1, 0x85ebca6b);
    for (let i = 0; i < this.words; i++) {
      h ^= k[off + i] as number;
      h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
      h = Math.imul(h ^ (h >>> 12), 0x297a2d39);
    }
    return (h ^ (h >>> 15)) >>> 0;
  }

  /** Scratch key, filled by `setKey` before lookups. */
  private readonly scratch = new Uint32Array(4);

  /** Loads the masked key of `bits` octets at bytes[offset..] into the scratch key. */
  private setKey(bits: number, bytes: Buffer | Uint8Array, offset: number): void {
    const n = (bits + 7) >> 3;
    const s = this.scratch;
    s[0] = 0;
    s[1] = 0;
    s[2] = 0;
    s[3] = 0;
    for (let i = 0; i < n; i++) {
      const w = i >> 2;
      s[w] = ((s[w] as number) | ((bytes[offset + i] as number) << (24 - 8 * (i & 3)))) >>> 0;
    }
    // mask bits past the length (RFC 4271 §4.3: they are irrelevant)
    for (let w = 0; w < this.words; w++) {
      const keep = bits - w * 32;
      if (keep <= 0) s[w] = 0;
      else if (keep < 32) s[w] = ((s[w] as number) & ~(0xffffffff >>> keep)) >>> 0;
    }
  }

  private findSlot(bits: number): number {
    const s = this.scratch;
    const W = this.words;
    const st = this.stride;
    const slots = this.slots;
    let i = this.hash(s, 0, bits) & this.mask;
    for (;;) {
      const base = i * st;
      const l = slots[base + W] as number;
      if (l === EMPTY) return -1 - i;
      if (l === bits) {
        let eq = true;
        for (let w = 0; w < W; w++) {
          if (slots[base + w] !== s[w]) {
            eq = false;
            break;
          }
        }
        if (eq) return i;
      }
      i = (i + 1) & this.mask;
    }
  }

  /** Id of the prefix, or -1. */
  get(bits: number, bytes: Buffer | Uint8Array, offset: number): number {
    this.setKey(bits, bytes, offset);
    const slot = this.findSlot(bits);
    return slot < 0 ? -1 : (this.slots[slot * this.stride + this.words + 1] as number);
  }

  /** Id of the prefix, inserting it when absent. */
  intern(bits: number, bytes: Buffer | Uint8Array, offset: number): number {
    this.setKey(bits, bytes, offset);
    const slot = this.findSlot(bits);
    if (slot >= 0) return this.slots[slot * this.stride + this.words + 1] as number;
    if ((this.used + 1) * 10 > this.cap * 6) {
      this.rehash(this.live + 1);
      return this.intern(bits, bytes, offset);
    }
    const at = -1 - slot;
    const id = this.freeIds.length > 0 ? (this.freeIds.pop() as number) : this.nextId++;
    if (id >= this.idLen.length) this.growIds(id + 1);
    const W = this.words;
    const base = at * this.stride;
    for (let w = 0; w < W; w++) {
      this.slots[base + w] = this.scratch[w] as number;
      this.idKey[id * W + w] = this.scratch[w] as number;
    }
    this.slots[base + W] = bits;
    this.slots[base + W + 1] = id;
    this.idLen[id] = bits;
    this.idSlot[id] = at;
    this.used++;
    this.live++;
    return id;
  }

  /** Removes a prefix by id (its id may be handed out again). */
  remove(id: number): void {
    const slot = this.idSlot[id] as number;
    if (slot < 0) return;
    const base = slot * this.stride;
    const l = this.slots[base + this.words] as number;
    if (this.slots[base + this.words + 1] !== id || l === EMPTY || l === TOMBSTONE) return;
    this.slots[base + this.words] = TOMBSTONE;
    this.idSlot[id] = -1;
    this.live--;
    this.freeIds.push(id);
  }

  /** Whether an id currently names a prefix. */
  has(id: number): boolean {
    return id >= 0 && id < this.nextId && (this.idSlot[id] as number) >= 0;
  }

  /** Prefix length of an id. */
  bitsOf(id: number): number {
    return this.idLen[id] as number;
  }

  /** Writes the ceil(bits/8) prefix octets of an id at buf[offset..]; returns the offset after. */
  writePrefix(id: number, buf: Buffer, offset: number): number {
    const bits = this.idLen[id] as number;
    const n = (bits + 7) >> 3;
    const base = id * this.words;
    for (let i = 0; i < n; i++) buf[offset + i] = ((this.idKey[base + (i >> 2)] as number) >>> (24 - 8 * (i & 3))) & 0xff;
    return offset + n;
  }

  nlriLength(id: number): number {
    return 1 + (((this.idLen[id] as number) + 7) >> 3);
  }

  writeNlri(id: number, buf: Buffer, off: number): number {
    buf[off] = this.idLen[id] as number;
    return this.writePrefix(id, buf, off + 1);
  }

  lookupNlri(bytes: Buffer, start: number, _end: number): number {
    return this.get(bytes[start] as number, bytes, start + 1);
  }

  /** Octets of the key words of an id (4 per word), for sorting and text. */
  keyWord(id: number, w: number): number {
    return this.idKey[id * this.words + w] as number;
  }

  private growIds(min: number): void {
    let n = this.idLen.length;
    while (n < min) n *= 2;
    const k = new Uint32Array(n * this.words);
    k.set(this.idKey);
    this.idKey = k;
    const l = new Uint8Array(n);
    l.set(this.idLen);
    this.idLen = l;
    const s = new Int32Array(n).fill(-1);
    s.set(this.idSlot);
    this.idSlot = s;
  }

  /** Grows (or cleans tombstones) so the load is at most 0.3 afterwards; growth is by doubling. */
  private rehash(minLive: number): void {
    let cap = 16;
    while (cap * 3 < minLive * 10) cap <<= 1;
    const W = this.words;
    const st = this.stride;
    const old = this.slots;
    this.cap = cap;
    this.mask = cap - 1;
    this.slots = PrefixTable.emptySlots(cap, st);
    this.used = 0;
    for (let base = 0; base < old.length; base += st) {
      const l = old[base + W] as number;
      if (l === EMPTY || l === TOMBSTONE) continue;
      for (let w = 0; w < W; w++) this.scratch[w] = old[base + w] as number;
      const at = -1 - this.findSlot(l);
      const nb = at * st;
      for (let w = 0; w < W; w++) this.slots[nb + w] = this.scratch[w] as number;
      this.slots[nb + W] = l;
      const id = old[base + W + 1] as number;
      this.slots[nb + W + 1] = id;
      this.idSlot[id] = at;
      this.used++;
    }
  }
}
