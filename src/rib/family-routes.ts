/**
 * What the RIB and the reflector need from one family's routes, whatever their storage:
 * FamilyRib (IPv4/IPv6 unicast in typed arrays) and OpaqueFamilyRib (labelled, VPN, EVPN,
 * flowspec... kept as bytes).
 */
import type { NlriBlock } from '../wire/attribute-types.js';
import type { AttrSet } from './attr-set.js';
import type { DecisionRule } from './best-path.js';
import type { NlriTable } from './nlri-table.js';
import type { ImportFilter } from './import-filter.js';

/** One path of a prefix as the decision process ranked it. */
export interface RankedPath {
  readonly set: AttrSet;
  readonly peer: number;
  readonly pathId: number;
}

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

export interface FamilyRoutes {
  readonly afi: number;
  readonly safi: number;
  readonly table: NlriTable;
  readonly size: number;
  readonly pathCount: number;
  readonly pendingDecisions: number;
  /**
   * Adds or replaces the peer's path for every route of the block, received with `set` (the
   * caller keeps its reference; each path takes its own); the import filter decides the
   * effective set. Returns the route count.
   */
  announceBlock(peer: number, block: NlriBlock, set: AttrSet): number;
  /** Removes the peer's path for every route of the block; returns the route count. */
  withdrawBlock(peer: number, block: NlriBlock): number;
  dropPeer(peer: number, onlyStale?: boolean): number;
  markStale(peer: number): number;
  /** Paths a peer has in the family (received, filtered or not). */
  peerPathCount(peer: number): number;
  /** Received and accepted (not filtered by import policy) paths of a peer. */
  peerCounts(peer: number): { received: number; accepted: number };
  /** The filter later announcements go through (import-filter.ts). */
  setImportFilter(f: ImportFilter | null): void;
  /** Re-runs the filter over a peer's (null: every peer's) Adj-RIB-In; returns paths changed. */
  reimport(peer: number | null): number;
  decide(limit: number, emit: (c: BestChange) => void): number;
  rank(id: number): RankedPath[];
  bestRanked(id: number): RankedPath[];
  forEachPrefix(fn: (id: number) => void): void;
  markForDecision(id: number): void;
}
