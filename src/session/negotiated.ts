/**
 * What a session runs with once the peer's OPEN was accepted (`Negotiated`): the result of
 * capability negotiation, read by the FSM, the connection, BMP and the reflector.
 *
 * Must not: do I/O or negotiate (negotiate.ts does); this module only holds the result.
 *
 * RFCs: 4724 + 8538 (graceful restart, N bit), 7911 (add-path), 8654 (extended message),
 * 9234 (role), 8950 (extended next hop), draft-walton-bgp-hostname-capability (FQDN).
 */
import type { AfiSafi, Capability, ExtendedNextHopEntry, GracefulRestartFamily } from '../wire/capabilities.js';
import type { CodecCtx } from '../wire/context.js';

/** The graceful restart state negotiated with the peer (RFC 4724 §3, RFC 8538 §2). */
export interface NegotiatedGracefulRestart {
  /** The peer's Restart Time: how long we keep its routes stale after it goes down. */
  readonly restartTime: number;
  /** The peer's R bit: it has just restarted. */
  readonly peerRestarting: boolean;
  /** The peer's families (within the negotiated ones) with their F bit. */
  readonly families: readonly GracefulRestartFamily[];
  /** N bit sent by both sides: NOTIFICATIONs are graceful unless Hard Reset (RFC 8538). */
  readonly notification: boolean;
}

/** What a session runs with once the peer's OPEN was accepted. */
export interface Negotiated {
  readonly peerAs: number;
  readonly peerBgpId: number;
  /** eBGP session (peer AS differs from ours). */
  readonly external: boolean;
  readonly holdTime: number;
  readonly keepaliveTime: number;
  readonly as4: boolean;
  /** Families both sides carry, in our configured order. */
  readonly families: readonly AfiSafi[];
  readonly routeRefresh: boolean;
  readonly enhancedRouteRefresh: boolean;
  /** Null unless both sides advertised graceful restart. */
  readonly gracefulRestart: NegotiatedGracefulRestart | null;
  /** RFC 7911: families where we send path identifiers / where the peer sends them. */
  readonly addPath: { readonly send: readonly AfiSafi[]; readonly receive: readonly AfiSafi[] };
  readonly extendedMessage: boolean;
  /**
   * RFC 8950 §4: (family, next-hop AFI) pairs both sides advertised, within the negotiated
   * families. IPv4 unicast routes with an IPv6 next hop go to the peer only with 1/1/2 here.
   */
  readonly extendedNextHop: readonly ExtendedNextHopEntry[];
  /** RFC 9234 roles when both sides sent one on an eBGP session. */
  readonly role: { readonly local: number; readonly peer: number } | null;
  /** The peer's FQDN capability, for operators only. */
  readonly peerFqdn: { readonly hostname: string; readonly domain: string } | null;
  /** Codec context for what the peer sends us. */
  readonly decodeCtx: CodecCtx;
  /** Codec context for what we send. */
  readonly encodeCtx: CodecCtx;
  /** Everything the peer advertised, in wire order. */
  readonly peerCapabilities: readonly Capability[];
}

/** Whether RFC 8538 graceful NOTIFICATION (the N bit) was negotiated. */
export function nBitNegotiated(n: Negotiated | null): boolean {
  return n?.gracefulRestart?.notification === true;
}
