/**
 * TABLE_DUMP_V2 (type 13) records, RFC 6396 §4.3 and the ADD-PATH subtypes of RFC 8050 §4.3:
 * PEER_INDEX_TABLE, the AFI/SAFI-specific RIB subtypes, RIB_GENERIC. Pure: bytes in, typed
 * record out; malformed bodies become an UndecodedRecord with a reason.
 *
 * RIB entry attributes stay in wire form; ribAttributes() decodes them with the codec.
 * RFC 6396 §4.3.4 says MP_REACH_NLRI in a RIB entry holds only the next hop length and next
 * hop, but some writers put the full RFC 4760 form there. The two are told apart by the first
 * value octet: a full form starts with the AFI's high octet, 0 for IPv4/IPv6, while an
 * abbreviated next hop length is never 0 (bgpdump makes the same test).
 */
import { AFI, ATTR, FLAG, SAFI } from '../wire/iana.js';
import { type AttributesDecodeResult, decodeAttributes } from '../wire/attributes.js';
import { AS4_CTX, type CodecCtx } from '../wire/context.js';
import { PEER_TYPE, TABLE_DUMP_V2_SUBTYPE as ST } from './constants.js';
import type { MrtRecord, PeerIndexEntry, RawRecord, RibEntry } from './records.js';

/** AFI, SAFI and add-path flag of the AFI/SAFI-specific RIB subtypes. */
const RIB_FAMILY: Readonly<Record<number, readonly [number, number, boolean]>> = {
  [ST.RIB_IPV4_UNICAST]: [AFI.IPV4, SAFI.UNICAST, false],
  [ST.RIB_IPV4_MULTICAST]: [AFI.IPV4, SAFI.MULTICAST, false],
  [ST.RIB_IPV6_UNICAST]: [AFI.IPV6, SAFI.UNICAST, false],
  [ST.RIB_IPV6_MULTICAST]: [AFI.IPV6, SAFI.MULTICAST, false],
  [ST.RIB_IPV4_UNICAST_ADDPATH]: [AFI.IPV4, SAFI.UNICAST, true],
  [ST.RIB_IPV4_MULTICAST_ADDPATH]: [AFI.IPV4, SAFI.MULTICAST, true],
  [ST.RIB_IPV6_UNICAST_ADDPATH]: [AFI.IPV6, SAFI.UNICAST, true],
  [ST.RIB_IPV6_MULTICAST_ADDPATH]: [AFI.IPV6, SAFI.MULTICAST, true],
};

/** Decodes a TABLE_DUMP_V2 body. */
export function decodeTableDumpV2(raw: RawRecord): MrtRecord {
  const st = raw.header.subtype;
  if (st === ST.PEER_INDEX_TABLE) return decodePeerIndexTable(raw);
  const fam = RIB_FAMILY[st];
  if (fam !== undefined) return decodeRib(raw, fam[0], fam[1], fam[2]);
  if (st === ST.RIB_GENERIC || st === ST.RIB_GENERIC_ADDPATH) return decodeRibGeneric(raw, st === ST.RIB_GENERIC_ADDPATH);
  return { kind: 'raw', header: raw.header, body: raw.body, reason: `TABLE_DUMP_V2 subtype ${st} unknown` };
}

function malformed(raw: RawRecord, what: string): MrtRecord {
  return { kind: 'raw', header: raw.header, body: raw.body, reason: `TABLE_DUMP_V2 ${what}` };
}

function decodePeerIndexTable(raw: RawRecord): MrtRecord {
  const b = raw.body;
  if (b.length < 6) return malformed(raw, 'PEER_INDEX_TABLE truncated');
  const collectorBgpId = b.readUInt32BE(0);
  const nameLen = b.readUInt16BE(4);
  let p = 6 + nameLen;
  if (p + 2 > b.length) return malformed(raw, 'PEER_INDEX_TABLE view name overruns the record');
  const viewName = b.toString('utf8', 6, 6 + nameLen);
  const count = b.readUInt16BE(p);
  p += 2;
  const peers: PeerIndexEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (p + 5 > b.length) return malformed(raw, `PEER_INDEX_TABLE entry ${i} truncated`);
    const peerType = b[p] as number;
    const bgpId = b.readUInt32BE(p + 1);
    p += 5;
    const v6 = (peerType & PEER_TYPE.IPV6) !== 0;
    const as4 = (peerType & PEER_TYPE.AS4) !== 0;
    const alen = v6 ? 16 : 4;
    const aslen = as4 ? 4 : 2;
    if (p + alen + aslen > b.length) return malformed(raw, `PEER_INDEX_TABLE entry ${i} truncated`);
    const address = b.subarray(p, p + alen);
    p += alen;
    const peerAs = as4 ? b.readUInt32BE(p) : b.readUInt16BE(p);
    p += aslen;
    peers.push({ peerType, bgpId, afi: v6 ? AFI.IPV6 : AFI.IPV4, address, peerAs, as4 });
  }
  return { kind: 'peerIndexTable', header: raw.header, collectorBgpId, viewName, peers };
}

