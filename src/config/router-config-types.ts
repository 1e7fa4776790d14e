/**
 * The router config: the file `meshrr rr --config FILE` runs from, and the file the meshrr
 * pod renders from its Nunjucks template (issue 7). Typed, validated form; the YAML reference
 * is docs/router-config.md. Addresses stay text here (normalised by the parser); the
 * composition root turns them into session and RIB settings.
 */
import type { PolicySet } from '../policy/types.js';

export type GroupRole = 'client' | 'nonClient' | 'ebgp';

export type FamilyName = 'ipv4-unicast' | 'ipv6-unicast' | 'l2vpn-evpn' | 'ipv4-vpn' | 'ipv6-vpn' | 'ipv4-flowspec' | 'ipv6-flowspec' | 'ipv4-labeled-unicast' | 'ipv6-labeled-unicast';

export interface AsRangeConfig {
  readonly min: number;
  readonly max: number;
}

/** Who may be on the other side: one AS, AS ranges, or (default) our own AS for iBGP roles. */
export type PeerAsConfig = { readonly kind: 'exact'; readonly asn: number } | { readonly kind: 'ranges'; readonly ranges: readonly AsRangeConfig[] } | { readonly kind: 'internal' } | { readonly kind: 'external' };

export interface MaxPrefixConfig {
  /** Prefixes accepted from one peer (all families). */
  readonly limit: number;
  /** Percentage of `limit` at which a warning is logged. */
  readonly warningPercent: number;
  /** Seconds before a torn-down peer may reconnect; 0: stay down until the operator acts. */
  readonly restartSeconds: number;
}

/**
 * Where a TCP-MD5 key comes from (RFC 2385): a file (a Kubernetes Secret mounted as a file) or
 * an environment variable (a Secret exposed with `secretKeyRef`). The config only ever holds
 * the reference, so rendering it shows a path or a variable name, never the key.
 */
export type Md5KeyRef = { readonly kind: 'file'; readonly path: string } | { readonly kind: 'env'; readonly name: string };

/** Per-session resource limits (docs/router-config.md, issue 10). */
export interface LimitsConfig {
  /** ASes in AS_PATH beyond which an UPDATE is treated as withdraw. */
  readonly maxAsPathLength: number;
  /** Communities (standard + extended + large) beyond which an UPDATE is treated as withdraw. */
  readonly maxCommunities: number;
  /** Receive backlog in octets above which reading pauses. */
  readonly inboundBufferBytes: number;
  /** Unsent octets above which the session is reset (Cease / Out of Resources). */
  readonly outboundBufferBytes: number;
  /** Seconds a connection may stay open without an OPEN from the peer (the large hold time, RFC 4271 §8). */
  readonly openTimeout: number;
}

/** Connections accepted per source address in a window, on the listeners. */
export interface ConnectionRateConfig {
  readonly max: number;
  readonly windowSeconds: number;
}

export interface NeighborConfig {
  /** Canonical IP text (IPv6 RFC 5952). */
  readonly address: string;
  readonly port: number;
  readonly localAddress: string | null;
  /** Overrides the group's peer AS. */
  readonly peerAs: PeerAsConfig | null;
  readonly passive: boolean | null;
  readonly description: string | null;
  /** Overrides the group's import policy for this neighbour (issue 6). */
  readonly importPolicy: string | null;
  /** Overrides the group's TCP-MD5 key (absent: the group's). */
  readonly md5?: Md5KeyRef;
  /** Overrides the group's GTSM hop count (RFC 5082). */
  readonly ttlSecurityHops?: number;
}

export interface GroupConfig {
  readonly name: string;
  readonly role: GroupRole;
  /** RFC 4456 cluster ID as an unsigned 32-bit number (default: the router ID). */
  readonly clusterId: number;
  readonly clientToClient: boolean;
  /** eBGP route server: transparent AS_PATH, MED and next hop kept (RFC 7947). */
  readonly routeServer: boolean;
  readonly peerAs: PeerAsConfig;
  readonly passive: boolean;
  readonly families: readonly FamilyName[];
  readonly holdTime: number;
  readonly keepaliveTime: number | null;
  readonly connectRetryTime: number;
  /** eBGP multihop TTL; null: 1 for eBGP, 64 (OS default) for iBGP. */
  readonly multihopTtl: number | null;
  /** Listen ranges: connections from inside them join this group as dynamic peers. */
  readonly listenRanges: readonly string[];
  /** TCP-MD5 keys of individual listen ranges (by prefix text), overriding the group's `md5`. */
  readonly listenRangeMd5?: Readonly<Record<string, Md5KeyRef>>;
  /** Most dynamic peers this group may hold (null: only the global cap). */
  readonly maxDynamicPeers: number | null;
  readonly neighbors: readonly NeighborConfig[];
  readonly maxPrefix: MaxPrefixConfig | null;
  /** RFC 7911 add-path send: 0 off, N best paths, or 'all'. */
  readonly addPathSend: number | 'all';
  readonly addPathReceive: boolean;
  /**
   * RFC 8950: advertise the extended next hop capability for IPv4 unicast over an IPv6 next
   * hop, so IPv4 routes with IPv6 next hops are exchanged with the group's peers. Absent:
   * false (such routes are never sent to the group).
   */
  readonly extendedNextHop?: boolean;
  /** Import/export policy names (issue 6), null: the defaults (accept for iBGP, RFC 8212 for eBGP). */
  readonly importPolicy: string | null;
  readonly exportPolicy: string | null;
  /** TCP-MD5 key of every session of the group (neighbours and listen ranges); absent: none. */
  readonly md5?: Md5KeyRef;
  /** GTSM (RFC 5082): peers at most this many hops away; absent: off. */
  readonly ttlSecurityHops?: number;
  /** Absent: the defaults (LIMIT_DEFAULTS). */
  readonly limits?: LimitsConfig;
  /** Extra keys from the source config, kept for templates and status. */
  readonly extra: Readonly<Record<string, unknown>>;
}

export interface ListenConfig {
  readonly address: string;
  readonly port: number;
}

export interface GracefulRestartConfig {
  readonly enabled: boolean;
  /** Restart Time we advertise (seconds, ≤ 4095). */
  readonly restartTime: number;
  /** How long we keep a restarting peer's routes as stale at most (seconds). */
  readonly staleRoutesTime: number;
  /** RFC 8538 N bit. */
  readonly notification: boolean;
}

export interface RouterConfig {
  /** BGP Identifier and default cluster ID, unsigned 32-bit. */
  readonly routerId: number;
  /** As dotted-quad text, for logs and status. */
  readonly routerIdText: string;
  readonly asn: number;
  readonly hostname: string;
  readonly listen: readonly ListenConfig[];
  readonly maxDynamicPeers: number;
  /** Routes from all peers together beyond which the peer that crosses it is reset; absent: no cap. */
  readonly maxRoutes?: number;
  /** Absent: 20 connections per 10 s per source. */
  readonly connectionRate?: ConnectionRateConfig;
  readonly alwaysCompareMed: boolean;
  readonly deterministicMed: boolean;
  readonly gracefulRestart: GracefulRestartConfig;
  readonly groups: readonly GroupConfig[];
  /** Raw policy definitions as written (for rendering the config back). */
  readonly policies: Readonly<Record<string, unknown>>;
  /** The compiled policies (docs/policy.md). */
  readonly policySet: PolicySet;
}
