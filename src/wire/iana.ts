/**
 * IANA protocol numbers used by the codec: message types, path attributes, capabilities,
 * address families, NOTIFICATION codes and subcodes. Protocol numbers live only here
 * (STYLE.md §2). Values from the IANA "Border Gateway Protocol (BGP) Parameters" and
 * "Capability Codes" registries.
 */

/** BGP message types (RFC 4271 §4.1, RFC 2918). */
export const MSG = {
  OPEN: 1,
  UPDATE: 2,
  NOTIFICATION: 3,
  KEEPALIVE: 4,
  ROUTE_REFRESH: 5,
} as const;
export type MessageType = (typeof MSG)[keyof typeof MSG];

/** Fixed sizes (RFC 4271 §4.1, RFC 8654). */
export const HEADER_LENGTH = 19;
export const MARKER_LENGTH = 16;
export const MAX_MESSAGE_LENGTH = 4096;
export const MAX_EXTENDED_MESSAGE_LENGTH = 65535;

/** Address family identifiers. */
export const AFI = {
  IPV4: 1,
  IPV6: 2,
  L2VPN: 25,
  BGP_LS: 16388,
} as const;

/** Subsequent address family identifiers. */
export const SAFI = {
  UNICAST: 1,
  MULTICAST: 2,
  MPLS_LABEL: 4,
  MCAST_VPN: 5,
  VPLS: 65,
  EVPN: 70,
  BGP_LS: 71,
  SR_POLICY: 73,
  MPLS_VPN: 128,
  MCAST_MPLS_VPN: 129,
  RT_CONSTRAINT: 132,
  FLOWSPEC: 133,
  FLOWSPEC_VPN: 134,
} as const;

/** One number for an (AFI, SAFI) pair, used as a map/set key. */
export function afiSafiKey(afi: number, safi: number): number {
  return afi * 256 + safi;
}

/** Path attribute flag bits (RFC 4271 §4.3). */
export const FLAG = {
  OPTIONAL: 0x80,
  TRANSITIVE: 0x40,
  PARTIAL: 0x20,
  EXTENDED_LENGTH: 0x10,
} as const;

/** Path attribute type codes. */
export const ATTR = {
  ORIGIN: 1,
  AS_PATH: 2,
  NEXT_HOP: 3,
  MULTI_EXIT_DISC: 4,
  LOCAL_PREF: 5,
  ATOMIC_AGGREGATE: 6,
  AGGREGATOR: 7,
  COMMUNITIES: 8,
  ORIGINATOR_ID: 9,
  CLUSTER_LIST: 10,
  MP_REACH_NLRI: 14,
  MP_UNREACH_NLRI: 15,
  EXTENDED_COMMUNITIES: 16,
  AS4_PATH: 17,
  AS4_AGGREGATOR: 18,
  PMSI_TUNNEL: 22,
  TUNNEL_ENCAPSULATION: 23,
  IPV6_EXTENDED_COMMUNITIES: 25,
  AIGP: 26,
  BGP_LS: 29,
  LARGE_COMMUNITY: 32,
  BGPSEC_PATH: 33,
  ONLY_TO_CUSTOMER: 35,
  PREFIX_SID: 40,
  ATTR_SET: 128,
} as const;

/** ORIGIN values (RFC 4271 §5.1.1). */
export const ORIGIN = { IGP: 0, EGP: 1, INCOMPLETE: 2 } as const;

/** AS_PATH segment types (RFC 4271 §4.3, RFC 5065 §3). */
export const AS_PATH_SEGMENT = {
  AS_SET: 1,
  AS_SEQUENCE: 2,
  AS_CONFED_SEQUENCE: 3,
  AS_CONFED_SET: 4,
} as const;

/** AS_TRANS (RFC 6793 §9). */
export const AS_TRANS = 23456;

/** Well-known communities (RFC 1997, RFC 8326, RFC 7999). */
export const WELL_KNOWN_COMMUNITY = {
  GRACEFUL_SHUTDOWN: 0xffff0000,
  ACCEPT_OWN: 0xffff0001,
  LLGR_STALE: 0xffff0006,
  NO_LLGR: 0xffff0007,
  BLACKHOLE: 0xffff029a,
  NO_EXPORT: 0xffffff01,
  NO_ADVERTISE: 0xffffff02,
  NO_EXPORT_SUBCONFED: 0xffffff03,
  NOPEER: 0xffffff04,
} as const;

