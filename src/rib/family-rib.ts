/**
 * One address family's routes (IPv4 or IPv6 unicast): every candidate path per prefix
 * (Adj-RIB-In of every peer and the Loc-RIB in one structure, RFC 4271 §3.2), kept in typed
 * arrays: a prefix is a dense id from PrefixTable, a path is a slot in parallel arrays
 * (peer, attribute set, path id, flags) linked per prefix and per peer. No object per
 * prefix or per path (STYLE.md §5).
 *
 * Changes only mark prefixes dirty; `decide` runs the decision process over dirty prefixes
 * in bounded batches and reports what changed, so a burst of UPDATEs costs one best-path run
 * per prefix, not one per UPDATE.
 */
import type { AttrSetTable} from './attr-set.js';
import { type AttrSet } from './attr-set.js';
import { rankPaths, DEFAULT_DECISION, type Candidate, type DecisionOptions, type DecisionRule, type PathSource } from './best-path.js';
import { PrefixTable } from './prefix-table.js';
import type { FamilyRoutes } from './family-routes.js';
import type { NlriTable } from './nlri-table.js';
import type { NlriBlock } from '../wire/attribute-types.js';
import { forEachPrefix } from '../wire/nlri.js';

export const STALE = 1;

/** What the decision process made of one prefix. */
export interface BestChange {
  readonly prefixId: number;
  /** Ranked candidates, best first (empty: the prefix is gone). */
  readonly ranked: readonly RankedPath[];
  readonly rule: DecisionRule;
}

export interface RankedPath {
  readonly set: AttrSet;
  readonly peer: number;
  readonly pathId: number;
}

