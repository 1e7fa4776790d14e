/**
 * Router config → session layer settings: one PeerSessionConfig per group (neighbour
 * overrides applied by the caller), the LocalConfig, and family names → AFI/SAFI.
 */
import type { AfiSafi, GracefulRestartFamily } from '../wire/capabilities.js';
import { AFI, SAFI } from '../wire/iana.js';
import { DEFAULT_TIMERS, defaultPeerConfig, type LocalConfig, type PeerAsSpec, type PeerSessionConfig } from '../session/peer-config.js';
import type { FamilyName, GroupConfig, PeerAsConfig, RouterConfig } from '../config/router-config-types.js';

export const FAMILY: Readonly<Record<FamilyName, AfiSafi>> = {
  'ipv4-unicast': { afi: AFI.IPV4, safi: SAFI.UNICAST },
  'ipv6-unicast': { afi: AFI.IPV6, safi: SAFI.UNICAST },
  'l2vpn-evpn': { afi: AFI.L2VPN, safi: SAFI.EVPN },
  'ipv4-vpn': { afi: AFI.IPV4, safi: SAFI.MPLS_VPN },
  'ipv6-vpn': { afi: AFI.IPV6, safi: SAFI.MPLS_VPN },
  'ipv4-flowspec': { afi: AFI.IPV4, safi: SAFI.FLOWSPEC },
  'ipv6-flowspec': { afi: AFI.IPV6, safi: SAFI.FLOWSPEC },
  'ipv4-labeled-unicast': { afi: AFI.IPV4, safi: SAFI.MPLS_LABEL },
  'ipv6-labeled-unicast': { afi: AFI.IPV6, safi: SAFI.MPLS_LABEL },
};

export function localConfig(c: RouterConfig): LocalConfig {
  return { localAs: c.asn, bgpId: c.routerId, hostname: c.hostname, domain: '' };
}

export function peerAsSpec(p: PeerAsConfig): PeerAsSpec {
  return p;
}

/**
 * The session settings of a group. `restarting` sets the graceful restart R bit (the process
 * started less than the restart time ago, RFC 4724 §3).
 */
export function groupSessionConfig(c: RouterConfig, g: GroupConfig, restarting: boolean, peerAs: PeerAsConfig = g.peerAs, passive: boolean = g.passive): PeerSessionConfig {
  const base = defaultPeerConfig(peerAsSpec(peerAs));
  const families = g.families.map((f) => FAMILY[f]);
  const gr = c.gracefulRestart;
  const grFamilies: GracefulRestartFamily[] = families.map((f) => ({ ...f, forwardingPreserved: true }));
  return {
    ...base,
    passive,
    timers: {
      ...DEFAULT_TIMERS,
      holdTime: g.holdTime,
      connectRetryTime: g.connectRetryTime,
      idleHoldTime: Math.min(DEFAULT_TIMERS.idleHoldTime, g.connectRetryTime),
    },
    families,
    capabilities: {
      ...base.capabilities,
      extendedMessage: true,
      fqdn: true,
      gracefulRestart: gr.enabled ? { restartTime: gr.restartTime, notification: gr.notification, families: grFamilies, restarting } : null,
      addPath: g.addPathSend !== 0 || g.addPathReceive ? families.map((f) => ({ ...f, mode: g.addPathSend !== 0 && g.addPathReceive ? 'both' : g.addPathSend !== 0 ? 'send' : 'receive' })) : [],
    },
  };
}
