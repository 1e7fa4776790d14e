/**
 * UPDATE bodies parsed once per client process: a reflector with update groups writes the
 * same bytes to every member, so the receivers of one process look each distinct body up in
 * a content-keyed cache (a hash of sampled words, then a full byte compare) and apply its
 * prefix indices instead of hashing every prefix again. A body is parsed with PrefixIndex
 * lookups the first time; the cache stops growing at a byte budget (a reflector that packs
 * per peer, like BIRD, then costs full parsing for the rest).
 */
import { maskOf, type PrefixIndex } from './prefix-index.js';

/** The prefixes of one UPDATE body as PrefixIndex indices (-1: not in the index). */
export interface ParsedUpdate {
  readonly withdrawn: Int32Array;
  readonly announced: Int32Array;
}

interface Entry extends ParsedUpdate {
  readonly body: Buffer;
}

const NO_PREFIXES = new Int32Array(0);

function parsePrefixes(index: PrefixIndex, buf: Buffer, p: number, end: number, scratch: Int32Array): Int32Array {
  let n = 0;
  while (p < end) {
    const len = buf[p] as number;
    const bytes = (len + 7) >> 3;
    let a = 0;
    for (let i = 0; i < bytes; i++) a |= (buf[p + 1 + i] as number) << (24 - 8 * i);
    p += 1 + bytes;
    scratch[n++] = index.get((a & maskOf(len)) >>> 0, len);
  }
  return n === 0 ? NO_PREFIXES : scratch.slice(0, n);
}

export class UpdateMemo {
  private readonly map = new Map<number, Entry[]>();
  private bytes = 0;
  hits = 0;
  misses = 0;
  /** One UPDATE of 65535 octets holds at most 65535 / 1 prefixes. */
  private readonly scratch = new Int32Array(65536);

  constructor(
    private readonly index: PrefixIndex,
    private readonly budget = 256 << 20,
  ) {}

  /** Key from the length and up to 32 words spread over the body. */
  private static key(buf: Buffer, start: number, end: number): number {
    const len = end - start;
    let h = Math.imul(len, 0x9e3779b1);
    const words = len >> 2;
    const step = words <= 32 ? 1 : Math.floor(words / 32);
    for (let w = 0; w < words; w += step) {
      h = Math.imul(h ^ buf.readInt32LE(start + 4 * w), 0x85ebca6b);
      h ^= h >>> 13;
    }
    return h;
  }

  /** The prefixes of the UPDATE body buf[start, end). */
  parse(buf: Buffer, start: number, end: number): ParsedUpdate {
    const key = UpdateMemo.key(buf, start, end);
    const bucket = this.map.get(key);
    if (bucket !== undefined) {
      for (const e of bucket) {
        if (e.body.length === end - start && buf.compare(e.body, 0, e.body.length, start, end) === 0) {
          this.hits++;
          return e;
        }
      }
    }
    this.misses++;
    const wEnd = start + 2 + buf.readUInt16BE(start);
    const aEnd = wEnd + 2 + buf.readUInt16BE(wEnd);
    const withdrawn = parsePrefixes(this.index, buf, start + 2, wEnd, this.scratch);
    const announced = parsePrefixes(this.index, buf, aEnd, end, this.scratch);
    const size = end - start + 4 * (withdrawn.length + announced.length) + 64;
    if (this.bytes + size > this.budget) return { withdrawn, announced };
    this.bytes += size;
    const e: Entry = { withdrawn, announced, body: Buffer.from(buf.subarray(start, end)) };
    if (bucket === undefined) this.map.set(key, [e]);
    else bucket.push(e);
    return e;
  }
}
