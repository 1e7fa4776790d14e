/**
 * The paths of one address family (IPv4 or IPv6 unicast): every candidate path per prefix
 * (the Adj-RIB-In of every peer, RFC 4271 §3.2), kept in typed arrays: a prefix is a dense id
 * from PrefixTable, a path is a slot of PathSlots linked per prefix. No object per prefix or
 * per path (STYLE.md §5). FamilyRib (family-rib.ts) adds the decision process over them.
 *
 * Each path keeps the attribute set it was received with (`inSet`, the Adj-RIB-In as
 * received) and its effective set after the import filter (`set`: the same id when the
 * filter changed nothing, -1 with the FILTERED flag when it rejected the path). A path holds
 * one reference on its received set and one more on its effective set when that differs.
 * Filtered paths stay (they count as received) but never enter the decision process, so they
 * never reach export (import-filter.ts).
 *
 * Changes only mark prefixes dirty (DirtyQueue); the decision process takes them from there.
 */
import type { AttrSet, AttrSetTable } from './attr-set.js';
import { PrefixTable } from './prefix-table.js';
import type { NlriTable } from './nlri-table.js';
import type { ImportFilter } from './import-filter.js';
import type { NlriBlock } from '../wire/attribute-types.js';
import { grownCapacity, resized } from './large-arrays.js';
import { PathSlots, STALE, FILTERED } from './path-slots.js';
import { DirtyQueue } from './dirty-queue.js';

export class FamilyPaths {
  readonly afi: number;
  readonly safi: number;
  readonly prefixes: PrefixTable;
  /**
   * First path slot of each prefix (-1: none). The chain is kept so that its first accepted
   * path is the best one as of the prefix's last decision (`decide` moves the winner to the
   * front; new paths go second), so no per-prefix best-path arrays are needed.
   */
  protected head: Int32Array;
  protected readonly dirty = new DirtyQueue();
  protected readonly ps = new PathSlots();
  /** Paths per peer (received), for max-prefix and status. */
  private perPeer: number[] = [];
  /** Paths per peer the import filter rejected. */
  private perPeerFiltered: number[] = [];
  private paths = 0;
  protected filter: ImportFilter | null = null;

  constructor(
    afi: number,
    safi: number,
    readonly sets: AttrSetTable,
  ) {
    this.afi = afi;
    this.safi = safi;
    this.prefixes = new PrefixTable(afi === 1 ? 1 : 4, 1024);
    this.head = new Int32Array(1024).fill(-1);
  }

  get table(): NlriTable {
    return this.prefixes;
  }

  /**
   * Installs (or replaces) the peer's path for every prefix of the block, received with
   * `set`; the import filter (if any) decides the effective set. Returns the prefix count.
   */
  announceBlock(peer: number, block: NlriBlock, set: AttrSet): number {
    const f = this.filter;
    const b = block.bytes;
    const end = b.length;
    const step = block.addPath ? 5 : 1;
    let n = 0;
    this.prefixes.prefetch(b, 0, end, step);
    if (f === null || !f.perPrefix) {
      // One outcome for the whole block (RFC 4271 §9.1.1 per route, but it depends on the set only).
      const eff = f === null ? set : f.apply(peer, this.afi, this.safi, set, null);
      for (let p = 0; p < end; n++) {
        const bits = b[p + step - 1] as number;
        this.announce(peer, bits, b, p + step, step === 5 ? b.readUInt32BE(p) : 0, set, eff);
        p += step + ((bits + 7) >> 3);
      }
      if (f !== null && eff !== null) this.sets.release(eff);
      return n;
    }
    for (let p = 0; p < end; n++) {
      const bits = b[p + step - 1] as number;
      const next = p + step + ((bits + 7) >> 3);
      const eff = f.apply(peer, this.afi, this.safi, set, b.subarray(p + step - 1, next));
      this.announce(peer, bits, b, p + step, step === 5 ? b.readUInt32BE(p) : 0, set, eff);
      if (eff !== null) this.sets.release(eff);
      p = next;
    }
    return n;
  }

  withdrawBlock(peer: number, block: NlriBlock): number {
    const b = block.bytes;
    const end = b.length;
    const step = block.addPath ? 5 : 1;
    let n = 0;
    this.prefixes.prefetch(b, 0, end, step);
    for (let p = 0; p < end; n++) {
      const bits = b[p + step - 1] as number;
      this.withdraw(peer, bits, b, p + step, step === 5 ? b.readUInt32BE(p) : 0);
      p += step + ((bits + 7) >> 3);
    }
    return n;
  }

