/**
 * The paths of one address family (FamilyRib) as parallel typed arrays: a path is a slot
 * index, not an object (STYLE.md §5). Per slot: the next slot of its prefix's chain, the peer
 * (-1: a free slot), the effective attribute set (after the import filter; -1 when filtered
 * or free), the prefix id, flags, and, only once they are needed, the set as received and the
 * RFC 7911 path identifier.
 *
 * A peer's paths are found by scanning `peer[0..count)`, as FRR's bgp_clear_route and
 * BIRD's table prune walk the table: a per-peer list would cost two words and four writes on
 * every path of a full table, for an operation that happens when a session ends.
 *
 * Owns: slot storage and recycling. Must not: know prefixes' hash table, sets' reference
 * counts or the decision process (FamilyRib does).
 */
import { grownCapacity, resized, uint32Array } from './large-arrays.js';

/** Path flag: kept from before a graceful restart or enhanced refresh (RFC 4724, RFC 7313). */
export const STALE = 1;
/** Path flag: rejected by the import filter (kept in Adj-RIB-In, out of the decision). */
export const FILTERED = 2;

export class PathSlots {
  /** Next slot in the prefix's chain (-1: the last). */
  next: Int32Array;
  /** Peer index (-1: a free slot). */
  peer: Int32Array;
  /** Effective (post-import-filter) attribute set id; -1 when filtered or free. */
  set: Int32Array;
  /**
   * Attribute set id as received (Adj-RIB-In); null while every path's received set is its
   * effective set (no filter ever changed one), which saves a word per path (`inOf`).
   */
  inSet: Int32Array | null = null;
  /** Received path identifier (RFC 7911); null while every one is 0 (no add-path peer). */
  pathId: Uint32Array | null = null;
  prefix: Int32Array;
  flags: Uint8Array;
  private readonly free: number[] = [];
  /** Slots ever handed out: scans of every path stop here. */
  count = 0;

  constructor(capacity = 1024) {
    this.next = new Int32Array(capacity);
    this.peer = new Int32Array(capacity);
    this.set = new Int32Array(capacity);
    this.prefix = new Int32Array(capacity);
    this.flags = new Uint8Array(capacity);
  }

  /** A free slot (recycled first); the caller fills every field. */
  alloc(): number {
    const f = this.free.pop();
    if (f !== undefined) return f;
    const s = this.count++;
    if (s >= this.next.length) this.grow(s + 1);
    return s;
  }

  /** Frees a slot (its references must already be dropped). */
  release(s: number): void {
    this.peer[s] = -1;
    this.set[s] = -1;
    if (this.inSet !== null) this.inSet[s] = -1;
    this.free.push(s);
  }

  /** Received set id of path `s`. */
  inOf(s: number): number {
    const a = this.inSet;
    return a === null ? (this.set[s] as number) : (a[s] as number);
  }

  /** Records the received set of path `s`, installed with effective set id `effId` (-1: filtered). */
  setIn(s: number, inId: number, effId: number): void {
    if (this.inSet === null) {
      if (effId === inId) return;
      this.materializeIn();
    }
    (this.inSet as Int32Array)[s] = inId;
  }

  /** From now on, received sets are kept apart from effective sets. */
  materializeIn(): void {
    this.inSet = resized(this.set, this.set.length);
  }

  pathIdOf(s: number): number {
    const a = this.pathId;
    return a === null ? 0 : (a[s] as number);
  }

  setPathId(s: number, pathId: number): void {
    if (this.pathId === null) this.pathId = uint32Array(this.next.length);
    this.pathId[s] = pathId;
  }

  private grow(min: number): void {
    const n = grownCapacity(this.next.length, min);
    this.next = resized(this.next, n);
    this.peer = resized(this.peer, n);
    this.set = resized(this.set, n);
    this.prefix = resized(this.prefix, n);
    if (this.inSet !== null) this.inSet = resized(this.inSet, n);
    if (this.pathId !== null) this.pathId = resized(this.pathId, n);
    this.flags = resized(this.flags, n);
  }
}
