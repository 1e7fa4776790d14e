/**
 * TABLE_DUMP_V2 writer (RFC 6396 §4.3, RFC 8050 §4.3): a PEER_INDEX_TABLE, then one
 * RIB_IPV4_UNICAST / RIB_IPV6_UNICAST record per prefix (the *_ADDPATH subtypes when the
 * entries carry path identifiers). Path attributes are written with 4-octet AS numbers and
 * MP_REACH_NLRI in the abbreviated RIB form of §4.3.4 (next hop length + next hop only);
 * MP_UNREACH_NLRI is dropped (a RIB has nothing withdrawn).
 *
 * The encoders are pure (encodePeerIndexTable, encodeRibRecord); TableDumpV2Writer adds
 * sequence numbers and writes to a stream with back-pressure.
 *
 * Owns: building TABLE_DUMP_V2 bytes. Must not: read a RIB (the caller walks it).
 */
import { AFI } from '../wire/iana.js';
import type { PathAttribute } from '../wire/attribute-types.js';
import { encodeAttributes } from '../wire/attributes.js';
import { AS4_CTX } from '../wire/context.js';
import { MRT_HEADER_LENGTH, MRT_TYPE, PEER_TYPE, TABLE_DUMP_V2_SUBTYPE as ST } from './constants.js';

const EMPTY = Buffer.alloc(0);

/** One peer of the PEER_INDEX_TABLE; its position is the peer index RIB entries refer to. */
export interface PeerInput {
  /** BGP identifier as an unsigned 32-bit number. */
  readonly bgpId: number;
  /** 4 octets (IPv4) or 16 octets (IPv6). */
  readonly address: Buffer;
  readonly peerAs: number;
}

/** One route of a prefix. */
export interface RibEntryInput {
  readonly peerIndex: number;
  /** Seconds since the epoch when the route was received. */
  readonly originatedTime: number;
  /** Path identifier (RFC 7911); when any entry of a record has one, the *_ADDPATH subtype is used. */
  readonly pathId?: number;
  readonly attributes: readonly PathAttribute[];
}

function header(timestamp: number, type: number, subtype: number, length: number): Buffer {
  const h = Buffer.allocUnsafe(MRT_HEADER_LENGTH);
  h.writeUInt32BE(timestamp >>> 0, 0);
  h.writeUInt16BE(type, 4);
  h.writeUInt16BE(subtype, 6);
  h.writeUInt32BE(length, 8);
  return h;
}

/** A PEER_INDEX_TABLE record (RFC 6396 §4.3.1). AS numbers are always written as 4 octets. */
export function encodePeerIndexTable(timestamp: number, collectorBgpId: number, viewName: string, peers: readonly PeerInput[]): Buffer {
  if (peers.length > 0xffff) throw new RangeError(`${peers.length} peers do not fit a PEER_INDEX_TABLE`);
  const name = Buffer.from(viewName, 'utf8');
  let len = 4 + 2 + name.length + 2;
  for (const p of peers) {
    if (p.address.length !== 4 && p.address.length !== 16) throw new RangeError(`peer address of ${p.address.length} octets`);
    len += 1 + 4 + p.address.length + 4;
  }
  const b = Buffer.allocUnsafe(MRT_HEADER_LENGTH + len);
  header(timestamp, MRT_TYPE.TABLE_DUMP_V2, ST.PEER_INDEX_TABLE, len).copy(b, 0);
  let o = MRT_HEADER_LENGTH;
  o = b.writeUInt32BE(collectorBgpId >>> 0, o);
  o = b.writeUInt16BE(name.length, o);
  o += name.copy(b, o);
  o = b.writeUInt16BE(peers.length, o);
  for (const p of peers) {
    b[o++] = (p.address.length === 16 ? PEER_TYPE.IPV6 : 0) | PEER_TYPE.AS4;
    o = b.writeUInt32BE(p.bgpId >>> 0, o);
    o += p.address.copy(b, o);
    o = b.writeUInt32BE(p.peerAs >>> 0, o);
  }
  return b;
}

/** The attribute list as a RIB entry holds it: abbreviated MP_REACH_NLRI, no MP_UNREACH_NLRI. */
function ribForm(attrs: readonly PathAttribute[]): PathAttribute[] {
  const out: PathAttribute[] = [];
  for (const a of attrs) {
    if (a.kind === 'mpUnreach') continue;
    if (a.kind === 'mpReach') {
      const m = a.value;
      out.push({ ...a, value: { afi: m.afi, safi: m.safi, nextHop: m.nextHop, reserved: EMPTY, nlri: { ...m.nlri, bytes: EMPTY } } });
      continue;
    }
    out.push(a);
  }
  return out;
}