  /** Sets the import filter for later announcements; `reimport` applies it to what is held. */
  setImportFilter(f: ImportFilter | null): void {
    this.filter = f;
  }

  /** Received and accepted (not filtered) paths of a peer in this family. */
  peerCounts(peer: number): { received: number; accepted: number } {
    const received = this.perPeer[peer] ?? 0;
    return { received, accepted: received - (this.perPeerFiltered[peer] ?? 0) };
  }

  /**
   * Moves path `s` (received with `inSet`) to effective set `eff` (null: filtered), taking a
   * reference on the new effective set and dropping the old one. Marks the prefix dirty and
   * returns true when the effective set changed.
   */
  protected setEffective(s: number, inSet: AttrSet, eff: AttrSet | null): boolean {
    const old = this.ps.set[s] as number;
    const next = eff === null ? -1 : eff.id;
    if (old === next) return false;
    // The received set is about to differ from the effective one: keep it apart.
    if (this.ps.inSet === null && next !== inSet.id) this.ps.materializeIn();
    if (eff !== null && eff !== inSet) this.sets.retain(eff);
    if (old >= 0 && old !== inSet.id) this.sets.release(this.sets.get(old));
    this.ps.set[s] = next;
    this.setFiltered(s, eff === null);
    this.markDirty(this.ps.prefix[s] as number);
    return true;
  }

  /** The references a path received with `inSet` and installed with `eff` holds. */
  private hold(inSet: AttrSet, eff: AttrSet | null): void {
    inSet.refs++;
    if (eff !== null && eff !== inSet) eff.refs++;
  }

  /** Drops the references path `s` holds (received set, and effective set when different). */
  private dropRefs(s: number): void {
    const inId = this.ps.inOf(s);
    const eff = this.ps.set[s] as number;
    this.sets.release(this.sets.get(inId));
    if (eff >= 0 && eff !== inId) this.sets.release(this.sets.get(eff));
  }

  /** Sets or clears the FILTERED flag of a path, keeping the per-peer count. */
  private setFiltered(s: number, filtered: boolean): void {
    const flags = this.ps.flags[s] as number;
    if (((flags & FILTERED) !== 0) === filtered) return;
    const peer = this.ps.peer[s] as number;
    this.ps.flags[s] = filtered ? flags | FILTERED : flags & ~FILTERED;
    this.perPeerFiltered[peer] = (this.perPeerFiltered[peer] ?? 0) + (filtered ? 1 : -1);
  }

  /** Number of prefixes with at least one path. */
  get size(): number {
    return this.prefixes.size;
  }

  /** Number of paths (all peers). */
  get pathCount(): number {
    return this.paths;
  }

  get pendingDecisions(): number {
    return this.dirty.pending;
  }

  /**
   * Adds or replaces the path of (peer, pathId) for the prefix, received with `set` and
   * installed with `effective` (null: filtered by import policy; default: `set`). Takes its
   * own references (the caller keeps its own). The prefix is marked for a decision when its
   * effective path changed.
   */
  announce(peer: number, bits: number, bytes: Buffer, offset: number, pathId: number, set: AttrSet, effective: AttrSet | null = set): void {
    const id = this.prefixes.intern(bits, bytes, offset);
    this.ensurePrefixCapacity(id + 1);
    for (let s = this.head[id] as number; s >= 0; s = this.ps.next[s] as number) {
      if (this.ps.peer[s] === peer && this.ps.pathIdOf(s) === pathId) {
        // A refreshed route is no longer stale (RFC 4724 §4.2).
        this.ps.flags[s] = (this.ps.flags[s] as number) & ~STALE;
        const oldIn = this.ps.inOf(s);
        // Same received set: the filter's inputs are unchanged, so is its outcome.
        if (oldIn === set.id) return;
        const oldEff = this.ps.set[s] as number;
        // Take the new references before dropping the old ones (they may be the same sets).
        this.hold(set, effective);
        this.dropRefs(s);
        this.ps.setIn(s, set.id, effective === null ? -1 : effective.id);
        this.ps.set[s] = effective === null ? -1 : effective.id;
        this.setFiltered(s, effective === null);
        if (oldEff !== (this.ps.set[s] as number)) this.markDirty(id);
        return;
      }
    }
    const ps = this.ps;
    const s = ps.alloc();
    this.hold(set, effective);
    const effId = effective === null ? -1 : effective.id;
    if (ps.inSet !== null || effId !== set.id) ps.setIn(s, set.id, effId);
    if (pathId !== 0 || ps.pathId !== null) ps.setPathId(s, pathId);
    // Read the arrays after alloc and setIn/setPathId: they may have grown.
    const next = ps.next;
    ps.peer[s] = peer;
    ps.set[s] = effId;
    ps.prefix[s] = id;
    ps.flags[s] = 0;
    if (effective === null) this.setFiltered(s, true);
    // Second in the chain: the first accepted path stays the last decision's winner.
    const first = this.head[id] as number;
    if (first < 0) {
      next[s] = -1;
      this.head[id] = s;
    } else {
      next[s] = next[first] as number;
      next[first] = s;
    }
    this.perPeer[peer] = (this.perPeer[peer] ?? 0) + 1;
    this.paths++;
    if (effective !== null) this.dirty.mark(id);
  }

