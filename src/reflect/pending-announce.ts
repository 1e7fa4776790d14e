/**
 * The announcements an update group owes since its last flush, without an array per export
 * entry: (entry, skip, prefix id) triples in typed arrays, grouped at flush by (entry, skip)
 * in the order each group first appeared, with a counting sort. A full table adds a million
 * of them between flushes; growing one JS array per entry instead produced megabytes of
 * garbage per table for the collector to copy and promote.
 *
 * `skip` is the member that must not receive the group (the route's sender, RFC 4456), or -1.
 * Owns: the pending list. Must not: know entries, members or packets.
 */
import { grownCapacity, int32Array, resized } from '../rib/large-arrays.js';

/** Skip values are peer indexes below this (the group key packs entry and skip in one number). */
const SKIP_SPAN = 2 ** 21;

export class PendingAnnouncements {
  private group: Int32Array = new Int32Array(1024);
  private prefix: Int32Array = new Int32Array(1024);
  private n = 0;
  /** (entry, skip) key → group index, in first-seen order. */
  private readonly groups = new Map<number, number>();
  private keys: number[] = [];
  private counts: Int32Array = new Int32Array(64);
  private sorted: Int32Array = new Int32Array(1024);
  private lastKey = -1;
  private lastGroup = -1;

  get size(): number {
    return this.n;
  }

  add(entry: number, skip: number, prefixId: number): void {
    const key = entry * SKIP_SPAN + (skip + 1);
    let g = this.lastGroup;
    if (key !== this.lastKey) {
      const found = this.groups.get(key);
      if (found === undefined) {
        g = this.keys.length;
        this.groups.set(key, g);
        this.keys.push(key);
        if (g >= this.counts.length) {
          const c = new Int32Array(this.counts.length * 2);
          c.set(this.counts);
          this.counts = c;
        }
      } else g = found;
      this.lastKey = key;
      this.lastGroup = g;
    }
    if (this.n === this.prefix.length) this.grow();
    this.group[this.n] = g;
    this.prefix[this.n++] = prefixId;
    this.counts[g] = (this.counts[g] as number) + 1;
  }

  /**
   * Calls `fn` once per (entry, skip) group, in first-seen order, with the group's prefix ids
   * in `ids[start..start+count)` (in the order they were added; `fn` may reorder or overwrite
   * that range), then empties the list.
   */
  drain(fn: (entry: number, skip: number, ids: Int32Array, start: number, count: number) => void): void {
    const groups = this.keys.length;
    if (this.n === 0) {
      this.reset(groups);
      return;
    }
    if (this.sorted.length < this.n) this.sorted = int32Array(this.prefix.length);
    // Counting sort: group starts, then place each id after its group's earlier ids.
    const at = new Int32Array(groups);
    for (let g = 0, pos = 0; g < groups; g++) {
      at[g] = pos;
      pos += this.counts[g] as number;
    }
    const sorted = this.sorted;
    for (let i = 0; i < this.n; i++) {
      const g = this.group[i] as number;
      sorted[at[g] as number] = this.prefix[i] as number;
      at[g] = (at[g] as number) + 1;
    }
    for (let g = 0, pos = 0; g < groups; g++) {
      const count = this.counts[g] as number;
      const key = this.keys[g] as number;
      const entry = Math.floor(key / SKIP_SPAN);
      fn(entry, key - entry * SKIP_SPAN - 1, sorted, pos, count);
      pos += count;
    }
    this.reset(groups);
  }

  private reset(groups: number): void {
    this.counts.fill(0, 0, groups);
    this.groups.clear();
    this.keys = [];
    this.n = 0;
    this.lastKey = -1;
    this.lastGroup = -1;
  }

  private grow(): void {
    const cap = grownCapacity(this.prefix.length, this.n + 1);
    this.group = resized(this.group, cap);
    this.prefix = resized(this.prefix, cap);
  }
}