/**
 * A RIB_IPV4_UNICAST or RIB_IPV6_UNICAST record (RFC 6396 §4.3.2), or its ADDPATH form
 * (RFC 8050 §4.3) when an entry has a path identifier. `prefix` holds at least
 * ceil(prefixLength / 8) octets; bits past the length are written as zero.
 */
export function encodeRibRecord(
  timestamp: number,
  sequence: number,
  afi: number,
  prefixLength: number,
  prefix: Buffer,
  entries: readonly RibEntryInput[],
): Buffer {
  if (afi !== AFI.IPV4 && afi !== AFI.IPV6) throw new RangeError(`AFI ${afi} has no RIB subtype here`);
  if (prefixLength > (afi === AFI.IPV4 ? 32 : 128)) throw new RangeError(`prefix length ${prefixLength}`);
  if (entries.length > 0xffff) throw new RangeError(`${entries.length} entries do not fit a RIB record`);
  const n = (prefixLength + 7) >> 3;
  if (prefix.length < n) throw new RangeError(`prefix of ${prefix.length} octets for /${prefixLength}`);
  const addPath = entries.some((e) => e.pathId !== undefined);
  const attrs = entries.map((e) => encodeAttributes(ribForm(e.attributes), AS4_CTX, { mrtRib: true }));
  let len = 4 + 1 + n + 2;
  for (const a of attrs) {
    if (a.length > 0xffff) throw new RangeError(`attributes of ${a.length} octets do not fit a RIB entry`);
    len += (addPath ? 12 : 8) + a.length;
  }
  const subtype =
    afi === AFI.IPV4 ? (addPath ? ST.RIB_IPV4_UNICAST_ADDPATH : ST.RIB_IPV4_UNICAST) : addPath ? ST.RIB_IPV6_UNICAST_ADDPATH : ST.RIB_IPV6_UNICAST;
  const b = Buffer.allocUnsafe(MRT_HEADER_LENGTH + len);
  header(timestamp, MRT_TYPE.TABLE_DUMP_V2, subtype, len).copy(b, 0);
  let o = b.writeUInt32BE(sequence >>> 0, MRT_HEADER_LENGTH);
  b[o++] = prefixLength;
  prefix.copy(b, o, 0, n);
  if ((prefixLength & 7) !== 0) b[o + n - 1] = (b[o + n - 1] as number) & (0xff << (8 - (prefixLength & 7)));
  o += n;
  o = b.writeUInt16BE(entries.length, o);
  entries.forEach((e, i) => {
    const a = attrs[i] as Buffer;
    o = b.writeUInt16BE(e.peerIndex, o);
    o = b.writeUInt32BE(e.originatedTime >>> 0, o);
    if (addPath) o = b.writeUInt32BE((e.pathId ?? 0) >>> 0, o);
    o = b.writeUInt16BE(a.length, o);
    o += a.copy(b, o);
  });
  return b;
}

export interface TableDumpV2WriterOptions {
  /** Timestamp of every record header: the time of the dump (RFC 6396 §4.3). */
  readonly timestamp: number;
  readonly collectorBgpId: number;
  readonly viewName?: string;
}

/** Writes a TABLE_DUMP_V2 dump to a stream, waiting for 'drain' when the stream asks. */
export class TableDumpV2Writer {
  private sequence = 0;
  private peerCount = -1;

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly opts: TableDumpV2WriterOptions,
  ) {}

  private async put(b: Buffer): Promise<void> {
    if (this.out.write(b)) return;
    const out = this.out;
    let onDrain: (() => void) | undefined;
    let onError: ((e: Error) => void) | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        onDrain = resolve;
        onError = reject;
        out.once('drain', onDrain);
        out.once('error', onError);
      });
    } finally {
      if (onDrain !== undefined) out.removeListener('drain', onDrain);
      if (onError !== undefined) out.removeListener('error', onError);
    }
  }

  /** Writes the PEER_INDEX_TABLE; must come first, once. */
  async writePeers(peers: readonly PeerInput[]): Promise<void> {
    if (this.peerCount >= 0) throw new Error('PEER_INDEX_TABLE already written');
    this.peerCount = peers.length;
    await this.put(encodePeerIndexTable(this.opts.timestamp, this.opts.collectorBgpId, this.opts.viewName ?? '', peers));
  }

  /** Writes the routes of one prefix (sequence numbers are assigned in call order). */
  async writeRib(afi: number, prefixLength: number, prefix: Buffer, entries: readonly RibEntryInput[]): Promise<void> {
    if (this.peerCount < 0) throw new Error('writePeers() must be called before writeRib()');
    for (const e of entries) {
      if (e.peerIndex >= this.peerCount) throw new RangeError(`peer index ${e.peerIndex} not in the PEER_INDEX_TABLE`);
    }
    await this.put(encodeRibRecord(this.opts.timestamp, this.sequence, afi, prefixLength, prefix, entries));
    this.sequence = (this.sequence + 1) >>> 0;
  }
}
