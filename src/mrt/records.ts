/**
 * Typed MRT records (RFC 6396, RFC 8050) as the reader yields them. Buffers are views into
 * the decompressed stream's chunks (copy with Buffer.from before keeping many of them for
 * long, or they pin their chunk), except the addresses of BGP4MP messages, which are small
 * copies shared by consecutive records with the same peer. Treat every Buffer as read-only. Path attributes stay in wire form (`attributes`), decoded on
 * demand with the codec (see ribAttributes() in table-dump-v2.ts and bgp4mpCtx() in
 * bgp4mp.ts), so reading a file costs no per-attribute objects unless a consumer asks.
 */

/** The common header (RFC 6396 §2), plus where the record sits in the stream. */
export interface MrtHeader {
  /** Byte offset of the record's first header octet in the decompressed stream. */
  readonly offset: number;
  /** Seconds since the Unix epoch. */
  readonly timestamp: number;
  readonly type: number;
  readonly subtype: number;
  /** The header's length field (for *_ET types it counts the microsecond field too). */
  readonly length: number;
  /** The microsecond timestamp of *_ET records (RFC 6396 §3), else null. */
  readonly microseconds: number | null;
}

/** A framed record whose body is not yet decoded (the body excludes the _ET microseconds). */
export interface RawRecord {
  readonly header: MrtHeader;
  readonly body: Buffer;
}

/** TABLE_DUMP (type 12) entry, RFC 6396 §4.2. AS numbers are 2 octets. */
export interface TableDumpRecord {
  readonly kind: 'tableDump';
  readonly header: MrtHeader;
  readonly viewNumber: number;
  readonly sequence: number;
  /** 1 (IPv4) or 2 (IPv6), from the subtype. */
  readonly afi: number;
  /** 4 or 16 octets as stored (not masked). */
  readonly prefix: Buffer;
  readonly prefixLength: number;
  readonly status: number;
  readonly originatedTime: number;
  readonly peerAddress: Buffer;
  readonly peerAs: number;
  /** Path attributes in wire form, 2-octet AS numbers. */
  readonly attributes: Buffer;
}

/** One peer of a PEER_INDEX_TABLE (RFC 6396 §4.3.1). */
export interface PeerIndexEntry {
  readonly peerType: number;
  /** BGP identifier as an unsigned 32-bit number. */
  readonly bgpId: number;
  /** 1 (IPv4) or 2 (IPv6). */
  readonly afi: number;
  readonly address: Buffer;
  readonly peerAs: number;
  readonly as4: boolean;
}

/** TABLE_DUMP_V2 PEER_INDEX_TABLE (subtype 1). */
export interface PeerIndexTableRecord {
  readonly kind: 'peerIndexTable';
  readonly header: MrtHeader;
  readonly collectorBgpId: number;
  readonly viewName: string;
  readonly peers: readonly PeerIndexEntry[];
}

/** One RIB entry (RFC 6396 §4.3.4, RFC 8050 §4.3 path identifier). */
export interface RibEntry {
  readonly peerIndex: number;
  readonly originatedTime: number;
  /** Path identifier of the *_ADDPATH subtypes, else null. */
  readonly pathId: number | null;
  /** Path attributes in wire form, 4-octet AS numbers, MP_REACH_NLRI abbreviated (§4.3.4). */
  readonly attributes: Buffer;
}

/** RIB_IPV4/IPV6_UNICAST/MULTICAST and their ADDPATH forms (subtypes 2-5, 8-11). */
export interface RibRecord {
  readonly kind: 'rib';
  readonly header: MrtHeader;
  readonly sequence: number;
  readonly afi: number;
  readonly safi: number;
  readonly addPath: boolean;
  readonly prefixLength: number;
  /** ceil(prefixLength / 8) octets as stored. */
  readonly prefix: Buffer;
  readonly entries: readonly RibEntry[];
}

/** RIB_GENERIC and RIB_GENERIC_ADDPATH (subtypes 6, 12; RFC 6396 §4.3.3). */
export interface RibGenericRecord {
  readonly kind: 'ribGeneric';
  readonly header: MrtHeader;
  readonly sequence: number;
  readonly afi: number;
  readonly safi: number;
  readonly addPath: boolean;
  /** The single NLRI, encoded as in MP_REACH_NLRI (length octet + prefix octets). */
  readonly nlri: Buffer;
  readonly entries: readonly RibEntry[];
}

/** Fields shared by BGP4MP messages and state changes (RFC 6396 §4.4). */
interface Bgp4mpCommon {
  readonly header: MrtHeader;
  readonly peerAs: number;
  readonly localAs: number;
  readonly ifIndex: number;
  /** 1 (IPv4) or 2 (IPv6): family of the two addresses. */
  readonly afi: number;
  readonly peerAddress: Buffer;
  readonly localAddress: Buffer;
  /** The AS number fields are 4 octets (the *_AS4 subtypes). */
  readonly as4: boolean;
  /**
   * The record is one of the historical Zebra-shortened forms (see bgp4mp.ts): the interface
   * index, AFI and addresses were not written, and are reported as 0 / IPv4 / 0.0.0.0.
   */
  readonly zebraShort: boolean;
}

/** BGP4MP_MESSAGE* (subtypes 1, 4, 6-11). */
export interface Bgp4mpMessageRecord extends Bgp4mpCommon {
  readonly kind: 'bgp4mpMessage';
  /** The *_LOCAL subtypes: a message the recording speaker sent. */
  readonly local: boolean;
  /** The *_ADDPATH subtypes (RFC 8050 §3): NLRI carry path identifiers. */
  readonly addPath: boolean;
  /** The whole BGP message, marker first (RFC 4271 §4.1). */
  readonly message: Buffer;
}

/** BGP4MP_STATE_CHANGE and BGP4MP_STATE_CHANGE_AS4 (subtypes 0, 5). */
export interface Bgp4mpStateChangeRecord extends Bgp4mpCommon {
  readonly kind: 'bgp4mpStateChange';
  readonly oldState: number;
  readonly newState: number;
}

/**
 * A record we do not decode (unknown type or subtype, deprecated forms) or whose body is
 * malformed. `reason` says which; the reader never throws on record contents.
 */
export interface UndecodedRecord {
  readonly kind: 'raw';
  readonly header: MrtHeader;
  readonly body: Buffer;
  readonly reason: string;
}

export type MrtRecord =
  | TableDumpRecord
  | PeerIndexTableRecord
  | RibRecord
  | RibGenericRecord
  | Bgp4mpMessageRecord
  | Bgp4mpStateChangeRecord
  | UndecodedRecord;
