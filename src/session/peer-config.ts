/**
 * The typed per-peer session configuration that the FSM (fsm.ts) and OPEN negotiation
 * (open-build.ts, negotiate.ts) read: who the peer may be, what we advertise, what we
 * require, and the RFC 4271 §8.1.1 optional session attributes and §10 timer values.
 *
 * Owns: the shape, the defaults and a consistency check. Must not: parse files, render
 * templates or resolve names (that is src/config/, which produces these values).
 *
 * RFCs: 4271 §8.1.1 and §10, 4760, 2918, 7313, 6793, 4724 + 8538, 7911, 8654, 9234,
 * draft-walton-bgp-hostname-capability.
 */
import type { AddPathMode, AfiSafi, ExtendedNextHopEntry, GracefulRestartFamily } from '../wire/capabilities.js';
import { AFI, AS_TRANS, SAFI } from '../wire/iana.js';
import type { Md5Key } from './socket-options.js';

/** Our side of every session. */
export interface LocalConfig {
  /** Our autonomous system number, 4-octet (RFC 6793). */
  readonly localAs: number;
  /** Our BGP Identifier as an unsigned 32-bit number (RFC 6286 §2.1). */
  readonly bgpId: number;
  /** Host and domain name for the FQDN capability (draft-walton-bgp-hostname). */
  readonly hostname: string;
  readonly domain: string;
}

/** An inclusive range of AS numbers. */
export interface AsRange {
  readonly min: number;
  readonly max: number;
}

/**
 * Which AS the peer must present (RFC 4271 §6.2 Bad Peer AS). `ranges` serves dynamic peers
 * accepted from a listen range bound to a peer group; `internal`/`external` are FRR's
 * `remote-as internal|external`.
 */
export type PeerAsSpec =
  | { readonly kind: 'exact'; readonly asn: number }
  | { readonly kind: 'ranges'; readonly ranges: readonly AsRange[] }
  | { readonly kind: 'internal' }
  | { readonly kind: 'external' };

/**
 * A capability the peer must advertise, else we refuse the session with OPEN Message Error /
 * Unsupported Capability (RFC 5492 §5). Each required capability must also be one we
 * advertise (validatePeerConfig checks it).
 */
export type RequiredCapability =
  | { readonly kind: 'multiprotocol'; readonly afi: number; readonly safi: number }
  | { readonly kind: 'routeRefresh' }
  | { readonly kind: 'enhancedRouteRefresh' }
  | { readonly kind: 'fourOctetAs' }
  | { readonly kind: 'gracefulRestart' }
  | { readonly kind: 'extendedMessage' }
  /** The peer must agree to add-path for this family in the direction we configured. */
  | { readonly kind: 'addPath'; readonly afi: number; readonly safi: number };

/** Our graceful restart capability (RFC 4724 §3, RFC 8538 §2). */
export interface GracefulRestartConfig {
  /** Restart Time in seconds (12 bits). */
  readonly restartTime: number;
  /** Advertise the N bit: graceful NOTIFICATION handling (RFC 8538). */
  readonly notification: boolean;
  /**
   * Families and their F bit. A reflector is off the forwarding path, so the routes it
   * reflected stay valid across its restart: meshrr sets F so that helpers keep them
   * (RFC 4724 §4.2 drops stale routes of families without F).
   */
  readonly families: readonly GracefulRestartFamily[];
  /**
   * Set the R bit (RFC 4724 §3): we restarted and ask peers to keep our routes until our
   * End-of-RIB. The composition root sets it for the OPENs sent within the restart time after
   * the process starts.
   */
  readonly restarting?: boolean;
}

/** What we advertise in our OPEN (buildOpen in open-build.ts). */
export interface CapabilityConfig {
  readonly routeRefresh: boolean;
  readonly enhancedRouteRefresh: boolean;
  /** RFC 6793: should always be true; false only to emulate an old speaker in tests. */
  readonly fourOctetAs: boolean;
  readonly extendedMessage: boolean;
  readonly fqdn: boolean;
  readonly gracefulRestart: GracefulRestartConfig | null;
  /** Per family: which directions we want path identifiers in (RFC 7911 §4). */
  readonly addPath: readonly (AfiSafi & { readonly mode: AddPathMode })[];
  /** RFC 9234 role; `strict` refuses a peer that does not send the role capability. */
  readonly role: { readonly role: number; readonly strict: boolean } | null;
  /**
   * RFC 8950 extended next hop: the (family, next-hop AFI) pairs we advertise, e.g. IPv4
   * unicast with an IPv6 next hop (1/1/2). Only entries whose family we carry are sent.
   */
  readonly extendedNextHop: readonly ExtendedNextHopEntry[];
}

