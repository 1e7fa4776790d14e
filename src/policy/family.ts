/**
 * AFI/SAFI numbers → the family names policies use (the router config's names), for callers
 * building a `PolicyRoute` from the RIB's numbers.
 *
 * Owns: that one mapping. Must not: hold protocol numbers (they come from src/wire/iana.ts).
 */
import { AFI, SAFI } from '../wire/iana.js';
import type { PolicyFamily } from './types.js';

/** The family name of an (AFI, SAFI) pair; null for one policies cannot name. */
export function familyName(afi: number, safi: number): PolicyFamily | null {
  const v4 = afi === AFI.IPV4;
  const v6 = afi === AFI.IPV6;
  if (!v4 && !v6) return afi === AFI.L2VPN && safi === SAFI.EVPN ? 'l2vpn-evpn' : null;
  switch (safi) {
    case SAFI.UNICAST:
      return v4 ? 'ipv4-unicast' : 'ipv6-unicast';
    case SAFI.MPLS_VPN:
      return v4 ? 'ipv4-vpn' : 'ipv6-vpn';
    case SAFI.FLOWSPEC:
      return v4 ? 'ipv4-flowspec' : 'ipv6-flowspec';
    case SAFI.MPLS_LABEL:
      return v4 ? 'ipv4-labeled-unicast' : 'ipv6-labeled-unicast';
    default:
      return null;
  }
}
