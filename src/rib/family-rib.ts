/**
 * One address family's routes (IPv4 or IPv6 unicast): every candidate path per prefix
 * (Adj-RIB-In of every peer and the Loc-RIB in one structure, RFC 4271 §3.2), kept in typed
 * arrays: a prefix is a dense id from PrefixTable, a path is a slot in parallel arrays
 * (peer, attribute set, path id, flags) linked per prefix and per peer. No object per
 * prefix or per path (STYLE.md §5).
 *
 * Each path keeps the attribute set it was received with (`pInSet`, the Adj-RIB-In as
 * received) and its effective set after the import filter (`pSet`: the same id when the
 * filter changed nothing, -1 with the FILTERED flag when it rejected the path). A path holds
 * one reference on its received set and one more on its effective set when that differs.
 * Filtered paths stay (they count as received) but never enter the decision process, so they
 * never reach export (import-filter.ts).
 *
 * Changes only mark prefixes dirty; `decide` runs the decision process over dirty prefixes
 * in bounded batches and reports what changed, so a burst of UPDATEs costs one best-path run
 * per prefix, not one per UPDATE.
 */
import type { AttrSetTable} from './attr-set.js';
import { type AttrSet } from './attr-set.js';
import { rankPaths, DEFAULT_DECISION, type Candidate, type DecisionOptions, type DecisionRule, type PathSource } from './best-path.js';
import { PrefixTable, grownCapacity } from './prefix-table.js';
import type { FamilyRoutes } from './family-routes.js';
import type { NlriTable } from './nlri-table.js';
import type { ImportFilter } from './import-filter.js';
import type { NlriBlock } from '../wire/attribute-types.js';
import { int32Array, uint32Array, uint8Array } from './large-arrays.js';

/** Path flag: kept from before a graceful restart or enhanced refresh (RFC 4724, RFC 7313). */
export const STALE = 1;
/** Path flag: rejected by the import filter (kept in Adj-RIB-In, out of the decision). */
export const FILTERED = 2;

/**
 * What the decision process made of one prefix. `decide` reuses one object (and its
 * `ranked` array and entries) for every emit, so no object is made per prefix: read it
 * during the call, copy what you keep.
 */
export interface BestChange {
  readonly prefixId: number;
  /** Ranked candidates, best first (empty: the prefix is gone, or all its paths are filtered). */
  readonly ranked: readonly RankedPath[];
  readonly rule: DecisionRule;
}

/** The reused emit object of `decide`. */
interface MutableChange {
  prefixId: number;
  ranked: readonly RankedPath[];
  rule: DecisionRule;
}

/** A reused candidate: what the ranking reads, and what `decide` emits (a RankedPath). */
interface PooledCandidate {
  set: AttrSet;
  source: PathSource;
  pathId: number;
  peer: number;
  slot: number;
}

const NO_PATHS: readonly RankedPath[] = Object.freeze([]);

export interface RankedPath {
  readonly set: AttrSet;
  readonly peer: number;
  readonly pathId: number;
}

export class FamilyRib implements FamilyRoutes {
  readonly afi: number;
  readonly safi: number;
  readonly prefixes: PrefixTable;
  /**
   * First path slot of each prefix (-1: none). The chain is kept so that its first accepted
   * path is the best one as of the prefix's last decision (`decide` moves the winner to the
   * front; new paths go second), so no per-prefix best-path arrays are needed.
   */
  private head: Int32Array;
  private dirtyFlag: Uint8Array;
  /** Prefix ids waiting for a decision, first in first out: dirtyList[dirtyHead..dirtyLen). */
  private dirtyList: Int32Array = new Int32Array(1024);
  private dirtyHead = 0;
  private dirtyLen = 0;
  private readonly change: MutableChange = { prefixId: -1, ranked: NO_PATHS, rule: 'onlyPath' };
  private readonly cands: PooledCandidate[] = [];
  private readonly candPool: PooledCandidate[] = [];
  // path slots
  private pNext: Int32Array;
  private pPeer: Int32Array;
  /** Effective (post-import-filter) attribute set id, -1 when filtered. */
  private pSet: Int32Array;
  /**
   * Attribute set id as received (Adj-RIB-In); null while every path's received set is its
   * effective set (no filter ever changed one), which saves a word per path (`inOf`).
   */
  private pInSet: Int32Array | null = null;
  /** Received path identifier (RFC 7911); null while every one is 0 (no add-path peer). */
  private pPathId: Uint32Array | null = null;
  private pPrefix: Int32Array;
  private pFlags: Uint8Array;
  private freeSlots: number[] = [];
  /**
   * Slots ever handed out: a peer's paths are found by scanning pPeer[0..slotCount) (a free
   * slot's peer is -1), as FRR's bgp_clear_route and BIRD's table prune walk the table. A
   * per-peer list would cost two words and four writes on every path of a full table.
   */
  private slotCount = 0;
  /** Paths per peer (received), for max-prefix and status. */
  private perPeer: number[] = [];
  /** Paths per peer the import filter rejected. */
  private perPeerFiltered: number[] = [];
  private paths = 0;
  private filter: ImportFilter | null = null;

