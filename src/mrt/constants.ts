/**
 * MRT numbers (RFC 6396 §4, RFC 8050 §3, IANA "Multi-Threaded Routing Toolkit (MRT)" registry).
 * MRT numbers live here only; BGP numbers stay in src/wire/iana.ts.
 */

/** Common header: timestamp(4) type(2) subtype(2) length(4) (RFC 6396 §2). */
export const MRT_HEADER_LENGTH = 12;

/** MRT record types (RFC 6396 §4). */
export const MRT_TYPE = {
  /** Deprecated MRT BGP records (RFC 6396 §B.2.1). */
  BGP: 5,
  OSPFV2: 11,
  TABLE_DUMP: 12,
  TABLE_DUMP_V2: 13,
  BGP4MP: 16,
  BGP4MP_ET: 17,
  ISIS: 32,
  ISIS_ET: 33,
  OSPFV3: 48,
  OSPFV3_ET: 49,
} as const;

/** Types whose body starts with a 4-octet microsecond timestamp counted in the length (RFC 6396 §3). */
export function isExtendedTimestampType(type: number): boolean {
  return type === MRT_TYPE.BGP4MP_ET || type === MRT_TYPE.ISIS_ET || type === MRT_TYPE.OSPFV3_ET;
}

/** TABLE_DUMP subtypes: the AFI of the entry (RFC 6396 §4.2). */
export const TABLE_DUMP_SUBTYPE = {
  AFI_IPV4: 1,
  AFI_IPV6: 2,
} as const;

/** TABLE_DUMP_V2 subtypes (RFC 6396 §4.3, RFC 8050 §4.3). */
export const TABLE_DUMP_V2_SUBTYPE = {
  PEER_INDEX_TABLE: 1,
  RIB_IPV4_UNICAST: 2,
  RIB_IPV4_MULTICAST: 3,
  RIB_IPV6_UNICAST: 4,
  RIB_IPV6_MULTICAST: 5,
  RIB_GENERIC: 6,
  RIB_IPV4_UNICAST_ADDPATH: 8,
  RIB_IPV4_MULTICAST_ADDPATH: 9,
  RIB_IPV6_UNICAST_ADDPATH: 10,
  RIB_IPV6_MULTICAST_ADDPATH: 11,
  RIB_GENERIC_ADDPATH: 12,
} as const;

/** PEER_INDEX_TABLE peer type bits (RFC 6396 §4.3.1). */
export const PEER_TYPE = {
  /** Peer IP address is IPv6 (else IPv4). */
  IPV6: 0x01,
  /** Peer AS is 4 octets (else 2). */
  AS4: 0x02,
} as const;

/** BGP4MP / BGP4MP_ET subtypes (RFC 6396 §4.4, RFC 8050 §3). */
export const BGP4MP_SUBTYPE = {
  STATE_CHANGE: 0,
  MESSAGE: 1,
  /** Deprecated (RFC 6396 §B.2.3), written by old OpenBGPD table dumps. */
  ENTRY: 2,
  /** Deprecated (RFC 6396 §B.2.3). */
  SNAPSHOT: 3,
  MESSAGE_AS4: 4,
  STATE_CHANGE_AS4: 5,
  MESSAGE_LOCAL: 6,
  MESSAGE_AS4_LOCAL: 7,
  MESSAGE_ADDPATH: 8,
  MESSAGE_AS4_ADDPATH: 9,
  MESSAGE_LOCAL_ADDPATH: 10,
  MESSAGE_AS4_LOCAL_ADDPATH: 11,
} as const;

/** BGP FSM states as numbered in BGP4MP_STATE_CHANGE (RFC 6396 §4.4.1). */
export const BGP4MP_STATE = {
  IDLE: 1,
  CONNECT: 2,
  ACTIVE: 3,
  OPEN_SENT: 4,
  OPEN_CONFIRM: 5,
  ESTABLISHED: 6,
} as const;