/** Timer values in seconds (RFC 4271 §10 defaults). */
export interface TimerConfig {
  /** Hold Time we propose: 0 or at least 3 (RFC 4271 §4.2). */
  readonly holdTime: number;
  /**
   * Smallest non-zero hold time we accept from the peer; RFC 4271 §6.2 forces 1 and 2 to be
   * rejected, an operator may raise the floor (OpenBGPD `holdtime min`).
   */
  readonly minHoldTime: number;
  /** ConnectRetryTime (RFC 4271 §10 suggests 120 s). */
  readonly connectRetryTime: number;
  /** Hold timer while waiting for the peer's OPEN (RFC 4271 §8.2.2 suggests 4 minutes). */
  readonly largeHoldTime: number;
  /** DelayOpenTime; 0 means the DelayOpen attribute is FALSE (RFC 4271 §8.1.1). */
  readonly delayOpenTime: number;
  /** First IdleHoldTime after an error (RFC 4271 §8.1.1 DampPeerOscillations). */
  readonly idleHoldTime: number;
  /** Ceiling of the exponential IdleHoldTime back-off. */
  readonly maxIdleHoldTime: number;
  /** Seconds in Established after which the peer counts as stable and the back-off resets. */
  readonly idleHoldStablePeriod: number;
}

/**
 * What one session may cost us (issue 10): a peer that exceeds a limit loses the session or
 * the offending routes, never the process or the other sessions.
 */
export interface SessionLimits {
  /**
   * Octets received and not yet processed above which the socket is paused, so TCP flow
   * control slows the peer (the kernel's receive buffer holds the rest).
   */
  readonly maxInboundBufferBytes: number;
  /**
   * Octets written to the socket and not yet taken by the kernel above which the session is
   * reset with Cease / Out of Resources (RFC 4486 subcode 8): a peer that stops reading.
   */
  readonly maxOutboundBufferBytes: number;
  /** ASes in AS_PATH (AS_SET counted as one, RFC 4271 §9.1.2.2) beyond which the UPDATE is treated as withdraw. */
  readonly maxAsPathLength: number;
  /** Standard + large + extended communities beyond which the UPDATE is treated as withdraw. */
  readonly maxCommunities: number;
}

/** Generous defaults: far above anything seen in the global table, low enough to bound memory. */
export const DEFAULT_LIMITS: SessionLimits = {
  maxInboundBufferBytes: 1 << 20,
  maxOutboundBufferBytes: 32 << 20,
  maxAsPathLength: 1000,
  maxCommunities: 4000,
};

/**
 * One peer's session configuration. The boolean session attributes carry the RFC 4271
 * §8.1.1 names in camelCase.
 */
export interface PeerSessionConfig {
  readonly remoteAs: PeerAsSpec;
  /** PassiveTcpEstablishment: never initiate the TCP connection. */
  readonly passive: boolean;
  /** AllowAutomaticStart: after an error, restart by itself once IdleHoldTimer expires. */
  readonly allowAutomaticStart: boolean;
  /** DampPeerOscillations: back the IdleHoldTime off exponentially for a flapping peer. */
  readonly dampPeerOscillations: boolean;
  /** CollisionDetectEstablishedState: run §6.8 collision detection against Established too. */
  readonly collisionDetectEstablishedState: boolean;
  /** SendNOTIFICATIONwithoutOPEN: may send a NOTIFICATION before our OPEN (with DelayOpen). */
  readonly sendNotificationWithoutOpen: boolean;
  readonly timers: TimerConfig;
  /** Families we advertise with the multiprotocol capability (RFC 4760 §8). */
  readonly families: readonly AfiSafi[];
  readonly capabilities: CapabilityConfig;
  readonly required: readonly RequiredCapability[];
  /** TCP-MD5 signature key (RFC 2385); needs the socket-options addon. */
  readonly md5Key?: Md5Key;
  /** GTSM (RFC 5082): the peer is at most this many hops away (1: directly connected); needs the addon. */
  readonly ttlSecurityHops?: number;
  /** Why the configured TCP-MD5 key could not be read (the peer then refuses to start). */
  readonly md5KeyError?: string;
  /** Resource limits; DEFAULT_LIMITS when absent. */
  readonly limits?: SessionLimits;
}

export const IPV4_UNICAST: AfiSafi = { afi: AFI.IPV4, safi: SAFI.UNICAST };
export const IPV6_UNICAST: AfiSafi = { afi: AFI.IPV6, safi: SAFI.UNICAST };

/** RFC 4271 §10 timer values, plus our IdleHoldTime back-off choices (see timers.ts). */
export const DEFAULT_TIMERS: TimerConfig = {
  holdTime: 90,
  minHoldTime: 3,
  connectRetryTime: 120,
  largeHoldTime: 240,
  delayOpenTime: 0,
  idleHoldTime: 5,
  maxIdleHoldTime: 300,
  idleHoldStablePeriod: 300,
};

