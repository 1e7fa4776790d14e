/**
 * One address family's routes (IPv4 or IPv6 unicast): the paths of every peer (FamilyPaths,
 * the Adj-RIB-In) and the decision process over them (the Loc-RIB, RFC 4271 §3.2 and §9.1).
 * `decide` runs over the prefixes marked dirty in bounded batches and reports what changed,
 * so a burst of UPDATEs costs one best-path run per prefix, not one per UPDATE; `reimport`
 * re-applies a changed import filter to what is held, without the peer resending.
 */
import type { AttrSet, AttrSetTable } from './attr-set.js';
import { rankPaths, DEFAULT_DECISION, type Candidate, type DecisionOptions, type DecisionRule, type PathSource } from './best-path.js';
import type { BestChange, FamilyRoutes, RankedPath } from './family-routes.js';
import { FamilyPaths } from './family-paths.js';
import { FILTERED } from './path-slots.js';

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

export class FamilyRib extends FamilyPaths implements FamilyRoutes {
  private readonly change: MutableChange = { prefixId: -1, ranked: NO_PATHS, rule: 'onlyPath' };
  private readonly cands: PooledCandidate[] = [];
  private readonly candPool: PooledCandidate[] = [];

  constructor(
    afi: number,
    safi: number,
    sets: AttrSetTable,
    private readonly sources: (peer: number) => PathSource,
    private readonly decision: DecisionOptions = DEFAULT_DECISION,
  ) {
    super(afi, safi, sets);
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
    const lim = this.ps.count;
    const pPeer = this.ps.peer;
    for (let s = 0; s < lim; s++) {
      const p = pPeer[s] as number;
      if (p < 0 || (peer !== null && p !== peer)) continue;
      const inId = this.ps.inOf(s);
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
        const id = this.ps.prefix[s] as number;
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


  private nlriScratch = Buffer.allocUnsafe(17);


  /** The NLRI of a prefix id in wire form, in a scratch buffer (valid until the next call). */
  private scratchNlri(id: number): Buffer {
    const end = this.prefixes.writeNlri(id, this.nlriScratch, 0);
    return this.nlriScratch.subarray(0, end);
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
    const pNext = this.ps.next;
    const pFlags = this.ps.flags;
    const pSet = this.ps.set;
    let done = 0;
    while (done < limit) {
      const id = this.dirty.take();
      if (id < 0) break;
      done++;
      // Gather the accepted paths. Filtered paths never enter the decision process, so
      // never reach export.
      let n = 0;
      for (let s = head[id] as number; s >= 0; s = pNext[s] as number) {
        if (((pFlags[s] as number) & FILTERED) !== 0) continue;
        const sid = pSet[s] as number;
        // Invariant (as OpenBGPD's up_test_update): only accepted paths are ranked.
        if (sid < 0) throw new Error('a path without an effective set reached the decision process');
        const peer = this.ps.peer[s] as number;
        let c = pool[n];
        if (c === undefined) {
          c = { set: this.sets.get(sid), source: this.sources(peer), pathId: this.ps.pathIdOf(s), peer, slot: s };
          pool.push(c);
        } else {
          c.set = this.sets.get(sid);
          c.pathId = this.ps.pathIdOf(s);
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
      if (cands.length !== n) cands.length = n;
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
    return this.dirty.pending;
  }


  /** Every path of a prefix, ranked best first (what `decide` emits), without touching state. */
  rank(id: number): RankedPath[] {
    const cands: (Candidate & { peer: number })[] = [];
    for (let s = id < this.head.length ? (this.head[id] as number) : -1; s >= 0; s = this.ps.next[s] as number) {
      if (((this.ps.flags[s] as number) & FILTERED) !== 0) continue;
      const peer = this.ps.peer[s] as number;
      cands.push({ set: this.sets.get(this.ps.set[s] as number), source: this.sources(peer), pathId: this.ps.pathIdOf(s), peer });
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
    for (let s = this.head[id] as number; s >= 0; s = this.ps.next[s] as number) {
      if (((this.ps.flags[s] as number) & FILTERED) !== 0) continue;
      return { set: this.sets.get(this.ps.set[s] as number), peer: this.ps.peer[s] as number };
    }
    return null;
  }


  /** Moves path slot `s` to the front of its prefix's chain. */
  private moveToFront(id: number, s: number): void {
    const first = this.head[id] as number;
    if (first === s) return;
    let prev = first;
    while ((this.ps.next[prev] as number) !== s) prev = this.ps.next[prev] as number;
    this.ps.next[prev] = this.ps.next[s] as number;
    this.ps.next[s] = first;
    this.head[id] = s;
  }
}
