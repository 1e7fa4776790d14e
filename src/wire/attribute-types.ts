/**
 * Typed forms of BGP path attributes and of the UPDATE message. Addresses of IPv4 attributes
 * (NEXT_HOP, ORIGINATOR_ID, CLUSTER_LIST, AGGREGATOR) are unsigned 32-bit numbers; NLRI are
 * kept as raw wire bytes (`NlriBlock`) so that no per-prefix object is made while decoding.
 * Each attribute keeps the flags it arrived with (including Extended Length), so that
 * re-encoding a decoded UPDATE gives the identical bytes.
 */

/** A run of NLRI in wire encoding (RFC 4271 §4.3, RFC 4760 §5, RFC 7911 §3). */
export interface NlriBlock {
  readonly afi: number;
  readonly safi: number;
  /** Each NLRI starts with a 4-octet path identifier. */
  readonly addPath: boolean;
  /** The raw bytes (a view; copy before keeping). Validated for IPv4/IPv6 unicast. */
  readonly bytes: Buffer;
}

export interface AsPathSegment {
  /** AS_SET 1, AS_SEQUENCE 2, AS_CONFED_SEQUENCE 3, AS_CONFED_SET 4. */
  readonly type: number;
  readonly asns: readonly number[];
}
export type AsPath = readonly AsPathSegment[];

export interface Aggregator {
  readonly asn: number;
  /** IPv4 address as an unsigned 32-bit number. */
  readonly address: number;
}

/** MP_REACH_NLRI (RFC 4760 §3). */
export interface MpReach {
  readonly afi: number;
  readonly safi: number;
  /** Next hop bytes as on the wire (4, 16, 32 for IPv6 global + link-local, 12/24 for VPN...). */
  readonly nextHop: Buffer;
  /** SNPA / reserved octets after the next hop, normally one zero octet, kept byte-exact. */
  readonly reserved: Buffer;
  readonly nlri: NlriBlock;
}

/** MP_UNREACH_NLRI (RFC 4760 §4). */
export interface MpUnreach {
  readonly afi: number;
  readonly safi: number;
  readonly withdrawn: NlriBlock;
}

interface Base<K extends string, C extends number, V> {
  readonly kind: K;
  readonly code: C;
  readonly flags: number;
  readonly value: V;
}

export type PathAttribute =
  | Base<'origin', 1, number>
  | Base<'asPath', 2, AsPath>
  | Base<'nextHop', 3, number>
  | Base<'med', 4, number>
  | Base<'localPref', 5, number>
  | Base<'atomicAggregate', 6, null>
  | Base<'aggregator', 7, Aggregator>
  | Base<'communities', 8, readonly number[]>
  | Base<'originatorId', 9, number>
  | Base<'clusterList', 10, readonly number[]>
  | Base<'mpReach', 14, MpReach>
  | Base<'mpUnreach', 15, MpUnreach>
  /** 8 octets per community, raw (RFC 4360). */
  | Base<'extendedCommunities', 16, Buffer>
  | Base<'as4Path', 17, AsPath>
  | Base<'as4Aggregator', 18, Aggregator>
  /** 20 octets per community, raw (RFC 5701). */
  | Base<'ipv6ExtendedCommunities', 25, Buffer>
  /** AIGP TLVs, raw (RFC 7311); validated, read with aigpMetric(). */
  | Base<'aigp', 26, Buffer>
  /** Flat triples: global administrator, local data 1, local data 2 (RFC 8092). */
  | Base<'largeCommunities', 32, readonly number[]>
  /** ONLY_TO_CUSTOMER AS (RFC 9234 §5). */
  | Base<'onlyToCustomer', 35, number>
  /** Any attribute we do not interpret, kept byte-exact (code in `code`). */
  | Base<'other', number, Buffer>;

export type AttributeKind = PathAttribute['kind'];
export type AttributeOf<K extends AttributeKind> = Extract<PathAttribute, { kind: K }>;

/** An UPDATE message (RFC 4271 §4.3). */
export interface UpdateMessage {
  /** Withdrawn Routes field (IPv4 unicast). */
  readonly withdrawn: NlriBlock;
  /** Path attributes in wire order. */
  readonly attributes: readonly PathAttribute[];
  /** Network Layer Reachability Information field (IPv4 unicast). */
  readonly nlri: NlriBlock;
}

/** The first attribute of a kind, typed; undefined when absent. */
export function findAttribute<K extends AttributeKind>(
  attributes: readonly PathAttribute[],
  kind: K,
): AttributeOf<K> | undefined {
  for (const a of attributes) if (a.kind === kind) return a as AttributeOf<K>;
  return undefined;
}
