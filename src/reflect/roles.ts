/**
 * Route reflection rules (RFC 4456 §6, §8) and the well-known communities (RFC 1997), as
 * pure functions over roles. Numbered as the RFC states them:
 * 1. A route from an eBGP peer goes to every client and non-client (and other eBGP peers).
 * 2. A route from a client goes to every non-client and every client except the sender
 *    (the sender is skipped by the update group), unless client-to-client reflection is off
 *    for the target group's cluster, in which case other clients of that cluster do not get it.
 * 3. A route from a non-client (iBGP) goes to clients only (and to eBGP peers).
 * 4. NO_ADVERTISE: to nobody. NO_EXPORT: to no eBGP peer. NO_EXPORT_SUBCONFED: to no eBGP
 *    peer (we run no confederation, so the two are equivalent here).
 * The CLUSTER_ID prepended when reflecting is the one of the client group involved: the
 * sender's when the route comes from a client, else the target group's.
 */
import type { AttrSet } from '../rib/attr-set.js';

export type PeerRole = 'client' | 'nonClient' | 'ebgp';

export interface GroupRole {
  readonly role: PeerRole;
  readonly clusterId: number;
  /** RFC 4456 §6 "client-to-client reflection": on by default. */
  readonly clientToClient: boolean;
}

export interface SourceRole {
  readonly role: PeerRole;
  /** Cluster ID of the sender's group (meaningful for clients). */
  readonly clusterId: number;
  readonly bgpId: number;
}

export function eligible(src: SourceRole, set: AttrSet, target: GroupRole): boolean {
  if (set.noAdvertise) return false;
  if (target.role === 'ebgp' && (set.noExport || set.noExportSubconfed)) return false;
  switch (src.role) {
    case 'ebgp':
      return true;
    case 'client':
      if (target.role !== 'client') return true;
      return target.clientToClient || target.clusterId !== src.clusterId;
    case 'nonClient':
      return target.role !== 'nonClient';
  }
}

/** Whether sending this route to an iBGP group is reflection (iBGP-learned), which adds ORIGINATOR_ID/CLUSTER_LIST. */
export function isReflection(src: SourceRole, target: GroupRole): boolean {
  return src.role !== 'ebgp' && target.role !== 'ebgp';
}

/** The cluster ID prepended when reflecting from `src` to `target`. */
export function reflectingClusterId(src: SourceRole, target: GroupRole): number {
  return src.role === 'client' ? src.clusterId : target.clusterId;
}
