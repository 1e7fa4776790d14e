/**
 * Routes of the families a reflector carries without interpreting them (RFC 4456 applies to
 * every AFI/SAFI): labelled unicast, VPNv4/v6, EVPN, flowspec, MCAST-VPN, and any other
 * family both sides negotiated. A route is identified by its key (nlri-split.ts: labels and
 * the EVPN ESI excluded, so withdrawals match) and keeps, per path, the exact NLRI bytes the
 * peer sent (labels differ per path); the update groups advertise the best path's bytes.
 *
 * These families are stored with one small object per route: they are far smaller than the
 * Internet table in the deployments meshrr targets. Add-path send is not offered for them.
 */
import type { NlriBlock } from '../wire/attribute-types.js';
import { nlriKey, splitNlri } from '../wire/nlri-split.js';
import type { AttrSetTable, AttrSet } from './attr-set.js';
import { rankPaths, DEFAULT_DECISION, type Candidate, type DecisionOptions, type DecisionRule, type PathSource } from './best-path.js';
import type { BestChange, RankedPath } from './family-routes.js';
import type { FamilyRoutes } from './family-routes.js';
import type { NlriTable } from './nlri-table.js';
import type { ImportFilter } from './import-filter.js';

interface OpaquePath {
  readonly peer: number;
  readonly pathId: number;
  /** As received (Adj-RIB-In); the path holds one reference. */
  inSet: AttrSet;
  /** After the import filter (null: filtered); one more reference when it is not `inSet`. */
  set: AttrSet | null;
  nlri: Buffer;
  stale: boolean;
}

interface OpaqueRoute {
  readonly id: number;
  readonly key: string;
  readonly paths: OpaquePath[];
  /** NLRI bytes of the best path after the last decision (what groups advertise). */
  advertised: Buffer | null;
  best: { set: AttrSet; peer: number } | null;
  dirty: boolean;
}

export class OpaqueFamilyRib implements FamilyRoutes, NlriTable {
  private readonly routes: (OpaqueRoute | undefined)[] = [];
  private readonly byKey = new Map<string, number>();
  private readonly freeIds: number[] = [];
  private readonly perPeer = new Map<number, Set<number>>();
  private readonly perPeerCount = new Map<number, number>();
  private readonly perPeerFiltered = new Map<number, number>();
  private filter: ImportFilter | null = null;
  private dirty: number[] = [];
  private paths = 0;

  constructor(
    readonly afi: number,
    readonly safi: number,
    private readonly sets: AttrSetTable,
    private readonly sources: (peer: number) => PathSource,
    private readonly decision: DecisionOptions = DEFAULT_DECISION,
  ) {}

  get table(): NlriTable {
    return this;
  }

  get size(): number {
    return this.byKey.size;
  }

  get pathCount(): number {
    return this.paths;
  }

  get pendingDecisions(): number {
    return this.dirty.length;
  }

  get idLimit(): number {
    return this.routes.length;
  }

  has(id: number): boolean {
    return this.routes[id] !== undefined;
  }

  nlriLength(id: number): number {
    return this.routes[id]?.advertised?.length ?? 0;
  }

  writeNlri(id: number, buf: Buffer, off: number): number {
    const a = this.routes[id]?.advertised;
    return a === null || a === undefined ? off : off + a.copy(buf, off);
  }

  lookupNlri(bytes: Buffer, start: number, end: number): number {
    return this.byKey.get(nlriKey(this.afi, this.safi, bytes, start, end).toString('latin1')) ?? -1;
  }

