/**
 * The OPEN we send: which capabilities we advertise to a peer (`advertisedCapabilities`) and
 * the OPEN message that carries them (`buildOpen`).
 *
 * Must not: do I/O, read the clock, or look at the peer's OPEN (negotiate.ts does).
 *
 * RFCs: 4271 §4.2 (OPEN), 5492 (capabilities), 6793 §4.1 (AS_TRANS in My AS), 9072
 * (extended optional parameters), 4724 §3 (R bit), 9234 §4 (role on eBGP only), 8950 §3
 * (extended next hop).
 */
import type { Capability } from '../wire/capabilities.js';
import { capabilitiesLength } from '../wire/capability-encode.js';
import { AS_TRANS } from '../wire/iana.js';
import type { OpenMessage } from '../wire/open.js';
import type { LocalConfig, PeerAsSpec, PeerSessionConfig } from './peer-config.js';

const MAX_SHORT_PARAMS = 255; // one-octet Opt Parm Len (RFC 4271 §4.2, RFC 9072 §2)

/**
 * Whether the session is known to be eBGP before the peer's OPEN: true/false for a fixed
 * spec, null for AS ranges that contain our own AS next to others.
 */
export function knownExternal(spec: PeerAsSpec, localAs: number): boolean | null {
  switch (spec.kind) {
    case 'exact':
      return spec.asn !== localAs;
    case 'internal':
      return false;
    case 'external':
      return true;
    case 'ranges': {
      const hit = spec.ranges.some((r) => localAs >= r.min && localAs <= r.max);
      if (!hit) return true;
      return spec.ranges.every((r) => r.min === localAs && r.max === localAs) ? false : null;
    }
  }
}

/** Our capabilities, in the order we send them. */
export function advertisedCapabilities(
  local: LocalConfig,
  peer: PeerSessionConfig,
  restarting = false,
): Capability[] {
  const c = peer.capabilities;
  const caps: Capability[] = peer.families.map((f) => ({ kind: 'multiprotocol', afi: f.afi, safi: f.safi }));
  if (c.routeRefresh) caps.push({ kind: 'routeRefresh' });
  if (c.enhancedRouteRefresh) caps.push({ kind: 'enhancedRouteRefresh' });
  if (c.fourOctetAs) caps.push({ kind: 'fourOctetAs', asn: local.localAs });
  if (c.gracefulRestart !== null) {
    const gr = c.gracefulRestart;
    caps.push({
      kind: 'gracefulRestart',
      restarting: restarting || gr.restarting === true,
      notification: gr.notification,
      restartTime: gr.restartTime,
      families: gr.families,
    });
  }
  if (c.addPath.length > 0) caps.push({ kind: 'addPath', families: c.addPath });
  // RFC 8950 §3: one entry per (NLRI family, next-hop AFI); only families we carry.
  const enh = c.extendedNextHop.filter((e) => peer.families.some((f) => f.afi === e.afi && f.safi === e.safi));
  if (enh.length > 0) caps.push({ kind: 'extendedNextHop', entries: enh });
  if (c.extendedMessage) caps.push({ kind: 'extendedMessage' });
  if (c.fqdn) caps.push({ kind: 'fqdn', hostname: local.hostname, domain: local.domain });
  // RFC 9234 §4: the role belongs to eBGP sessions; send it unless the session is surely iBGP.
  if (c.role !== null && knownExternal(peer.remoteAs, local.localAs) !== false) {
    caps.push({ kind: 'role', role: c.role.role });
  }
  return caps;
}

/**
 * The OPEN we send. My Autonomous System carries AS_TRANS when our AS needs 4 octets
 * (RFC 6793 §4.1); the parameters switch to the RFC 9072 format when they exceed 255 octets.
 * `restarting` sets the graceful restart R bit (RFC 4724 §3).
 */
export function buildOpen(local: LocalConfig, peer: PeerSessionConfig, restarting = false): OpenMessage {
  const caps = advertisedCapabilities(local, peer, restarting);
  const paramsLength = caps.length === 0 ? 0 : 2 + capabilitiesLength(caps);
  return {
    version: 4,
    myAs: local.localAs > 0xffff ? AS_TRANS : local.localAs,
    holdTime: peer.timers.holdTime,
    bgpId: local.bgpId,
    params: caps.length === 0 ? [] : [{ type: 'capabilities', capabilities: caps }],
    extendedParams: paramsLength > MAX_SHORT_PARAMS,
  };
}
