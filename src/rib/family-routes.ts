/**
 * What the RIB and the reflector need from one family's routes, whatever their storage:
 * FamilyRib (IPv4/IPv6 unicast in typed arrays) and OpaqueFamilyRib (labelled, VPN, EVPN,
 * flowspec... kept as bytes).
 */
import type { NlriBlock } from '../wire/attribute-types.js';
import type { AttrSet } from './attr-set.js';
import type { BestChange, RankedPath } from './family-rib.js';
import type { NlriTable } from './nlri-table.js';

export interface FamilyRoutes {
  readonly afi: number;
  readonly safi: number;
  readonly table: NlriTable;
  readonly size: number;
  readonly pathCount: number;
  readonly pendingDecisions: number;
  /** Adds or replaces the peer's path for every route of the block; returns the route count. */
  announceBlock(peer: number, block: NlriBlock, set: AttrSet): number;
  /** Removes the peer's path for every route of the block; returns the route count. */
  withdrawBlock(peer: number, block: NlriBlock): number;
  dropPeer(peer: number, onlyStale?: boolean): number;
  markStale(peer: number): number;
  peerPathCount(peer: number): number;
  decide(limit: number, emit: (c: BestChange) => void): number;
  rank(id: number): RankedPath[];
  bestRanked(id: number): RankedPath[];
  forEachPrefix(fn: (id: number) => void): void;
  markForDecision(id: number): void;
}