  announceBlock(peer: number, block: NlriBlock, set: AttrSet): number {
    let n = 0;
    const f = this.filter;
    const blockEff = f === null ? set : f.perPrefix ? null : f.apply(peer, this.afi, this.safi, set, null);
    splitNlri(block.afi, block.safi, block.addPath, block.bytes, (pathId, start, end) => {
      n++;
      const key = nlriKey(this.afi, this.safi, block.bytes, start, end).toString('latin1');
      const r = this.route(key);
      const nlri = Buffer.from(block.bytes.subarray(start, end));
      const perPrefix = f !== null && f.perPrefix;
      const eff = perPrefix ? f.apply(peer, this.afi, this.safi, set, nlri) : blockEff;
      const existing = r.paths.find((p) => p.peer === peer && p.pathId === pathId);
      // New references first: the old and new sets may be the same.
      this.sets.retain(set);
      if (eff !== null && eff !== set) this.sets.retain(eff);
      if (existing !== undefined) {
        const changed = existing.set !== eff || !existing.nlri.equals(nlri);
        this.dropRefs(existing);
        existing.inSet = set;
        this.setFiltered(existing, eff === null);
        existing.set = eff;
        existing.nlri = nlri;
        existing.stale = false;
        if (changed) this.mark(r);
      } else {
        r.paths.push({ peer, pathId, inSet: set, set: eff, nlri, stale: false });
        if (eff === null) this.perPeerFiltered.set(peer, (this.perPeerFiltered.get(peer) ?? 0) + 1);
        this.paths++;
        this.perPeerCount.set(peer, (this.perPeerCount.get(peer) ?? 0) + 1);
        let ids = this.perPeer.get(peer);
        if (ids === undefined) this.perPeer.set(peer, (ids = new Set()));
        ids.add(r.id);
        // A filtered path alone changes no decision; a new route still needs one (to be freed).
        if (eff !== null || r.paths.length === 1) this.mark(r);
      }
      if (perPrefix && eff !== null) this.sets.release(eff);
    });
    if (f !== null && !f.perPrefix && blockEff !== null) this.sets.release(blockEff);
    return n;
  }

  setImportFilter(f: ImportFilter | null): void {
    this.filter = f;
  }

  reimport(peer: number | null): number {
    const f = this.filter;
    const memo = new Map<AttrSet, AttrSet | null>();
    let changed = 0;
    for (const [p, ids] of this.perPeer) {
      if (peer !== null && p !== peer) continue;
      for (const id of ids) {
        const r = this.routes[id];
        if (r === undefined) continue;
        for (const path of r.paths) {
          if (path.peer !== p) continue;
          let eff: AttrSet | null;
          let owned = false;
          if (f === null) eff = path.inSet;
          else if (!f.perPrefix) {
            const m = memo.get(path.inSet);
            if (m !== undefined) eff = m;
            else memo.set(path.inSet, (eff = f.apply(p, this.afi, this.safi, path.inSet, null)));
          } else {
            eff = f.apply(p, this.afi, this.safi, path.inSet, path.nlri);
            owned = eff !== null;
          }
          if (eff !== path.set) {
            if (eff !== null && eff !== path.inSet) this.sets.retain(eff);
            if (path.set !== null && path.set !== path.inSet) this.sets.release(path.set);
            this.setFiltered(path, eff === null);
            path.set = eff;
            this.mark(r);
            changed++;
          }
          if (owned && eff !== null) this.sets.release(eff);
        }
      }
    }
    for (const eff of memo.values()) if (eff !== null) this.sets.release(eff);
    return changed;
  }

  peerCounts(peer: number): { received: number; accepted: number } {
    const received = this.perPeerCount.get(peer) ?? 0;
    return { received, accepted: received - (this.perPeerFiltered.get(peer) ?? 0) };
  }

  /** Drops the references a path holds (received set, and effective set when different). */
  private dropRefs(p: OpaquePath): void {
    this.sets.release(p.inSet);
    if (p.set !== null && p.set !== p.inSet) this.sets.release(p.set);
  }

  /** Keeps the per-peer filtered count as a path moves in or out of "filtered" (call before `p.set` changes). */
  private setFiltered(p: OpaquePath, filtered: boolean): void {
    const was = p.set === null;
    if (was === filtered) return;
    this.perPeerFiltered.set(p.peer, (this.perPeerFiltered.get(p.peer) ?? 0) + (filtered ? 1 : -1));
  }

  withdrawBlock(peer: number, block: NlriBlock): number {
    let n = 0;
    splitNlri(block.afi, block.safi, block.addPath, block.bytes, (pathId, start, end) => {
      n++;
      const id = this.byKey.get(nlriKey(this.afi, this.safi, block.bytes, start, end).toString('latin1'));
      const r = id === undefined ? undefined : this.routes[id];
      if (r === undefined) return;
      const i = r.paths.findIndex((p) => p.peer === peer && p.pathId === pathId);
      if (i >= 0) this.removeAt(r, i);
    });
    return n;
  }