  constructor(
    afi: number,
    safi: number,
    readonly sets: AttrSetTable,
    private readonly sources: (peer: number) => PathSource,
    private readonly decision: DecisionOptions = DEFAULT_DECISION,
  ) {
    this.afi = afi;
    this.safi = safi;
    this.prefixes = new PrefixTable(afi === 1 ? 1 : 4, 1024);
    this.head = new Int32Array(1024).fill(-1);
    this.dirtyFlag = new Uint8Array(1024);
    const n = 1024;
    this.pNext = new Int32Array(n);
    this.pPeer = new Int32Array(n);
    this.pSet = new Int32Array(n);
    this.pPrefix = new Int32Array(n);
    this.pFlags = new Uint8Array(n);
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

  /**
   * Re-runs the import filter over the Adj-RIB-In of one peer (null: every peer); every
   * prefix whose effective path changed is marked for the next `decide`. Returns the number
   * of paths whose effective set changed.
   */
  reimport(peer: number | null): number {
    const f = this.filter;
    // Outcomes of a per-set filter, one per (peer, received set) in this run (each holds one
    // reference). Keyed by the peer too: two peers can send the same set under different
    // policies (a neighbour's own importPolicy).
    const memo = new Map<number, AttrSet | null>();
    let changed = 0;
    const lim = this.slotCount;
    const pPeer = this.pPeer;
    for (let s = 0; s < lim; s++) {
      const p = pPeer[s] as number;
      if (p < 0 || (peer !== null && p !== peer)) continue;
      const inId = this.inOf(s);
      const inSet = this.sets.get(inId);
      let eff: AttrSet | null;
      let owned = false;
      if (f === null) eff = inSet;
      else if (!f.perPrefix) {
        const key = p * 0x100000000 + inId;
        const m = memo.get(key);
        if (m !== undefined) eff = m;
        else memo.set(key, (eff = f.apply(p, this.afi, this.safi, inSet, null)));
      } else {
        const id = this.pPrefix[s] as number;
        const nb = this.scratchNlri(id);
        eff = f.apply(p, this.afi, this.safi, inSet, nb);
        owned = eff !== null;
      }
      if (this.setEffective(s, inSet, eff)) changed++;
      if (owned && eff !== null) this.sets.release(eff);
    }
    for (const eff of memo.values()) if (eff !== null) this.sets.release(eff);
    return changed;
  }

  /** Received and accepted (not filtered) paths of a peer in this family. */
  peerCounts(peer: number): { received: number; accepted: number } {
    const received = this.perPeer[peer] ?? 0;
    return { received, accepted: received - (this.perPeerFiltered[peer] ?? 0) };
  }

  private nlriScratch = Buffer.allocUnsafe(17);

  /** The NLRI of a prefix id in wire form, in a scratch buffer (valid until the next call). */
  private scratchNlri(id: number): Buffer {
    const end = this.prefixes.writeNlri(id, this.nlriScratch, 0);
    return this.nlriScratch.subarray(0, end);
  }

  /**
   * Moves path `s` (received with `inSet`) to effective set `eff` (null: filtered), taking a
   * reference on the new effective set and dropping the old one. Marks the prefix dirty and
   * returns true when the effective set changed.
   */
  private setEffective(s: number, inSet: AttrSet, eff: AttrSet | null): boolean {
    const old = this.pSet[s] as number;
    const next = eff === null ? -1 : eff.id;
    if (old === next) return false;
    // The received set is about to differ from the effective one: keep it apart.
    if (this.pInSet === null && next !== inSet.id) this.materializeIn();
    if (eff !== null && eff !== inSet) this.sets.retain(eff);
    if (old >= 0 && old !== inSet.id) this.sets.release(this.sets.get(old));
    this.pSet[s] = next;
    this.setFiltered(s, eff === null);
    this.markDirty(this.pPrefix[s] as number);
    return true;
  }

  /** Received set id of path `s`. */
  private inOf(s: number): number {
    const a = this.pInSet;
    return a === null ? (this.pSet[s] as number) : (a[s] as number);
  }

  /** Records the received set of path `s` (call before `pSet[s]` changes), installed as `eff`. */
  private setIn(s: number, inId: number, eff: AttrSet | null): void {
    if (this.pInSet === null) {
      if (eff !== null && eff.id === inId) return;
      this.materializeIn();
    }
    (this.pInSet as Int32Array)[s] = inId;
  }

  /** From now on, received sets are kept apart from effective sets. */
  private materializeIn(): void {
    const a = int32Array(this.pSet.length);
    a.set(this.pSet);
    this.pInSet = a;
  }

  private pathIdOf(s: number): number {
    const a = this.pPathId;
    return a === null ? 0 : (a[s] as number);
  }

  private setPathId(s: number, pathId: number): void {
    if (this.pPathId === null) this.pPathId = uint32Array(this.pNext.length);
    this.pPathId[s] = pathId;
  }

  /** The references a path received with `inSet` and installed with `eff` holds. */
  private hold(inSet: AttrSet, eff: AttrSet | null): void {
    inSet.refs++;
    if (eff !== null && eff !== inSet) eff.refs++;
  }

  /** Drops the references path `s` holds (received set, and effective set when different). */
  private dropRefs(s: number): void {
    const inId = this.inOf(s);
    const eff = this.pSet[s] as number;
    this.sets.release(this.sets.get(inId));
    if (eff >= 0 && eff !== inId) this.sets.release(this.sets.get(eff));
  }

  /** Sets or clears the FILTERED flag of a path, keeping the per-peer count. */
  private setFiltered(s: number, filtered: boolean): void {
    const flags = this.pFlags[s] as number;
    if (((flags & FILTERED) !== 0) === filtered) return;
    const peer = this.pPeer[s] as number;
    this.pFlags[s] = filtered ? flags | FILTERED : flags & ~FILTERED;
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
    return this.dirtyLen - this.dirtyHead;
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
    for (let s = this.head[id] as number; s >= 0; s = this.pNext[s] as number) {
      if (this.pPeer[s] === peer && this.pathIdOf(s) === pathId) {
        // A refreshed route is no longer stale (RFC 4724 §4.2).
        this.pFlags[s] = (this.pFlags[s] as number) & ~STALE;
        const oldIn = this.inOf(s);
        // Same received set: the filter's inputs are unchanged, so is its outcome.
        if (oldIn === set.id) return;
        const oldEff = this.pSet[s] as number;
        // Take the new references before dropping the old ones (they may be the same sets).
        this.hold(set, effective);
        this.dropRefs(s);
        this.setIn(s, set.id, effective);
        this.pSet[s] = effective === null ? -1 : effective.id;
        this.setFiltered(s, effective === null);
        if (oldEff !== (this.pSet[s] as number)) this.markDirty(id);
        return;
      }
    }
    const s = this.allocSlot();
    this.hold(set, effective);
    this.pPeer[s] = peer;
    this.setIn(s, set.id, effective);
    this.pSet[s] = effective === null ? -1 : effective.id;
    if (pathId !== 0 || this.pPathId !== null) this.setPathId(s, pathId);
    this.pPrefix[s] = id;
    this.pFlags[s] = 0;
    if (effective === null) this.setFiltered(s, true);
    // Second in the chain: the first accepted path stays the last decision's winner.
    const first = this.head[id] as number;
    if (first < 0) {
      this.pNext[s] = -1;
      this.head[id] = s;
    } else {
      this.pNext[s] = this.pNext[first] as number;
      this.pNext[first] = s;
    }
    this.perPeer[peer] = (this.perPeer[peer] ?? 0) + 1;
    this.paths++;
    if (effective !== null) this.markDirty(id);
  }

  /** Removes the path of (peer, pathId) for the prefix, if present. */
  withdraw(peer: number, bits: number, bytes: Buffer, offset: number, pathId: number): void {
    const id = this.prefixes.get(bits, bytes, offset);
    if (id < 0) return;
    let prev = -1;
    for (let s = this.head[id] as number; s >= 0; prev = s, s = this.pNext[s] as number) {
      if (this.pPeer[s] === peer && this.pathIdOf(s) === pathId) {
        this.unlink(s, prev);
        return;
      }
    }
  }

  /** Removes every path of a peer (session down without graceful restart). Returns how many. */
  dropPeer(peer: number, onlyStale = false): number {
    let n = 0;
    let left = this.perPeer[peer] ?? 0;
    const pPeer = this.pPeer;
    for (let s = 0; s < this.slotCount && left > 0; s++) {
      if (pPeer[s] !== peer) continue;
      left--;
      if (!onlyStale || ((this.pFlags[s] as number) & STALE) !== 0) {
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
    const pPeer = this.pPeer;
    for (let s = 0; s < this.slotCount && n < want; s++) {
      if (pPeer[s] !== peer) continue;
      this.pFlags[s] = (this.pFlags[s] as number) | STALE;
      n++;
    }
    return n;
  }

  /** Paths a peer has in this family. */
  peerPathCount(peer: number): number {
    return this.perPeer[peer] ?? 0;
  }

  /**
   * Runs the decision process over at most `limit` dirty prefixes, calling `emit` for each.
   * Returns how many remain (schedule another run when non-zero).
   */
  decide(limit: number, emit: (c: BestChange) => void): number {
    const ch = this.change;
    const cands = this.cands;
    const pool = this.candPool;
    const head = this.head;
    const pNext = this.pNext;
    const pFlags = this.pFlags;
    const pSet = this.pSet;
    let done = 0;
    while (done < limit && this.dirtyHead < this.dirtyLen) {
      const id = this.dirtyList[this.dirtyHead++] as number;
      this.dirtyFlag[id] = 0;
      done++;
      // Gather the accepted paths. Filtered paths never enter the decision process, so
      // never reach export.
      let n = 0;
      for (let s = head[id] as number; s >= 0; s = pNext[s] as number) {
        if (((pFlags[s] as number) & FILTERED) !== 0) continue;
        const sid = pSet[s] as number;
        // Invariant (as OpenBGPD's up_test_update): only accepted paths are ranked.
        if (sid < 0) throw new Error('a path without an effective set reached the decision process');
        const peer = this.pPeer[s] as number;
        let c = pool[n];
        if (c === undefined) {
          c = { set: this.sets.get(sid), source: this.sources(peer), pathId: this.pathIdOf(s), peer, slot: s };
          pool.push(c);
        } else {
          c.set = this.sets.get(sid);
          c.pathId = this.pathIdOf(s);
          c.peer = peer;
          c.slot = s;
        }
        n++;
      }
      ch.prefixId = id;
      if (n === 0) {
        ch.ranked = NO_PATHS;
        ch.rule = 'onlyPath';
        emit(ch);
        // Freed only after the emit: listeners may still read the prefix octets. A prefix
        // whose paths are all filtered keeps its id (its paths still refer to it).
        if ((head[id] as number) < 0) this.prefixes.remove(id);
        continue;
      }
      // One path (most prefixes of a reflector's table): nothing to rank.
      cands.length = n;
      for (let i = 0; i < n; i++) cands[i] = pool[i] as PooledCandidate;
      let rule: DecisionRule = 'onlyPath';
      if (n > 1) {
        // The source is only read when ranking (set here, not per path gathered).
        for (let i = 0; i < n; i++) {
          const c = cands[i] as PooledCandidate;
          c.source = this.sources(c.peer);
        }
        rule = rankPaths(cands, this.decision);
      }
      // Keep the winner first in the chain (what `best` reads).
      if (n > 1) this.moveToFront(id, (cands[0] as PooledCandidate).slot);
      ch.ranked = cands;
      ch.rule = rule;
      emit(ch);
    }
    if (this.dirtyHead === this.dirtyLen) {
      this.dirtyHead = 0;
      this.dirtyLen = 0;
    }
    return this.dirtyLen - this.dirtyHead;
  }



  /** Every path of a prefix, ranked best first (what `decide` emits), without touching state. */
  rank(id: number): RankedPath[] {
    const cands: (Candidate & { peer: number })[] = [];
    for (let s = id < this.head.length ? (this.head[id] as number) : -1; s >= 0; s = this.pNext[s] as number) {
      if (((this.pFlags[s] as number) & FILTERED) !== 0) continue;
      const peer = this.pPeer[s] as number;
      cands.push({ set: this.sets.get(this.pSet[s] as number), source: this.sources(peer), pathId: this.pathIdOf(s), peer });
    }
    rankPaths(cands, this.decision);
    return cands.map((c) => ({ set: c.set, peer: c.peer, pathId: c.pathId }));
  }

  /** The best path after the last decision run as a one-element ranking (empty: none). */
  bestRanked(id: number): RankedPath[] {
    const b = this.best(id);
    return b === null ? [] : [{ set: b.set, peer: b.peer, pathId: 0 }];
  }

  /**
   * The best path of a prefix after its last decision run, or null. While the prefix waits
   * for a decision (`pendingDecisions`), this is the first accepted path held, which the
   * next run may replace (it will emit the prefix).
   */
  best(id: number): { set: AttrSet; peer: number } | null {
    if (id < 0 || id >= this.head.length) return null;
    for (let s = this.head[id] as number; s >= 0; s = this.pNext[s] as number) {
      if (((this.pFlags[s] as number) & FILTERED) !== 0) continue;
      return { set: this.sets.get(this.pSet[s] as number), peer: this.pPeer[s] as number };
    }
    return null;
  }

  /** Moves path slot `s` to the front of its prefix's chain. */
  private moveToFront(id: number, s: number): void {
    const first = this.head[id] as number;
    if (first === s) return;
    let prev = first;
    while ((this.pNext[prev] as number) !== s) prev = this.pNext[prev] as number;
    this.pNext[prev] = this.pNext[s] as number;
    this.pNext[s] = first;
    this.head[id] = s;
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

  private markDirty(id: number): void {
    if (this.dirtyFlag[id] !== 0) return;
    this.dirtyFlag[id] = 1;
    if (this.dirtyLen === this.dirtyList.length) {
      if (this.dirtyHead > 0) {
        this.dirtyList.copyWithin(0, this.dirtyHead, this.dirtyLen);
        this.dirtyLen -= this.dirtyHead;
        this.dirtyHead = 0;
      } else {
        const d = int32Array(grownCapacity(this.dirtyList.length, this.dirtyLen + 1));
        d.set(this.dirtyList);
        this.dirtyList = d;
      }
    }
    this.dirtyList[this.dirtyLen++] = id;
  }

  private unlink(s: number, prev: number): void {
    const id = this.pPrefix[s] as number;
    if (prev < 0) this.head[id] = this.pNext[s] as number;
    else this.pNext[prev] = this.pNext[s] as number;
    const peer = this.pPeer[s] as number;
    this.dropRefs(s);
    const filtered = ((this.pFlags[s] as number) & FILTERED) !== 0;
    if (filtered) this.setFiltered(s, false);
    this.pPeer[s] = -1;
    this.pSet[s] = -1;
    if (this.pInSet !== null) this.pInSet[s] = -1;
    this.freeSlots.push(s);
    this.perPeer[peer] = (this.perPeer[peer] ?? 1) - 1;
    this.paths--;
    // A filtered path never took part in the decision: only the last path's removal (the
    // prefix id is freed by `decide`) needs one.
    if (!filtered || (this.head[id] as number) < 0) this.markDirty(id);
  }

  private removeSlot(s: number): void {
    const id = this.pPrefix[s] as number;
    let prev = -1;
    for (let x = this.head[id] as number; x >= 0; prev = x, x = this.pNext[x] as number) {
      if (x === s) {
        this.unlink(s, prev);
        return;
      }
    }
  }

  private allocSlot(): number {
    const f = this.freeSlots.pop();
    if (f !== undefined) return f;
    const s = this.slotCount++;
    if (s >= this.pNext.length) this.growSlots(s + 1);
    return s;
  }

  private growSlots(min: number): void {
    const n = grownCapacity(this.pNext.length, min);
    const g32 = (a: Int32Array): Int32Array => {
      const b = int32Array(n);
      b.set(a);
      return b;
    };
    this.pNext = g32(this.pNext);
    this.pPeer = g32(this.pPeer);
    this.pSet = g32(this.pSet);
    this.pPrefix = g32(this.pPrefix);
    if (this.pInSet !== null) this.pInSet = g32(this.pInSet);
    if (this.pPathId !== null) {
      const u = uint32Array(n);
      u.set(this.pPathId);
      this.pPathId = u;
    }
    const f = uint8Array(n);
    f.set(this.pFlags);
    this.pFlags = f;
  }

  private ensurePrefixCapacity(min: number): void {
    // No closure in here: V8 would allocate its context on every call, before the test.
    if (min > this.head.length) this.growPrefixArrays(min);
  }

  private growPrefixArrays(min: number): void {
    // Follow the id space's own (geometric) growth.
    const n = Math.max(this.prefixes.idCapacity, grownCapacity(this.head.length, min));
    const grow = (a: Int32Array): Int32Array => {
      const b = int32Array(n);
      b.set(a);
      b.fill(-1, a.length);
      return b;
    };
    this.head = grow(this.head);
    const d = uint8Array(n);
    d.set(this.dirtyFlag);
    this.dirtyFlag = d;
  }
}
