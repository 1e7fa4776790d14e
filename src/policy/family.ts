/**
 * AFI/SAFI numbers → family names as the router config spells them ('ipv4-unicast',
 * 'l2vpn-evpn', 'ipv4-flowspec'...), for status, metrics and policies.
 *
 * Owns: that one mapping. Must not: hold protocol numbers (they come from src/wire/iana.ts).
 */
import { AFI, SAFI } from '../wire/iana.js';
import type { PolicyFamily } from './types.js';

/** The families a policy can name (`match.family`). */
export const POLICY_FAMILIES: readonly PolicyFamily[] = [
  'ipv4-unicast', 'ipv6-unicast', 'l2vpn-evpn', 'ipv4-vpn', 'ipv6-vpn', 'ipv4-flowspec', 'ipv6-flowspec', 'ipv4-labeled-unicast', 'ipv6-labeled-unicast',
];

const AFI_NAMES: Readonly<Record<number, string>> = { [AFI.IPV4]: 'ipv4', [AFI.IPV6]: 'ipv6', [AFI.L2VPN]: 'l2vpn', [AFI.BGP_LS]: 'bgp-ls' };
const SAFI_NAMES: Readonly<Record<number, string>> = {
  [SAFI.UNICAST]: 'unicast',
  2: 'multicast',
  [SAFI.MPLS_LABEL]: 'labeled-unicast',
  5: 'mvpn',
  [SAFI.EVPN]: 'evpn',
  [SAFI.BGP_LS]: 'bgp-ls',
  [SAFI.MPLS_VPN]: 'vpn',
  [SAFI.FLOWSPEC]: 'flowspec',
  134: 'flowspec-vpn',
};

/** The name of any (AFI, SAFI) pair: 'ipv4-unicast', 'l2vpn-evpn'...; 'afiN-safiM' when unknown. */
export function familyLabel(afi: number, safi: number): string {
  return `${AFI_NAMES[afi] ?? `afi${afi}`}-${SAFI_NAMES[safi] ?? `safi${safi}`}`;
}

/** familyName by (AFI << 8 | SAFI): policies ask per route, so the answer is looked up, not built. */
const POLICY_NAMES = new Map<number, PolicyFamily | null>();

/** The family name of an (AFI, SAFI) pair; null for one policies cannot name. */
export function familyName(afi: number, safi: number): PolicyFamily | null {
  const key = afi * 256 + safi;
  const hit = POLICY_NAMES.get(key);
  if (hit !== undefined) return hit;
  const label = familyLabel(afi, safi);
  const name = (POLICY_FAMILIES as readonly string[]).includes(label) ? (label as PolicyFamily) : null;
  POLICY_NAMES.set(key, name);
  return name;
}