  dropPeer(peer: number, onlyStale = false): number {
    const ids = this.perPeer.get(peer);
    if (ids === undefined) return 0;
    let n = 0;
    for (const id of [...ids]) {
      const r = this.routes[id];
      if (r === undefined) continue;
      for (let i = r.paths.length - 1; i >= 0; i--) {
        const p = r.paths[i] as OpaquePath;
        if (p.peer === peer && (!onlyStale || p.stale)) {
          this.removeAt(r, i);
          n++;
        }
      }
    }
    return n;
  }

  markStale(peer: number): number {
    let n = 0;
    for (const id of this.perPeer.get(peer) ?? []) {
      for (const p of this.routes[id]?.paths ?? []) {
        if (p.peer === peer) {
          p.stale = true;
          n++;
        }
      }
    }
    return n;
  }

  peerPathCount(peer: number): number {
    return this.perPeerCount.get(peer) ?? 0;
  }

  decide(limit: number, emit: (c: BestChange) => void): number {
    let done = 0;
    while (done < limit && this.dirty.length > 0) {
      const id = this.dirty.pop() as number;
      const r = this.routes[id];
      done++;
      if (r === undefined) continue;
      r.dirty = false;
      const { ranked, rule } = this.rankRouteWithRule(r);
      const top = ranked[0];
      if (top === undefined) {
        r.best = null;
        emit({ prefixId: id, ranked: [], rule: 'onlyPath' });
        this.free(r);
        continue;
      }
      r.best = { set: top.set, peer: top.peer };
      r.advertised = r.paths.find((p) => p.peer === top.peer && p.pathId === top.pathId)?.nlri ?? null;
      emit({ prefixId: id, ranked, rule });
    }
    return this.dirty.length;
  }

  rank(id: number): RankedPath[] {
    const r = this.routes[id];
    return r === undefined ? [] : this.rankRoute(r);
  }

  bestRanked(id: number): RankedPath[] {
    const b = this.routes[id]?.best ?? null;
    return b === null ? [] : [{ set: b.set, peer: b.peer, pathId: 0 }];
  }

  forEachPrefix(fn: (id: number) => void): void {
    for (const r of this.routes) if (r !== undefined && r.paths.length > 0) fn(r.id);
  }

  markForDecision(id: number): void {
    const r = this.routes[id];
    if (r !== undefined) this.mark(r);
  }

  private rankRoute(r: OpaqueRoute): RankedPath[] {
    return this.rankRouteWithRule(r).ranked;
  }

  private rankRouteWithRule(r: OpaqueRoute): { ranked: RankedPath[]; rule: DecisionRule } {
    const cands: (Candidate & { peer: number })[] = [];
    // Filtered paths never enter the decision process, so never reach export.
    for (const p of r.paths) if (p.set !== null) cands.push({ set: p.set, source: this.sources(p.peer), pathId: p.pathId, peer: p.peer });
    const rule = rankPaths(cands, this.decision);
    return { ranked: cands.map((c) => ({ set: c.set, peer: c.peer, pathId: c.pathId })), rule };
  }

  private route(key: string): OpaqueRoute {
    const id = this.byKey.get(key);
    if (id !== undefined) return this.routes[id] as OpaqueRoute;
    const nid = this.freeIds.pop() ?? this.routes.length;
    const r: OpaqueRoute = { id: nid, key, paths: [], advertised: null, best: null, dirty: false };
    this.routes[nid] = r;
    this.byKey.set(key, nid);
    return r;
  }

  private removeAt(r: OpaqueRoute, i: number): void {
    const p = r.paths[i] as OpaquePath;
    r.paths.splice(i, 1);
    this.dropRefs(p);
    this.setFiltered(p, false);
    this.paths--;
    this.perPeerCount.set(p.peer, (this.perPeerCount.get(p.peer) ?? 1) - 1);
    if (!r.paths.some((q) => q.peer === p.peer)) this.perPeer.get(p.peer)?.delete(r.id);
    this.mark(r);
  }

  private mark(r: OpaqueRoute): void {
    if (!r.dirty) {
      r.dirty = true;
      this.dirty.push(r.id);
    }
  }

  /** Frees a route without paths, after its withdrawal was emitted (groups read its bytes first). */
  private free(r: OpaqueRoute): void {
    if (r.paths.length > 0) return;
    this.byKey.delete(r.key);
    this.routes[r.id] = undefined;
    this.freeIds.push(r.id);
  }
}
