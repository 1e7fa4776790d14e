/**
 * The RIB: attribute sets, per-family route tables, the peers routes come from, and the
 * import path from a received UPDATE (after both RFC 7606 passes) to paths.
 *
 * Ingress rules, in order (each a documented choice):
 * 1. treat-as-withdraw (RFC 7606 §2): every announced prefix of the UPDATE is withdrawn; an
 *    invalid path never enters the table, so it can never reach export.
 * 2. Route reflection loop detection (RFC 4456 §8): a route whose ORIGINATOR_ID is our router
 *    ID, or whose CLUSTER_LIST holds one of our cluster IDs, is dropped; since it replaces
 *    whatever that peer sent before for the prefix, it is handled as a withdrawal (as BIRD and
 *    FRR do) and counted.
 * 3. The import filter (import-filter.ts; issue 6's import policy) decides last, per path:
 *    the path is kept as received (Adj-RIB-In) and installed with the set the filter returns,
 *    or kept as "filtered" (never in the decision process, never exported). `reimport`
 *    re-applies it after a policy change without the peer resending.
 * Families other than IPv4/IPv6 unicast are kept opaque (opaque-family-rib.ts).
 *
 * The RIB does no I/O and keeps no clock: callers drive `decide` (STYLE.md §1).
 */
import { AFI, SAFI, afiSafiKey } from '../wire/iana.js';
import type { NlriBlock, PathAttribute, UpdateMessage } from '../wire/attribute-types.js';
import { findAttribute } from '../wire/attribute-types.js';
import { mergeAs4Path } from '../wire/attrs/as-path.js';
import { AttrSetTable, type AttrSet } from './attr-set.js';
import { FamilyRib } from './family-rib.js';
import { OpaqueFamilyRib } from './opaque-family-rib.js';
import type { BestChange, FamilyRoutes } from './family-routes.js';
import type { ImportFilter, PeerFamilyCounts } from './import-filter.js';
import { DEFAULT_DECISION, type DecisionOptions, type PathSource } from './best-path.js';

export interface RibPeerInfo extends PathSource {
  /** Session negotiated 4-octet ASes: if not, AS4_PATH is merged on import (RFC 6793 §4.2.3). */
  readonly as4: boolean;
}

export interface ImportCounters {
  announced: number;
  withdrawn: number;
  treatAsWithdraw: number;
  loopOriginator: number;
  loopClusterList: number;
  ignoredFamily: number;
}

export interface RibOptions {
  readonly routerId: number;
  /** Every cluster ID this reflector uses (RFC 4456 §8 loop detection). */
  readonly clusterIds: readonly number[];
  readonly decision?: DecisionOptions;
}

const EMPTY = Buffer.alloc(0);

export class Rib {
  readonly sets = new AttrSetTable();
  readonly families = new Map<number, FamilyRoutes>();
  private readonly peers: (RibPeerInfo | undefined)[] = [];
  readonly counters: ImportCounters = { announced: 0, withdrawn: 0, treatAsWithdraw: 0, loopOriginator: 0, loopClusterList: 0, ignoredFamily: 0 };
  private clusterIds: Set<number>;
  private routerId: number;
  private importFilter: ImportFilter | null = null;
  private readonly nextHop4 = Buffer.alloc(4);

  constructor(opts: RibOptions) {
    this.routerId = opts.routerId >>> 0;
    this.clusterIds = new Set(opts.clusterIds.map((c) => c >>> 0));
    this.decision = opts.decision ?? DEFAULT_DECISION;
    for (const [afi, safi] of [
      [AFI.IPV4, SAFI.UNICAST],
      [AFI.IPV6, SAFI.UNICAST],
    ] as const) {
      this.families.set(afiSafiKey(afi, safi), new FamilyRib(afi, safi, this.sets, this.source, this.decision));
    }
  }

