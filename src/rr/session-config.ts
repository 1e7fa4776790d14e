/**
 * Router config → session layer settings: one PeerSessionConfig per group (neighbour
 * overrides applied by the caller), the LocalConfig, and family names → AFI/SAFI. Also where
 * TCP-MD5 keys are read (files or environment, issue 10): an unreadable key becomes
 * `md5KeyError`, so that one peer refuses to start with the reason and the others run.
 */
import type { AfiSafi, GracefulRestartFamily } from '../wire/capabilities.js';
import { AFI, SAFI } from '../wire/iana.js';
import { DEFAULT_TIMERS, defaultPeerConfig, type LocalConfig, type PeerAsSpec, type PeerSessionConfig } from '../session/peer-config.js';
import type { FamilyName, GroupConfig, Md5KeyRef, NeighborConfig, PeerAsConfig, RouterConfig } from '../config/router-config-types.js';
import { LIMIT_DEFAULTS } from '../config/router-config-group.js';
import { readMd5KeyEnv, readMd5KeyFile, type Md5Key } from '../session/socket-options.js';

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
/** Reads a TCP-MD5 key; the error names the file or variable, never the content. */
export function readMd5Key(ref: Md5KeyRef, env: NodeJS.ProcessEnv = process.env): { key: Md5Key } | { error: string } {
  try {
    return { key: ref.kind === 'file' ? readMd5KeyFile(ref.path) : readMd5KeyEnv(ref.name, env) };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

/** Which session a config is for, beyond its group: a neighbour (its overrides) or a listen range (its key). */
export type SessionScope = { readonly neighbor: NeighborConfig } | { readonly range: string } | null;

/** TCP-MD5 and GTSM settings of a session: the neighbour's or range's own, else the group's. */
export function securityConfig(g: GroupConfig, scope: SessionScope): Pick<PeerSessionConfig, 'md5Key' | 'md5KeyError' | 'ttlSecurityHops'> {
  const ref = scope !== null && 'neighbor' in scope ? (scope.neighbor.md5 ?? g.md5) : scope !== null ? (g.listenRangeMd5?.[scope.range] ?? g.md5) : g.md5;
  const hops = scope !== null && 'neighbor' in scope ? (scope.neighbor.ttlSecurityHops ?? g.ttlSecurityHops) : g.ttlSecurityHops;
  const k = ref === undefined ? null : readMd5Key(ref);
  return {
    ...(k !== null && 'key' in k ? { md5Key: k.key } : {}),
    ...(k !== null && 'error' in k ? { md5KeyError: k.error } : {}),
    ...(hops !== undefined ? { ttlSecurityHops: hops } : {}),
  };
}

export function groupSessionConfig(
  c: RouterConfig,
  g: GroupConfig,
  restarting: boolean,
  peerAs: PeerAsConfig = g.peerAs,
  passive: boolean = g.passive,
  scope: SessionScope = null,
): PeerSessionConfig {
  const base = defaultPeerConfig(peerAsSpec(peerAs));
  const families = g.families.map((f) => FAMILY[f]);
  const gr = c.gracefulRestart;
  const grFamilies: GracefulRestartFamily[] = families.map((f) => ({ ...f, forwardingPreserved: true }));
  const limits = g.limits ?? LIMIT_DEFAULTS;
  return {
    ...base,
    passive,
    ...securityConfig(g, scope),
    limits: {
      maxAsPathLength: limits.maxAsPathLength,
      maxCommunities: limits.maxCommunities,
      maxInboundBufferBytes: limits.inboundBufferBytes,
      maxOutboundBufferBytes: limits.outboundBufferBytes,
    },
    timers: {
      ...DEFAULT_TIMERS,
      // RFC 4271 §8: the hold timer while waiting for the peer's OPEN (idle timeout before OPEN).
      largeHoldTime: limits.openTimeout,
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
      // RFC 8950: IPv4 unicast NLRI over an IPv6 next hop (open-build.ts drops it without ipv4-unicast).
      extendedNextHop: g.extendedNextHop === true ? [{ afi: AFI.IPV4, safi: SAFI.UNICAST, nextHopAfi: AFI.IPV6 }] : [],
      addPath: g.addPathSend !== 0 || g.addPathReceive ? families.map((f) => ({ ...f, mode: g.addPathSend !== 0 && g.addPathReceive ? 'both' : g.addPathSend !== 0 ? 'send' : 'receive' })) : [],
    },
  };
}