export const DEFAULT_CAPABILITIES: CapabilityConfig = {
  routeRefresh: true,
  enhancedRouteRefresh: true,
  fourOctetAs: true,
  extendedMessage: false,
  fqdn: false,
  gracefulRestart: null,
  addPath: [],
  role: null,
  extendedNextHop: [],
};

/** A configuration with the defaults of FRR/BIRD-like speakers: active, IPv4+IPv6 unicast. */
export function defaultPeerConfig(remoteAs: PeerAsSpec): PeerSessionConfig {
  return {
    remoteAs,
    passive: false,
    allowAutomaticStart: true,
    dampPeerOscillations: true,
    collisionDetectEstablishedState: false,
    sendNotificationWithoutOpen: false,
    timers: DEFAULT_TIMERS,
    families: [IPV4_UNICAST, IPV6_UNICAST],
    capabilities: DEFAULT_CAPABILITIES,
    required: [],
  };
}

function hasFamily(list: readonly AfiSafi[], afi: number, safi: number): boolean {
  return list.some((f) => f.afi === afi && f.safi === safi);
}

/** Whether `asn` is allowed by the spec, given our own AS. */
export function peerAsAllowed(spec: PeerAsSpec, asn: number, localAs: number): boolean {
  switch (spec.kind) {
    case 'exact':
      return asn === spec.asn;
    case 'ranges':
      return spec.ranges.some((r) => asn >= r.min && asn <= r.max);
    case 'internal':
      return asn === localAs;
    case 'external':
      return asn !== localAs;
  }
}

/**
 * Problems that make the configuration unusable, as human-readable lines; empty when it is
 * consistent. The config layer calls this before swapping a new config in (STYLE.md §1).
 */
export function validatePeerConfig(peer: PeerSessionConfig, local: LocalConfig): string[] {
  const out: string[] = [];
  const t = peer.timers;
  const u32 = (n: number): boolean => Number.isInteger(n) && n >= 0 && n <= 0xffffffff;
  if (!u32(local.localAs) || local.localAs === 0 || local.localAs === AS_TRANS) {
    out.push(`local AS ${local.localAs} is not usable (RFC 6793 §9, RFC 7607)`);
  }
  if (!u32(local.bgpId) || local.bgpId === 0) out.push('BGP identifier must be a non-zero 32-bit value (RFC 6286)');
  if (local.localAs > 0xffff && !peer.capabilities.fourOctetAs) {
    out.push('a 4-octet local AS needs the 4-octet AS capability (RFC 6793 §4.1)');
  }
  if (!Number.isInteger(t.holdTime) || t.holdTime < 0 || t.holdTime > 0xffff || t.holdTime === 1 || t.holdTime === 2) {
    out.push(`hold time ${t.holdTime} must be 0 or 3..65535 (RFC 4271 §4.2)`);
  }
  if (t.minHoldTime < 3) out.push('minimum hold time below 3 would accept 1 or 2 (RFC 4271 §6.2)');
  if (t.connectRetryTime <= 0) out.push('connect retry time must be positive');
  if (t.largeHoldTime <= 0) out.push('large hold time must be positive');
  if (t.delayOpenTime < 0) out.push('delay open time must not be negative');
  if (t.idleHoldTime < 0 || t.maxIdleHoldTime < t.idleHoldTime) out.push('idle hold times must satisfy 0 <= initial <= max');
  if (peer.families.length === 0) out.push('at least one address family is needed');
  const h = peer.ttlSecurityHops;
  if (h !== undefined && (!Number.isInteger(h) || h < 1 || h > 254)) out.push(`ttl-security hops ${h} must be 1 to 254 (RFC 5082)`);
  for (const a of peer.capabilities.addPath) {
    if (!hasFamily(peer.families, a.afi, a.safi)) out.push(`add-path for ${a.afi}/${a.safi}, a family not advertised`);
  }
  const gr = peer.capabilities.gracefulRestart;
  if (gr !== null && (gr.restartTime < 0 || gr.restartTime > 0xfff)) out.push('restart time must fit 12 bits (RFC 4724 §3)');
  for (const r of peer.required) {
    const c = peer.capabilities;
    const advertised =
      r.kind === 'multiprotocol'
        ? hasFamily(peer.families, r.afi, r.safi)
        : r.kind === 'addPath'
          ? c.addPath.some((a) => a.afi === r.afi && a.safi === r.safi)
          : r.kind === 'gracefulRestart'
            ? c.gracefulRestart !== null
            : c[r.kind];
    if (!advertised) out.push(`required capability ${r.kind} is not advertised`);
  }
  return out;
}