  private readonly decision: DecisionOptions;
  private readonly source = (p: number): PathSource => {
    const info = this.peers[p];
    if (info === undefined) throw new Error(`path from unknown peer ${p}`);
    return info;
  };

  /**
   * The routes of a family, created on first use for families other than IPv4/IPv6 unicast
   * (carried opaque: a reflector must pass on every family both sides negotiated).
   */
  familyOrCreate(afi: number, safi: number): FamilyRoutes {
    const key = afiSafiKey(afi, safi);
    let f = this.families.get(key);
    if (f === undefined) {
      f = new OpaqueFamilyRib(afi, safi, this.sets, this.source, this.decision);
      f.setImportFilter(this.importFilter);
      this.families.set(key, f);
    }
    return f;
  }

  /**
   * Sets the import filter every later announcement goes through (null: accept all as
   * received). Paths already held keep their effective sets until `reimport`.
   */
  setImportFilter(f: ImportFilter | null): void {
    this.importFilter = f;
    for (const fam of this.families.values()) fam.setImportFilter(f);
  }

  /**
   * Re-runs the import filter over the Adj-RIB-In of one peer (null: all peers), e.g. after
   * an import policy change: no ROUTE-REFRESH needed. Prefixes whose effective path changed
   * are marked for the next `decide` (nothing else is, so nothing else is re-sent). Returns
   * the number of paths whose effective set changed.
   */
  reimport(peer: number | null): number {
    let n = 0;
    for (const f of this.families.values()) n += f.reimport(peer);
    return n;
  }

  /**
   * Received and accepted path counts of a peer, one entry per family the RIB holds (IPv4
   * and IPv6 unicast always, other families once used), zeros included: the caller keeps
   * the families the session negotiated.
   */
  peerCounts(peer: number): PeerFamilyCounts[] {
    const out: PeerFamilyCounts[] = [];
    for (const f of this.families.values()) {
      const c = f.peerCounts(peer);
      out.push({ afi: f.afi, safi: f.safi, received: c.received, accepted: c.accepted });
    }
    return out;
  }

  /** Updates the cluster IDs used for loop detection (config reload). */
  setClusterIds(ids: readonly number[]): void {
    this.clusterIds = new Set(ids.map((c) => c >>> 0));
  }

  family(afi: number, safi: number): FamilyRoutes | undefined {
    return this.families.get(afiSafiKey(afi, safi));
  }

  /** Registers (or re-registers after a new session) the peer behind an index. */
  setPeer(index: number, info: RibPeerInfo): void {
    this.peers[index] = info;
  }

  peerInfo(index: number): RibPeerInfo | undefined {
    return this.peers[index];
  }

  /** Imports one received UPDATE from `peer`. `action` is the RFC 7606 outcome of both passes. */
  importUpdate(peer: number, u: UpdateMessage, treatAsWithdraw: boolean): void {
    const info = this.peers[peer];
    if (info === undefined) throw new Error(`UPDATE from unregistered peer ${peer}`);
    this.withdrawBlock(peer, u.withdrawn);
    let reach: NlriBlock | null = null;
    let reachNextHop: Buffer = EMPTY;
    for (const a of u.attributes) {
      if (a.kind === 'mpUnreach') this.withdrawBlock(peer, a.value.withdrawn);
      else if (a.kind === 'mpReach') {
        reach = a.value.nlri;
        reachNextHop = a.value.nextHop;
      }
    }
    if (u.nlri.bytes.length === 0 && reach === null) return;
    if (treatAsWithdraw) {
      this.counters.treatAsWithdraw++;
      this.withdrawBlock(peer, u.nlri);
      if (reach !== null) this.withdrawBlock(peer, reach);
      return;
    }
    const attrs = info.as4 ? u.attributes : normalizeAs2(u.attributes);
    const origId = findAttribute(attrs, 'originatorId');
    if (origId !== undefined && origId.value >>> 0 === this.routerId) {
      this.counters.loopOriginator++;
      this.withdrawBlock(peer, u.nlri);
      if (reach !== null) this.withdrawBlock(peer, reach);
      return;
    }
    const cl = findAttribute(attrs, 'clusterList');
    if (cl !== undefined && cl.value.some((c) => this.clusterIds.has(c >>> 0))) {
      this.counters.loopClusterList++;
      this.withdrawBlock(peer, u.nlri);
      if (reach !== null) this.withdrawBlock(peer, reach);
      return;
    }
    if (u.nlri.bytes.length > 0) {
      const nh = findAttribute(attrs, 'nextHop');
      // intern copies the next hop into the set's own bytes: a scratch buffer will do.
      const nhBuf = this.nextHop4;
      nhBuf.writeUInt32BE((nh?.value ?? 0) >>> 0);
      const set = this.sets.intern(attrs, nhBuf);
      this.announceBlock(peer, u.nlri, set);
      this.sets.release(set);
    }
    if (reach !== null) {
      const set = this.sets.intern(attrs, reachNextHop);
      this.announceBlock(peer, reach, set);
      this.sets.release(set);
    }
  }

