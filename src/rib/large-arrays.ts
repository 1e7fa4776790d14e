/**
 * Allocation and growth of the RIB's large typed arrays (prefix hash table, per-prefix and per-path
 * arrays, update-group Adj-RIB-Out). An array of 2 MiB or more is placed on a 2 MiB boundary
 * of a slightly larger ArrayBuffer that a huge-page advisor has marked for transparent huge
 * pages, when the composition root installed one (src/cli/memory-advice.ts, over the
 * meshrr_memory addon): a full table then costs a few dozen first-touch page faults instead
 * of ~15,000, and the hash table's random probes far fewer TLB misses. Without an advisor
 * (tests, other hosts) these are plain `new Int32Array(n)` and so on.
 *
 * The extra 2 MiB of each buffer is never written, so it is never backed by memory.
 * Owns: where large arrays live. Must not: do I/O (the advisor is injected).
 */

/** Table and id-space capacity growth: 4x while below this many entries, then 2x. */
const FAST_GROWTH_BELOW = 1 << 20;

/**
 * The capacity after growing `cur` to hold at least `min`: geometric, 4x while small so a
 * full table costs a handful of copies, 2x past 2^20 entries so the slack stays bounded.
 */
export function grownCapacity(cur: number, min: number): number {
  let n = Math.max(cur, 16);
  while (n < min) n *= n < FAST_GROWTH_BELOW ? 4 : 2;
  return n;
}

/** Returns the byte offset of the buffer's first 2 MiB boundary after advising huge pages from there, or -1. */
export type HugePageAdvisor = (buf: ArrayBuffer, bytes: number) => number;

const HUGE_PAGE = 2 << 20;
let advisor: HugePageAdvisor | null = null;

/** Installs (or removes, with null) the huge-page advisor for arrays allocated from now on. */
export function setHugePageAdvisor(a: HugePageAdvisor | null): void {
  advisor = a;
}

/** Whether arrays are being placed on advised huge pages (for status and the bench). */
export function hugePagesAdvised(): boolean {
  return advisor !== null;
}

/** An aligned, advised buffer for `bytes`, with the view offset; null: allocate plainly. */
function advised(bytes: number): { buf: ArrayBuffer; offset: number } | null {
  if (advisor === null || bytes < HUGE_PAGE) return null;
  const buf = new ArrayBuffer(bytes + HUGE_PAGE);
  const offset = advisor(buf, bytes);
  return offset < 0 ? { buf, offset: 0 } : { buf, offset };
}

export function int32Array(n: number): Int32Array {
  const a = advised(n * 4);
  return a === null ? new Int32Array(n) : new Int32Array(a.buf, a.offset, n);
}

export function uint32Array(n: number): Uint32Array {
  const a = advised(n * 4);
  return a === null ? new Uint32Array(n) : new Uint32Array(a.buf, a.offset, n);
}

export function uint8Array(n: number): Uint8Array {
  const a = advised(n);
  return a === null ? new Uint8Array(n) : new Uint8Array(a.buf, a.offset, n);
}

/**
 * A copy of `a` of length `n` (on huge pages when large, like the originals); entries past
 * `a.length` are `fill`. How every RIB array grows.
 */
export function resized(a: Int32Array, n: number, fill?: number): Int32Array;
export function resized(a: Uint32Array, n: number, fill?: number): Uint32Array;
export function resized(a: Uint8Array, n: number, fill?: number): Uint8Array;
export function resized(a: Int32Array | Uint32Array | Uint8Array, n: number, fill = 0): Int32Array | Uint32Array | Uint8Array {
  if (a instanceof Int32Array) return copyInto(int32Array(n), a, fill);
  if (a instanceof Uint32Array) return copyInto(uint32Array(n), a, fill);
  return copyInto(uint8Array(n), a, fill);
}

function copyInto<T extends Int32Array | Uint32Array | Uint8Array>(b: T, a: T, fill: number): T {
  b.set(a);
  if (fill !== 0) b.fill(fill, a.length);
  return b;
}
