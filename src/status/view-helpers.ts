/**
 * Small lookups the status views share: the update group of a peer index, the RFC 4456 role
 * of the peer behind an index, and the error a bad query raises.
 *
 * Owns: those lookups. Must not: build views.
 */
import type { RouteReflector } from '../rr/route-reflector.js';
import type { SourceRole } from '../reflect/roles.js';
import type { UpdateGroup } from '../reflect/update-group.js';

/** A bad query parameter; the server answers 400 with the message. */
export class QueryError extends Error {
  readonly code = 'MESHRR_STATUS_QUERY' as const;
}

/** The update group a peer (RIB index) is a member of. */
export function groupOfIndex(rr: RouteReflector, index: number): UpdateGroup | undefined {
  for (const g of rr.reflector.groups.values()) if (g.members.has(index)) return g;
  return undefined;
}

/** The RFC 4456 role of the peer behind a RIB index (for eligibility and export). */
export function sourceRole(rr: RouteReflector, index: number): SourceRole | undefined {
  const name = rr.peerNameOf(index);
  const peer = name === undefined ? undefined : rr.speaker.getPeer(name);
  const g = peer === undefined ? undefined : rr.groupConfig(peer.group);
  const info = rr.reflector.rib.peerInfo(index);
  if (g === undefined || info === undefined) return undefined;
  return { role: g.role, clusterId: g.clusterId, bgpId: info.bgpId };
}