  /** Session down without graceful restart: every path of the peer goes. */
  dropPeer(peer: number): number {
    let n = 0;
    for (const f of this.families.values()) n += f.dropPeer(peer);
    return n;
  }

  /** Graceful restart helper: keep the peer's paths, marked stale (RFC 4724 §4.2). */
  markPeerStale(peer: number): number {
    let n = 0;
    for (const f of this.families.values()) n += f.markStale(peer);
    return n;
  }

  /** End-of-RIB from a restarted peer, or its restart timer ran out: stale paths go. */
  sweepStale(peer: number): number {
    let n = 0;
    for (const f of this.families.values()) n += f.dropPeer(peer, true);
    return n;
  }

  /** Runs the decision process on up to `limit` dirty prefixes per family; returns what remains. */
  decide(limit: number, emit: (f: FamilyRoutes, c: BestChange) => void): number {
    let remaining = 0;
    for (const f of this.families.values()) remaining += f.decide(limit, (c) => emit(f, c));
    // Every change has been emitted: ids of freed attribute sets may name new sets now.
    if (remaining === 0) this.sets.recycleIds();
    return remaining;
  }

  get pendingDecisions(): number {
    let n = 0;
    for (const f of this.families.values()) n += f.pendingDecisions;
    return n;
  }

  private withdrawBlock(peer: number, b: NlriBlock): void {
    if (b.bytes.length === 0) return;
    this.counters.withdrawn += this.familyOrCreate(b.afi, b.safi).withdrawBlock(peer, b);
  }

  private announceBlock(peer: number, b: NlriBlock, set: AttrSet): void {
    this.counters.announced += this.familyOrCreate(b.afi, b.safi).announceBlock(peer, b, set);
  }
}

/**
 * Attributes from a 2-octet AS speaker in the form the RIB keeps: AS_PATH rebuilt with
 * AS4_PATH (RFC 6793 §4.2.3), AGGREGATOR taken from AS4_AGGREGATOR when it holds AS_TRANS,
 * and the AS4_* attributes dropped (they are regenerated on export to 2-octet peers).
 */
export function normalizeAs2(attrs: readonly PathAttribute[]): PathAttribute[] {
  const as4Path = findAttribute(attrs, 'as4Path');
  const as4Agg = findAttribute(attrs, 'as4Aggregator');
  const out: PathAttribute[] = [];
  for (const a of attrs) {
    if (a.kind === 'as4Path' || a.kind === 'as4Aggregator') continue;
    if (a.kind === 'asPath' && as4Path !== undefined) {
      out.push({ ...a, value: mergeAs4Path(a.value, as4Path.value) });
    } else if (a.kind === 'aggregator' && as4Agg !== undefined && a.value.asn === 23456) {
      out.push({ ...a, value: as4Agg.value });
    } else out.push(a);
  }
  return out;
}