  /** Removes the path of (peer, pathId) for the prefix, if present. */
  withdraw(peer: number, bits: number, bytes: Buffer, offset: number, pathId: number): void {
    const id = this.prefixes.get(bits, bytes, offset);
    if (id < 0) return;
    let prev = -1;
    for (let s = this.head[id] as number; s >= 0; prev = s, s = this.ps.next[s] as number) {
      if (this.ps.peer[s] === peer && this.ps.pathIdOf(s) === pathId) {
        this.unlink(s, prev);
        return;
      }
    }
  }

  /** Removes every path of a peer (session down without graceful restart). Returns how many. */
  dropPeer(peer: number, onlyStale = false): number {
    let n = 0;
    let left = this.perPeer[peer] ?? 0;
    const pPeer = this.ps.peer;
    for (let s = 0; s < this.ps.count && left > 0; s++) {
      if (pPeer[s] !== peer) continue;
      left--;
      if (!onlyStale || ((this.ps.flags[s] as number) & STALE) !== 0) {
        this.removeSlot(s);
        n++;
      }
    }
    return n;
  }

  /** Marks every path of a peer stale (graceful restart helper, RFC 4724 §4.2). */
  markStale(peer: number): number {
    let n = 0;
    const want = this.perPeer[peer] ?? 0;
    const pPeer = this.ps.peer;
    for (let s = 0; s < this.ps.count && n < want; s++) {
      if (pPeer[s] !== peer) continue;
      this.ps.flags[s] = (this.ps.flags[s] as number) | STALE;
      n++;
    }
    return n;
  }

  /** Paths a peer has in this family. */
  peerPathCount(peer: number): number {
    return this.perPeer[peer] ?? 0;
  }



  /** Calls `fn` for every prefix id with at least one path. */
  forEachPrefix(fn: (prefixId: number) => void): void {
    const lim = this.prefixes.idLimit;
    for (let id = 0; id < lim; id++) if (this.prefixes.has(id) && (this.head[id] as number) >= 0) fn(id);
  }

  /** Queues a prefix for the decision process without a change (a new update group must learn it). */
  markForDecision(id: number): void {
    this.markDirty(id);
  }

  protected markDirty(id: number): void {
    this.dirty.mark(id);
  }

  private unlink(s: number, prev: number): void {
    const id = this.ps.prefix[s] as number;
    if (prev < 0) this.head[id] = this.ps.next[s] as number;
    else this.ps.next[prev] = this.ps.next[s] as number;
    const peer = this.ps.peer[s] as number;
    this.dropRefs(s);
    const filtered = ((this.ps.flags[s] as number) & FILTERED) !== 0;
    if (filtered) this.setFiltered(s, false);
    this.ps.release(s);
    this.perPeer[peer] = (this.perPeer[peer] ?? 1) - 1;
    this.paths--;
    // A filtered path never took part in the decision: only the last path's removal (the
    // prefix id is freed by `decide`) needs one.
    if (!filtered || (this.head[id] as number) < 0) this.markDirty(id);
  }

  private removeSlot(s: number): void {
    const id = this.ps.prefix[s] as number;
    let prev = -1;
    for (let x = this.head[id] as number; x >= 0; prev = x, x = this.ps.next[x] as number) {
      if (x === s) {
        this.unlink(s, prev);
        return;
      }
    }
  }

  private ensurePrefixCapacity(min: number): void {
    // No closure in here: V8 would allocate its context on every call, before the test.
    if (min > this.head.length) this.growPrefixArrays(min);
  }

  private growPrefixArrays(min: number): void {
    // Follow the id space's own (geometric) growth.
    const n = Math.max(this.prefixes.idCapacity, grownCapacity(this.head.length, min));
    this.head = resized(this.head, n, -1);
    this.dirty.ensure(n);
  }
}
