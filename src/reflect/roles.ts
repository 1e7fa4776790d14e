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
 * 5. An IPv4 unicast route with an IPv6 next hop (RFC 8950) goes only to groups whose
 *    members negotiated extended next hop for IPv4 unicast with next-hop AFI 2 (as FRR and
 *    BIRD do): to others it is not eligible, so it is withdrawn if it was sent and never
 *    announced (`nextHopSendable`).
 * The CLUSTER_ID prepended when reflecting is the one of the client group involved: the
 * sender's when the route comes from a client, else the target group's.
 */
import type { AttrSet } from '../rib/attr-set.js';
import { AFI, SAFI } from '../wire/iana.js';

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

/** What `nextHopSendable` needs to know of the target group. */
export interface NextHopTarget {
  /** The members negotiated RFC 8950 extended next hop for IPv4 unicast, next-hop AFI 2. */
  readonly extendedNextHop: boolean;
}

/**
 * Rule 5: whether the group can take the route's next hop in this family. Only an IPv4
 * unicast route whose next hop is not 4 octets (an IPv6 one, 16 or 32, RFC 8950 §3) needs
 * the group's extended next hop; the next hop is the one received, before export policy.
 */
export function nextHopSendable(set: AttrSet, afi: number, safi: number, target: NextHopTarget): boolean {
  return target.extendedNextHop || afi !== AFI.IPV4 || safi !== SAFI.UNICAST || set.nextHop.length === 4;
}

/** Whether sending this route to an iBGP group is reflection (iBGP-learned), which adds ORIGINATOR_ID/CLUSTER_LIST. */
export function isReflection(src: SourceRole, target: GroupRole): boolean {
  return src.role !== 'ebgp' && target.role !== 'ebgp';
}

/** The cluster ID prepended when reflecting from `src` to `target`. */
export function reflectingClusterId(src: SourceRole, target: GroupRole): number {
  return src.role === 'client' ? src.clusterId : target.clusterId;
}