export class FamilyRib implements FamilyRoutes {
  readonly afi: number;
  readonly safi: number;
  readonly prefixes: PrefixTable;
  private head: Int32Array;
  /** Best path after the last decision, per prefix id: its peer and attribute set (-1: none). */
  private bestPeer: Int32Array;
  private bestSet: Int32Array;
  private dirtyFlag: Uint8Array;
  private dirty: number[] = [];
  // path slots
  private pNext: Int32Array;
  private pPeer: Int32Array;
  private pSet: Int32Array;
  private pPathId: Uint32Array;
  private pPrefix: Int32Array;
  private pFlags: Uint8Array;
  private pPeerNext: Int32Array;
  private pPeerPrev: Int32Array;
  private freeSlots: number[] = [];
  private slotCount = 0;
  /** Peer index → first path slot of that peer in this family. */
  private peerHead: number[] = [];
  /** Paths per peer, for max-prefix and status. */
  private perPeer: number[] = [];
  private paths = 0;

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
    this.bestPeer = new Int32Array(1024).fill(-1);
    this.bestSet = new Int32Array(1024).fill(-1);
    this.dirtyFlag = new Uint8Array(1024);
    const n = 1024;
    this.pNext = new Int32Array(n);
    this.pPeer = new Int32Array(n);
    this.pSet = new Int32Array(n);
    this.pPathId = new Uint32Array(n);
    this.pPrefix = new Int32Array(n);
    this.pFlags = new Uint8Array(n);
    this.pPeerNext = new Int32Array(n);
    this.pPeerPrev = new Int32Array(n);
  }

  get table(): NlriTable {
    return this.prefixes;
  }

  announceBlock(peer: number, block: NlriBlock, set: AttrSet): number {
    let n = 0;
    forEachPrefix(block, (pathId, bits, bytes, offset) => {
      this.announce(peer, bits, bytes, offset, pathId, set);
      n++;
    });
    return n;
  }

  withdrawBlock(peer: number, block: NlriBlock): number {
    let n = 0;
    forEachPrefix(block, (pathId, bits, bytes, offset) => {
      this.withdraw(peer, bits, bytes, offset, pathId);
      n++;
    });
    return n;
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
    return this.dirty.length;
  }

  /**
   * Adds or replaces the path of (peer, pathId) for the prefix; takes a new reference on
   * `set`. Returns true when the prefix was marked for a decision.
   */
  announce(peer: number, bits: number, bytes: Buffer, offset: number, pathId: number, set: AttrSet): void {
    const id = this.prefixes.intern(bits, bytes, offset);
    this.ensurePrefixCapacity(id + 1);
    for (let s = this.head[id] as number; s >= 0; s = this.pNext[s] as number) {
      if (this.pPeer[s] === peer && this.pPathId[s] === pathId) {
        const old = this.pSet[s] as number;
        this.pFlags[s] = 0; // a refreshed route is no longer stale (RFC 4724 §4.2)
        if (old === set.id) return;
        this.sets.retain(set);
        this.pSet[s] = set.id;
        this.sets.release(this.sets.get(old));
        this.markDirty(id);
        return;
      }
    }
    const s = this.allocSlot();
    this.sets.retain(set);
    this.pPeer[s] = peer;
    this.pSet[s] = set.id;
    this.pPathId[s] = pathId;
    this.pPrefix[s] = id;
    this.pFlags[s] = 0;
    this.pNext[s] = this.head[id] as number;
    this.head[id] = s;
    const ph = this.peerHead[peer] ?? -1;
    this.pPeerNext[s] = ph;
    this.pPeerPrev[s] = -1;
    if (ph >= 0) this.pPeerPrev[ph] = s;
    this.peerHead[peer] = s;
    this.perPeer[peer] = (this.perPeer[peer] ?? 0) + 1;
    this.paths++;
    this.markDirty(id);
  }

  /** Removes the path of (peer, pathId) for the prefix, if present. */
  withdraw(peer: number, bits: number, bytes: Buffer, offset: number, pathId: number): void {
    const id = this.prefixes.get(bits, bytes, offset);
    if (id < 0) return;
    let prev = -1;
    for (let s = this.head[id] as number; s >= 0; prev = s, s = this.pNext[s] as number) {
      if (this.pPeer[s] === peer && this.pPathId[s] === pathId) {
        this.unlink(s, prev);
        return;
      }
    }
  }

  /** Removes every path of a peer (session down without graceful restart). Returns how many. */
  dropPeer(peer: number, onlyStale = false): number {
    let n = 0;
    for (let s = this.peerHead[peer] ?? -1; s >= 0; ) {
      const next = this.pPeerNext[s] as number;
      if (!onlyStale || ((this.pFlags[s] as number) & STALE) !== 0) {
        this.removeSlot(s);
        n++;
      }
      s = next;
    }
    return n;
  }

  /** Marks every path of a peer stale (graceful restart helper, RFC 4724 §4.2). */
  markStale(peer: number): number {
    let n = 0;
    for (let s = this.peerHead[peer] ?? -1; s >= 0; s = this.pPeerNext[s] as number) {
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
    const cands: Candidate[] = [];
    let done = 0;
    while (done < limit && this.dirty.length > 0) {
      const id = this.dirty.pop() as number;
      this.dirtyFlag[id] = 0;
      done++;
      cands.length = 0;
      for (let s = this.head[id] as number; s >= 0; s = this.pNext[s] as number) {
        const peer = this.pPeer[s] as number;
        cands.push({ set: this.sets.get(this.pSet[s] as number), source: this.sources(peer), pathId: this.pPathId[s] as number, peer } as Candidate & { peer: number });
      }
      if (cands.length === 0) {
        this.bestPeer[id] = -1;
        this.bestSet[id] = -1;
        emit({ prefixId: id, ranked: [], rule: 'onlyPath' });
        // Freed only after the emit: listeners may still read the prefix octets.
        this.prefixes.remove(id);
        continue;
      }
      const rule = rankPaths(cands, this.decision);
      const ranked: RankedPath[] = cands.map((c) => ({ set: c.set, peer: (c as Candidate & { peer: number }).peer, pathId: c.pathId }));
      const top = ranked[0] as RankedPath;
      this.bestPeer[id] = top.peer;
      this.bestSet[id] = top.set.id;
      emit({ prefixId: id, ranked, rule });
    }
    return this.dirty.length;
  }

  /** Every path of a prefix, ranked best first (what `decide` emits), without touching state. */
  rank(id: number): RankedPath[] {
    const cands: (Candidate & { peer: number })[] = [];
    for (let s = id < this.head.length ? (this.head[id] as number) : -1; s >= 0; s = this.pNext[s] as number) {
      const peer = this.pPeer[s] as number;
      cands.push({ set: this.sets.get(this.pSet[s] as number), source: this.sources(peer), pathId: this.pPathId[s] as number, peer });
    }
    rankPaths(cands, this.decision);
    return cands.map((c) => ({ set: c.set, peer: c.peer, pathId: c.pathId }));
  }

  /** The best path after the last decision run as a one-element ranking (empty: none). */
  bestRanked(id: number): RankedPath[] {
    const b = this.best(id);
    return b === null ? [] : [{ set: b.set, peer: b.peer, pathId: 0 }];
  }

  /** The best path of a prefix after the last decision run, or null. */
  best(id: number): { set: AttrSet; peer: number } | null {
    if (id >= this.bestPeer.length) return null;
    const peer = this.bestPeer[id] as number;
    if (peer < 0) return null;
    return { set: this.sets.get(this.bestSet[id] as number), peer };
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
    if (this.dirtyFlag[id] === 0) {
      this.dirtyFlag[id] = 1;
      this.dirty.push(id);
    }
  }

  private unlink(s: number, prev: number): void {
    const id = this.pPrefix[s] as number;
    if (prev < 0) this.head[id] = this.pNext[s] as number;
    else this.pNext[prev] = this.pNext[s] as number;
    const peer = this.pPeer[s] as number;
    const pn = this.pPeerNext[s] as number;
    const pp = this.pPeerPrev[s] as number;
    if (pp < 0) this.peerHead[peer] = pn;
    else this.pPeerNext[pp] = pn;
    if (pn >= 0) this.pPeerPrev[pn] = pp;
    this.sets.release(this.sets.get(this.pSet[s] as number));
    this.pSet[s] = -1;
    this.freeSlots.push(s);
    this.perPeer[peer] = (this.perPeer[peer] ?? 1) - 1;
    this.paths--;
    this.markDirty(id);
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
    let n = this.pNext.length;
    while (n < min) n *= 2;
    const g32 = (a: Int32Array): Int32Array => {
      const b = new Int32Array(n);
      b.set(a);
      return b;
    };
    this.pNext = g32(this.pNext);
    this.pPeer = g32(this.pPeer);
    this.pSet = g32(this.pSet);
    this.pPrefix = g32(this.pPrefix);
    this.pPeerNext = g32(this.pPeerNext);
    this.pPeerPrev = g32(this.pPeerPrev);
    const u = new Uint32Array(n);
    u.set(this.pPathId);
    this.pPathId = u;
    const f = new Uint8Array(n);
    f.set(this.pFlags);
    this.pFlags = f;
  }

  private ensurePrefixCapacity(min: number): void {
    if (min <= this.head.length) return;
    let n = this.head.length;
    while (n < min) n *= 2;
    const h = new Int32Array(n).fill(-1);
    h.set(this.head);
    this.head = h;
    const bp = new Int32Array(n).fill(-1);
    bp.set(this.bestPeer);
    this.bestPeer = bp;
    const bs = new Int32Array(n).fill(-1);
    bs.set(this.bestSet);
    this.bestSet = bs;
    const d = new Uint8Array(n);
    d.set(this.dirtyFlag);
    this.dirtyFlag = d;
  }
}