/** Capability codes (IANA "Capability Codes"). */
export const CAP = {
  MULTIPROTOCOL: 1,
  ROUTE_REFRESH: 2,
  OUTBOUND_ROUTE_FILTERING: 3,
  EXTENDED_NEXT_HOP: 5,
  EXTENDED_MESSAGE: 6,
  BGPSEC: 7,
  MULTIPLE_LABELS: 8,
  ROLE: 9,
  GRACEFUL_RESTART: 64,
  FOUR_OCTET_AS: 65,
  ADD_PATH: 69,
  ENHANCED_ROUTE_REFRESH: 70,
  LONG_LIVED_GRACEFUL_RESTART: 71,
  FQDN: 73,
  SOFTWARE_VERSION: 75,
  ROUTE_REFRESH_OLD: 128,
} as const;

/** OPEN optional parameter types (RFC 5492, RFC 9072). */
export const OPEN_PARAM = {
  CAPABILITIES: 2,
  EXTENDED_LENGTH: 255,
} as const;

/** BGP roles (RFC 9234 §4.1). */
export const ROLE = {
  PROVIDER: 0,
  RS: 1,
  RS_CLIENT: 2,
  CUSTOMER: 3,
  PEER: 4,
} as const;

/** ROUTE-REFRESH message subtypes (RFC 7313 §3). */
export const ROUTE_REFRESH_SUBTYPE = {
  NORMAL: 0,
  BORR: 1,
  EORR: 2,
} as const;

/** NOTIFICATION error codes (RFC 4271 §4.5, RFC 6608, RFC 7313). */
export const ERR = {
  MESSAGE_HEADER: 1,
  OPEN_MESSAGE: 2,
  UPDATE_MESSAGE: 3,
  HOLD_TIMER_EXPIRED: 4,
  FSM: 5,
  CEASE: 6,
  ROUTE_REFRESH_MESSAGE: 7,
} as const;

/** Message Header Error subcodes (RFC 4271 §6.1). */
export const HEADER_SUB = {
  CONNECTION_NOT_SYNCHRONIZED: 1,
  BAD_MESSAGE_LENGTH: 2,
  BAD_MESSAGE_TYPE: 3,
} as const;

/** OPEN Message Error subcodes (RFC 4271 §6.2, RFC 5492, RFC 9234). */
export const OPEN_SUB = {
  UNSUPPORTED_VERSION_NUMBER: 1,
  BAD_PEER_AS: 2,
  BAD_BGP_IDENTIFIER: 3,
  UNSUPPORTED_OPTIONAL_PARAMETER: 4,
  UNACCEPTABLE_HOLD_TIME: 6,
  UNSUPPORTED_CAPABILITY: 7,
  ROLE_MISMATCH: 11,
} as const;

/** UPDATE Message Error subcodes (RFC 4271 §6.3). */
export const UPDATE_SUB = {
  MALFORMED_ATTRIBUTE_LIST: 1,
  UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE: 2,
  MISSING_WELL_KNOWN_ATTRIBUTE: 3,
  ATTRIBUTE_FLAGS_ERROR: 4,
  ATTRIBUTE_LENGTH_ERROR: 5,
  INVALID_ORIGIN_ATTRIBUTE: 6,
  INVALID_NEXT_HOP_ATTRIBUTE: 8,
  OPTIONAL_ATTRIBUTE_ERROR: 9,
  INVALID_NETWORK_FIELD: 10,
  MALFORMED_AS_PATH: 11,
} as const;

/** FSM Error subcodes (RFC 6608 §3). */
export const FSM_SUB = {
  UNSPECIFIED: 0,
  UNEXPECTED_IN_OPENSENT: 1,
  UNEXPECTED_IN_OPENCONFIRM: 2,
  UNEXPECTED_IN_ESTABLISHED: 3,
} as const;

/** Cease subcodes (RFC 4486, RFC 8538, RFC 9384). */
export const CEASE_SUB = {
  MAX_PREFIXES_REACHED: 1,
  ADMINISTRATIVE_SHUTDOWN: 2,
  PEER_DECONFIGURED: 3,
  ADMINISTRATIVE_RESET: 4,
  CONNECTION_REJECTED: 5,
  OTHER_CONFIGURATION_CHANGE: 6,
  CONNECTION_COLLISION_RESOLUTION: 7,
  OUT_OF_RESOURCES: 8,
  HARD_RESET: 9,
  BFD_DOWN: 10,
} as const;

/** ROUTE-REFRESH Message Error subcodes (RFC 7313 §5). */
export const ROUTE_REFRESH_SUB = {
  INVALID_MESSAGE_LENGTH: 1,
} as const;
