/**
 * Prefix → dense id, for one address family, without one JS object per prefix: open
 * addressing with linear probing over typed arrays (STYLE.md §5). Keys are the masked prefix
 * octets plus the length; ids are dense (0, 1, 2...) and stable for the life of the prefix,
 * so other structures index parallel typed arrays by id. Ids of removed prefixes are
 * recycled.
 *
 * Layout (chosen for the 1M-prefix fan-out, where this table is the hottest structure):
 * - a slot is the key words (1 for IPv4, 4 for IPv6) then one meta word holding
 *   (length + 1) in its low bits and the id above them (0: empty, all ones: tombstone), so a
 *   probe touches one cache line and a hit needs no second lookup; IPv4 slots are 8 octets;
 * - the load stays at most 1/2 (short linear probes), and the table grows 4x while small,
 *   2x past 2^20 slots, so a full table costs a handful of rehashes, not twenty;
 * - per id: the key words and the length (what UPDATEs are built from); a free id has
 *   length FREE_LEN. No id → slot map: `remove` finds the slot by probing.
 */

import type { NlriTable } from './nlri-table.js';
import { grownCapacity, int32Array, resized, uint32Array } from './large-arrays.js';

/** idLen of an id not in use (no prefix is 255 bits long). */
const FREE_LEN = 0xff;
/** All ones (as an int32: words are kept signed so no value needs a heap number). */
const TOMBSTONE = -1;
/** 32-bit finaliser (MurmurHash3 fmix32): every key bit moves every hash bit. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

export class PrefixTable implements NlriTable {
  /** 32-bit words per key: 1 (IPv4) or 4 (IPv6). */
  readonly words: 1 | 4;
  /** Meta word: low `lenBits` bits hold length + 1, the rest the id. */
  private readonly lenBits: number;
  private readonly lenMask: number;
  private readonly maxId: number;
  private cap: number;
  private mask: number;
  /** Words per slot: the key words, then the meta word. */
  private readonly stride: number;
  private slots: Int32Array;
  private used = 0; // live + tombstones
  private live = 0;
  /** Id → key words and length (FREE_LEN: id not in use). */
  private idKey: Int32Array;
  private idLen: Uint8Array;
  private nextId = 0;
  private freeIds: Int32Array;
  private freeCount = 0;
  /** Scratch key (IPv6), filled by `setKey` before a lookup. */
  private readonly scratch = new Int32Array(4);

  constructor(words: 1 | 4, initialCapacity = 1024) {
    this.words = words;
    this.lenBits = words === 1 ? 6 : 8;
    this.lenMask = (1 << this.lenBits) - 1;
    this.maxId = 2 ** (32 - this.lenBits) - 1;
    let cap = 16;
    while (cap < initialCapacity * 2) cap <<= 1;
    this.cap = cap;
    this.mask = cap - 1;
    this.stride = words + 1;
    this.slots = new Int32Array(cap * this.stride);
    const idCap = Math.max(16, initialCapacity);
    this.idKey = new Int32Array(idCap * words);
    this.idLen = new Uint8Array(idCap).fill(FREE_LEN);
    this.freeIds = new Int32Array(16);
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

  /** Masked IPv4 key of `bits` (0..32) octets at bytes[offset..]. */
  private static v4Key(bits: number, bytes: Buffer | Uint8Array, offset: number): number {
    if (bits === 0) return 0;
    const n = (bits + 7) >> 3;
    let w = (bytes[offset] as number) << 24;
    if (n > 1) w |= (bytes[offset + 1] as number) << 16;
    if (n > 2) w |= (bytes[offset + 2] as number) << 8;
    if (n > 3) w |= bytes[offset + 3] as number;
    // RFC 4271 §4.3: bits past the length are irrelevant.
    return bits >= 32 ? w | 0 : w & ~(0xffffffff >>> bits);
  }

  /** Loads the masked IPv6 key of `bits` octets at bytes[offset..] into the scratch key. */
  private setKey(bits: number, bytes: Buffer | Uint8Array, offset: number): void {
    const n = (bits + 7) >> 3;
    const s = this.scratch;
    s[0] = 0;
    s[1] = 0;
    s[2] = 0;
    s[3] = 0;
    for (let i = 0; i < n; i++) {
      const w = i >> 2;
      s[w] = (s[w] as number) | ((bytes[offset + i] as number) << (24 - 8 * (i & 3)));
    }
    for (let w = 0; w < 4; w++) {
      const keep = bits - w * 32;
      if (keep <= 0) s[w] = 0;
      else if (keep < 32) s[w] = (s[w] as number) & ~(0xffffffff >>> keep);
    }
  }

  private hash6(bits: number): number {
    const s = this.scratch;
    let h = mix((s[0] as number) ^ Math.imul(bits + 1, 0x9e3779b1));
    h = mix(h ^ (s[1] as number));
    h = mix(h ^ (s[2] as number));
    return mix(h ^ (s[3] as number));
  }

  /** Slot index of the IPv4 key, or -1 - (the empty slot where it would go). */
  private find4(key: number, bits: number): number {
    const slots = this.slots;
    const mask = this.mask;
    const lenMask = this.lenMask;
    const want = bits + 1;
    let i = mix(key ^ Math.imul(want, 0x9e3779b1)) & mask;
    for (;;) {
      const meta = slots[2 * i + 1] as number;
      if (meta === 0) return -1 - i;
      if ((meta & lenMask) === want && slots[2 * i] === key && meta !== TOMBSTONE) return i;
      i = (i + 1) & mask;
    }
  }

  /** Slot index of the scratch IPv6 key, or -1 - (the empty slot where it would go). */
  private find6(bits: number): number {
    const slots = this.slots;
    const s = this.scratch;
    const mask = this.mask;
    const lenMask = this.lenMask;
    const want = bits + 1;
    let i = this.hash6(bits) & mask;
    for (;;) {
      const base = i * 5;
      const meta = slots[base + 4] as number;
      if (meta === 0) return -1 - i;
      if ((meta & lenMask) === want && meta !== TOMBSTONE && slots[base] === s[0] && slots[base + 1] === s[1] && slots[base + 2] === s[2] && slots[base + 3] === s[3]) return i;
      i = (i + 1) & mask;
    }
  }

  /** Sum of prefetched words (kept so the reads are not optimised away). */
  private sink = 0;

  /**
   * Reads the home slot of every IPv4 prefix of an NLRI run (wire form, `step` octets of
   * path id and length before each prefix) without inserting anything: independent loads
   * the CPU overlaps, so the inserts that follow find their slots in cache instead of
   * waiting for one memory (and TLB) miss after another. A no-op for IPv6.
   */
  prefetch(b: Buffer, start: number, end: number, step: number): void {
    if (this.words !== 1) return;
    const slots = this.slots;
    const mask = this.mask;
    let acc = 0;
    for (let p = start; p < end; ) {
      const bits = b[p + step - 1] as number;
      if (bits > 32) return;
      const key = PrefixTable.v4Key(bits, b, p + step);
      acc ^= slots[2 * (mix(key ^ Math.imul(bits + 1, 0x9e3779b1)) & mask) + 1] as number;
      p += step + ((bits + 7) >> 3);
    }
    this.sink ^= acc;
  }

  /** Id of the prefix, or -1. */
  get(bits: number, bytes: Buffer | Uint8Array, offset: number): number {
    let slot: number;
    if (this.words === 1) slot = this.find4(PrefixTable.v4Key(bits, bytes, offset), bits);
    else {
      this.setKey(bits, bytes, offset);
      slot = this.find6(bits);
    }
    return slot < 0 ? -1 : (this.slots[slot * this.stride + this.words] as number) >>> this.lenBits;
  }

  /** Id of the prefix, inserting it when absent. */
  intern(bits: number, bytes: Buffer | Uint8Array, offset: number): number {
    if (this.words === 1) {
      const key = PrefixTable.v4Key(bits, bytes, offset);
      let slot = this.find4(key, bits);
      if (slot >= 0) return (this.slots[2 * slot + 1] as number) >>> 6;
      if ((this.used + 1) * 2 > this.cap) {
        this.rehash(this.live + 1);
        slot = this.find4(key, bits);
      }
      const at = -1 - slot;
      const id = this.newId();
      this.slots[2 * at] = key;
      this.slots[2 * at + 1] = (id << 6) | (bits + 1);
      this.idKey[id] = key;
      this.idLen[id] = bits;
      this.used++;
      this.live++;
      return id;
    }
    this.setKey(bits, bytes, offset);
    let slot = this.find6(bits);
    if (slot >= 0) return (this.slots[slot * 5 + 4] as number) >>> 8;
    if ((this.used + 1) * 2 > this.cap) {
      this.rehash(this.live + 1);
      this.setKey(bits, bytes, offset);
      slot = this.find6(bits);
    }
    const at = -1 - slot;
    const id = this.newId();
    const base = at * 5;
    const s = this.scratch;
    for (let w = 0; w < 4; w++) {
      this.slots[base + w] = s[w] as number;
      this.idKey[id * 4 + w] = s[w] as number;
    }
    this.slots[base + 4] = (id << 8) | (bits + 1);
    this.idLen[id] = bits;
    this.used++;
    this.live++;
    return id;
  }

  private newId(): number {
    if (this.freeCount > 0) return this.freeIds[--this.freeCount] as number;
    const id = this.nextId++;
    if (id > this.maxId) throw new RangeError(`more than ${this.maxId + 1} prefixes in one family`);
    if (id >= this.idLen.length) this.growIds(id + 1);
    return id;
  }

  /** Removes a prefix by id (its id may be handed out again). */
  remove(id: number): void {
    if (!this.has(id)) return;
    const bits = this.idLen[id] as number;
    let slot: number;
    if (this.words === 1) slot = this.find4(this.idKey[id] as number, bits);
    else {
      for (let w = 0; w < 4; w++) this.scratch[w] = this.idKey[id * 4 + w] as number;
      slot = this.find6(bits);
    }
    if (slot < 0) throw new Error(`prefix id ${id} is not in its table`);
    this.slots[slot * this.stride + this.words] = TOMBSTONE;
    this.idLen[id] = FREE_LEN;
    this.live--;
    if (this.freeCount >= this.freeIds.length) {
      const f = new Int32Array(this.freeIds.length * 2);
      f.set(this.freeIds);
      this.freeIds = f;
    }
    this.freeIds[this.freeCount++] = id;
  }

  /** Whether an id currently names a prefix. */
  has(id: number): boolean {
    return id >= 0 && id < this.nextId && this.idLen[id] !== FREE_LEN;
  }

  /** Prefix length of an id. */
  bitsOf(id: number): number {
    return this.idLen[id] as number;
  }

  /** Writes the ceil(bits/8) prefix octets of an id at buf[offset..]; returns the offset after. */
  writePrefix(id: number, buf: Buffer, offset: number): number {
    const bits = this.idLen[id] as number;
    const n = (bits + 7) >> 3;
    if (this.words === 1) {
      const k = this.idKey[id] as number;
      if (n > 0) buf[offset] = k >>> 24;
      if (n > 1) buf[offset + 1] = (k >>> 16) & 0xff;
      if (n > 2) buf[offset + 2] = (k >>> 8) & 0xff;
      if (n > 3) buf[offset + 3] = k & 0xff;
      return offset + n;
    }
    const base = id * 4;
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

  /** Key word `w` of an id (4 octets, unsigned), for sorting and text. */
  keyWord(id: number, w: number): number {
    return (this.idKey[id * this.words + w] as number) >>> 0;
  }

  private growIds(min: number): void {
    const n = grownCapacity(this.idLen.length, min);
    this.idKey = resized(this.idKey, n * this.words);
    this.idLen = resized(this.idLen, n, FREE_LEN);
  }

  /**
   * Reinserts every live IPv4 id in the order of its home slot (a counting sort on the home
   * slot's 4 KiB page), so the new table is written front to back: a large rehash then costs
   * sequential page touches instead of one random cache and TLB miss per key.
   */
  private rehash4(lim: number): void {
    const idLen = this.idLen;
    const idKey = this.idKey;
    const mask = this.mask;
    const slots = this.slots;
    const PAGE_SHIFT = 9; // 512 slots of 8 octets
    const pages = (mask >>> PAGE_SHIFT) + 1;
    const count = new Int32Array(pages + 1);
    const home = uint32Array(lim);
    for (let id = 0; id < lim; id++) {
      const bits = idLen[id] as number;
      if (bits === FREE_LEN) continue;
      const h = mix((idKey[id] as number) ^ Math.imul(bits + 1, 0x9e3779b1)) & mask;
      home[id] = h;
      (count[(h >>> PAGE_SHIFT) + 1] as number)++;
    }
    for (let p = 0; p < pages; p++) count[p + 1] = (count[p + 1] as number) + (count[p] as number);
    const order = int32Array(count[pages] as number);
    for (let id = 0; id < lim; id++) {
      if (idLen[id] === FREE_LEN) continue;
      const p = (home[id] as number) >>> PAGE_SHIFT;
      order[count[p] as number] = id;
      count[p] = (count[p] as number) + 1;
    }
    for (let k = 0; k < order.length; k++) {
      const id = order[k] as number;
      let i = home[id] as number;
      while ((slots[2 * i + 1] as number) !== 0) i = (i + 1) & mask;
      slots[2 * i] = idKey[id] as number;
      slots[2 * i + 1] = (id << 6) | ((idLen[id] as number) + 1);
    }
    this.used = order.length;
  }

  /**
   * Grows (or only clears tombstones, when the live count allows) so the load is at most
   * 1/4 afterwards. Reinserts from the id arrays, which hold every live key densely.
   */
  private rehash(minLive: number): void {
    const cap = grownCapacity(this.cap, minLive * 4);
    const W = this.words;
    this.cap = cap;
    this.mask = cap - 1;
    this.slots = int32Array(cap * this.stride);
    this.used = 0;
    const lim = this.nextId;
    const idLen = this.idLen;
    const idKey = this.idKey;
    if (W === 1) {
      this.rehash4(lim);
      return;
    }
    const s = this.scratch;
    for (let id = 0; id < lim; id++) {
      const bits = idLen[id] as number;
      if (bits === FREE_LEN) continue;
      for (let w = 0; w < 4; w++) s[w] = idKey[id * 4 + w] as number;
      const at = -1 - this.find6(bits);
      const base = at * 5;
      for (let w = 0; w < 4; w++) this.slots[base + w] = s[w] as number;
      this.slots[base + 4] = (id << 8) | (bits + 1);
      this.used++;
    }
  }
}