/** Reads `count` RIB entries from `p`; a string on malformed input. */
function readEntries(b: Buffer, p: number, addPath: boolean): RibEntry[] | string {
  if (p + 2 > b.length) return 'entry count missing';
  const count = b.readUInt16BE(p);
  p += 2;
  const fixed = addPath ? 12 : 8;
  const entries: RibEntry[] = new Array<RibEntry>(count);
  for (let i = 0; i < count; i++) {
    if (p + fixed > b.length) return `RIB entry ${i} of ${count} truncated`;
    const peerIndex = b.readUInt16BE(p);
    const originatedTime = b.readUInt32BE(p + 2);
    const pathId = addPath ? b.readUInt32BE(p + 6) : null;
    const alen = b.readUInt16BE(p + fixed - 2);
    p += fixed;
    if (p + alen > b.length) return `RIB entry ${i} attribute length ${alen} overruns the record`;
    entries[i] = { peerIndex, originatedTime, pathId, attributes: b.subarray(p, p + alen) };
    p += alen;
  }
  return entries;
}

function decodeRib(raw: RawRecord, afi: number, safi: number, addPath: boolean): MrtRecord {
  const b = raw.body;
  if (b.length < 5) return malformed(raw, 'RIB record truncated');
  const sequence = b.readUInt32BE(0);
  const prefixLength = b[4] as number;
  const n = (prefixLength + 7) >> 3;
  if (prefixLength > (afi === AFI.IPV4 ? 32 : 128)) return malformed(raw, `RIB prefix length ${prefixLength} too long`);
  if (5 + n > b.length) return malformed(raw, 'RIB prefix truncated');
  const entries = readEntries(b, 5 + n, addPath);
  if (typeof entries === 'string') return malformed(raw, entries);
  return { kind: 'rib', header: raw.header, sequence, afi, safi, addPath, prefixLength, prefix: b.subarray(5, 5 + n), entries };
}

/** SAFIs whose NLRI is one length octet (in bits) and the octets it covers. */
function lengthPrefixedSafi(safi: number): boolean {
  return safi === SAFI.UNICAST || safi === SAFI.MULTICAST || safi === SAFI.MPLS_LABEL || safi === SAFI.MPLS_VPN || safi === SAFI.MCAST_MPLS_VPN;
}

function decodeRibGeneric(raw: RawRecord, addPath: boolean): MrtRecord {
  const b = raw.body;
  if (b.length < 8) return malformed(raw, 'RIB_GENERIC truncated');
  const sequence = b.readUInt32BE(0);
  const afi = b.readUInt16BE(4);
  const safi = b[6] as number;
  // RFC 6396 §4.3.3: the NLRI's own encoding gives its length; we only know it for the
  // length-prefixed families.
  if (!lengthPrefixedSafi(safi)) return malformed(raw, `RIB_GENERIC NLRI of AFI ${afi} SAFI ${safi} not parsed`);
  const end = 8 + (((b[7] as number) + 7) >> 3);
  if (end > b.length) return malformed(raw, 'RIB_GENERIC NLRI truncated');
  const entries = readEntries(b, end, addPath);
  if (typeof entries === 'string') return malformed(raw, entries);
  return { kind: 'ribGeneric', header: raw.header, sequence, afi, safi, addPath, nlri: b.subarray(7, end), entries };
}

/**
 * First octet of the MP_REACH_NLRI value in an attribute field, or -1 when there is none
 * (or the field is too broken to find it).
 */
export function mpReachFirstOctet(attrs: Buffer): number {
  let p = 0;
  const end = attrs.length;
  while (p + 3 <= end) {
    const flags = attrs[p] as number;
    const code = attrs[p + 1] as number;
    const ext = (flags & FLAG.EXTENDED_LENGTH) !== 0;
    if (ext && p + 4 > end) return -1;
    const len = ext ? attrs.readUInt16BE(p + 2) : (attrs[p + 2] as number);
    const v = p + (ext ? 4 : 3);
    if (code === ATTR.MP_REACH_NLRI) return len > 0 && v < end ? (attrs[v] as number) : -1;
    p = v + len;
  }
  return -1;
}

/** True when a RIB entry's MP_REACH_NLRI is the abbreviated §4.3.4 form (see the module note). */
export function hasAbbreviatedMpReach(attrs: Buffer): boolean {
  return mpReachFirstOctet(attrs) > 0;
}

/**
 * Decodes the path attributes of a TABLE_DUMP_V2 RIB entry (4-octet AS numbers) or, with
 * `ctx` = DEFAULT_CTX, of a TABLE_DUMP entry (2-octet AS numbers).
 */
export function ribAttributes(attrs: Buffer, ctx: CodecCtx = AS4_CTX): AttributesDecodeResult {
  return decodeAttributes(attrs, ctx, { mrtRib: hasAbbreviatedMpReach(attrs) });
}
