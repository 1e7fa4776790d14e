/**
 * `bgpdump -m` text (RIPE NCC bgpdump 1.6.2, one line per prefix) for MRT records:
 *
 *   TYPE|time|A|peer_ip|peer_as|prefix|as_path|origin|next_hop|local_pref|med|communities|AG/NAG|aggregator|
 *   TYPE|time|W|peer_ip|peer_as|prefix
 *   TYPE|time|B|peer_ip|peer_as|prefix|as_path|...        (TABLE_DUMP, TABLE_DUMP2)
 *   TYPE|time|STATE|peer_ip|peer_as|old_state|new_state
 *
 * with TYPE one of TABLE_DUMP, TABLE_DUMP2, BGP4MP, BGP4MP_ET, BGP4MP_LOCAL, BGP4MP_ET_LOCAL,
 * and "_AP" types carrying a path-id column after the prefix. BGP4MP_ET times have ".usec".
 * One UPDATE gives its withdrawals first (IPv4, then MP_UNREACH_NLRI), then announcements
 * (IPv4 NLRI with NEXT_HOP, then MP_REACH_NLRI with its own next hop).
 *
 * Choices (see also bgpdump-text.ts), i.e. where we knowingly differ from bgpdump 1.6.2:
 * 1. Prefixes are printed with the bits past the prefix length masked (RFC 4271 §4.3: they
 *    are irrelevant), like bgpdump since 2022 and its test expectation
 *    updates.nlri_mask_trailing_bits; bgpdump 1.6.2 prints them unmasked.
 * 2. Attributes come from the meshrr codec. An attribute the codec rejects (wrong length or
 *    flags) is re-read from its raw bytes the way bgpdump reads it; a Withdrawn Routes or
 *    NLRI field ending in a cut prefix loses only that prefix, as in bgpdump. An UPDATE the
 *    codec still rejects (RFC 7606 session reset, e.g. MP_REACH_NLRI with a 200-bit IPv6
 *    prefix, where bgpdump overruns its prefix buffer and prints memory garbage), or a RIB
 *    entry whose attributes do not decode, prints nothing and is counted in `skipped`.
 * 3. An empty COMMUNITIES attribute prints an empty column (bgpdump prints whatever follows
 *    its empty string in memory).
 * Records bgpdump ignores in -m mode print nothing: OPEN, NOTIFICATION, KEEPALIVE,
 * ROUTE-REFRESH, RIB_GENERIC, multicast RIBs, PEER_INDEX_TABLE, unknown types.
 *
 * Owns: record -> text. Must not: do I/O (the CLI writes the text out).
 */
import { MSG, SAFI } from '../wire/iana.js';
import { forEachPrefix } from '../wire/nlri.js';
import { decodeUpdate } from '../wire/update.js';
import { DEFAULT_CTX } from '../wire/context.js';
import { BGP4MP_SUBTYPE, MRT_TYPE, TABLE_DUMP_V2_SUBTYPE } from './constants.js';
import type { Bgp4mpMessageRecord, Bgp4mpStateChangeRecord, MrtRecord, RibRecord, TableDumpRecord } from './records.js';
import { bgp4mpCtx, bgpMessageBody, bgpMessageType } from './bgp4mp.js';
import { AsciiSink, Latin1Scratch } from './ascii-sink.js';
import { columns } from './bgpdump-columns.js';
import { ribAttributes } from './table-dump-v2.js';
import { ipv4At, ipv6At, prefixText } from './bgpdump-text.js';

/** Next hop text of an MP_REACH_NLRI by its length (4, 16 or 32 octets), or null for other lengths. */
function mpNextHop(nh: Buffer): string | null {
  if (nh.length === 4) return ipv4At(nh, 0);
  if (nh.length === 16 || nh.length === 32) return ipv6At(nh, 0);
  return null;
}

/** bgpdump only handles AFI 1/2 with SAFI 1, 2 and 3 (unicast+multicast). */
function shownFamily(afi: number, safi: number): boolean {
  return (afi === 1 || afi === 2) && safi >= SAFI.UNICAST && safi <= 3;
}

function peerText(afi: number, addr: Buffer): string {
  return afi === 2 ? ipv6At(addr, 0) : ipv4At(addr, 0);
}

const BAR = 0x7c;

/** The W or A lines of one NLRI field: head, prefix, [|path id], then `rest` (which ends the line). */
function writeLines(out: AsciiSink, afi: number, nlri: Buffer, addPath: boolean, head: Uint8Array, rest: Uint8Array, tolerant: boolean): void {
  if (afi === 1) {
    // Stops at the first prefix that does not fit, like walkPrefixes (validated fields always fit).
    out.ipv4Lines(head, nlri, addPath, rest);
    return;
  }
  const each = (pathId: number, bits: number, b: Buffer, o: number): void => {
    out.bytes(head);
    out.text(prefixText(afi, bits, b, o));
    if (addPath) {
      out.byte(BAR);
      out.dec32(pathId);
    }
    out.bytes(rest);
  };
  if (tolerant) walkPrefixes(nlri, addPath, each);
  else forEachPrefix({ afi, safi: 1, addPath, bytes: nlri }, each);
}

const NEWLINE = new Uint8Array([0x0a]);

/** Incremental `bgpdump -m` formatter; keeps the PEER_INDEX_TABLE between records. */
export class BgpdumpFormatter {
  private peerTexts: string[] | null = null;
  private readonly out = new AsciiSink();
  private readonly head = new Latin1Scratch();
  private readonly rest = new Latin1Scratch();
  /** Records (or RIB entries) that bgpdump would print but our codec rejected. */
  skipped = 0;

  /** Bytes of text accumulated since the last take(). */
  get pending(): number {
    return this.out.length;
  }

  /** The text accumulated so far, as buffers (cleared). */
  take(): Buffer[] {
    return this.out.take();
  }

  /** Gives back a buffer from take() once written out (see AsciiSink.recycle). */
  recycle(b: Buffer): void {
    this.out.recycle(b);
  }

  /** The text accumulated so far, as a string (cleared). */
  takeText(): string {
    return this.out.takeText();
  }

  /** Appends the lines of one record. */
  add(rec: MrtRecord): void {
    switch (rec.kind) {
      case 'bgp4mpMessage': this.message(rec); break;
      case 'bgp4mpStateChange': this.stateChange(rec); break;
      case 'rib': this.rib(rec); break;
      case 'tableDump': this.tableDump(rec); break;
      case 'peerIndexTable':
        this.peerTexts = rec.peers.map((p) => `${peerText(p.afi, p.address)}|${p.peerAs}|`);
        break;
      default: break;
    }
  }

  private stateChange(rec: Bgp4mpStateChangeRecord): void {
    const et = rec.header.type === MRT_TYPE.BGP4MP_ET;
    // bgpdump accepts only these exact lengths (and 8 for the Zebra-shortened form).
    const len = rec.header.length - (et ? 4 : 0);
    if (rec.zebraShort ? len !== 8 : rec.afi === 1 ? len !== 20 && len !== 24 : len !== 44 && len !== 48) return;
    const time = et ? `${rec.header.timestamp}.${String(rec.header.microseconds).padStart(6, '0')}` : `${rec.header.timestamp}`;
    this.out.text(`${et ? 'BGP4MP_ET' : 'BGP4MP'}|${time}|STATE|${peerText(rec.afi, rec.peerAddress)}|${rec.peerAs}|${rec.oldState}|${rec.newState}\n`);
  }

  private message(rec: Bgp4mpMessageRecord): void {
    if (bgpMessageType(rec.message) !== MSG.UPDATE) return;
    const body = bgpMessageBody(rec.message);
    const ctx = bgp4mpCtx(rec);
    let dec = decodeUpdate(body, ctx);
    if (!dec.ok && (dec.error.reason === 'nlriSyntax' || dec.error.reason === 'withdrawnSyntax')) {
      const trimmed = trimPrefixFields(body, rec.addPath);
      if (trimmed !== null) dec = decodeUpdate(trimmed, ctx);
    }
    if (!dec.ok) {
      this.skipped++;
      return;
    }
    const u = dec.update;
    const h = rec.header;
    const et = h.type === MRT_TYPE.BGP4MP_ET;
    const st = h.subtype;
    // bgpdump: only MESSAGE_LOCAL / MESSAGE_AS4_LOCAL count as "sent" (named _LOCAL, peer
    // columns from the first fields); the LOCAL_ADDPATH subtypes are named like received
    // messages and show the *second* (local) AS and address.
    const sent = st === BGP4MP_SUBTYPE.MESSAGE_LOCAL || st === BGP4MP_SUBTYPE.MESSAGE_AS4_LOCAL;
    const swapped = st === BGP4MP_SUBTYPE.MESSAGE_LOCAL_ADDPATH || st === BGP4MP_SUBTYPE.MESSAGE_AS4_LOCAL_ADDPATH;
    const name = `${et ? 'BGP4MP_ET' : 'BGP4MP'}${sent ? '_LOCAL' : ''}${rec.addPath ? '_AP' : ''}`;
    const time = et ? `${h.timestamp}.${String(h.microseconds).padStart(6, '0')}` : `${h.timestamp}`;
    const peer = swapped ? `${peerText(rec.afi, rec.localAddress)}|${rec.localAs}|` : `${peerText(rec.afi, rec.peerAddress)}|${rec.peerAs}|`;
    const ap = rec.addPath;
    const out = this.out;

    let mpUnreach = null;
    let hasReach = false;
    for (const a of u.attributes) {
      if (a.kind === 'mpUnreach') mpUnreach = a.value;
      else if (a.kind === 'mpReach') hasReach = true;
    }
    if (u.withdrawn.bytes.length > 0 || mpUnreach !== null) {
      const w = this.head.set(`${name}|${time}|W|${peer}`);
      const nl = NEWLINE;
      writeLines(out, 1, u.withdrawn.bytes, ap, w, nl, false);
      if (mpUnreach !== null && shownFamily(mpUnreach.afi, mpUnreach.safi)) {
        writeLines(out, mpUnreach.afi, mpUnreach.withdrawn.bytes, ap, w, nl, true);
      }
    }
    if (u.nlri.bytes.length === 0 && !hasReach) return;
    const c = columns(u.attributes, dec.errors, !rec.as4);
    const a = this.head.set(`${name}|${time}|A|${peer}`);
    if (u.nlri.bytes.length > 0) {
      const rest = this.rest.set(`|${c.asPath}|${c.origin}|${c.nextHop}|${c.localPref}|${c.med}|${c.tail}\n`);
      writeLines(out, 1, u.nlri.bytes, ap, a, rest, false);
    }
    const mp = c.mpReach;
    if (mp !== null && shownFamily(mp.afi, mp.safi)) {
      const nh = mpNextHop(mp.nextHop);
      let rest: string;
      if (mp.afi === 1) {
        // bgpdump prints LOCAL_PREF and MED of IPv4 MP_REACH routes as signed 32-bit numbers.
        rest = `|${c.asPath}|${c.origin}|${nh === null ? '' : `${nh}|${c.localPref | 0}|${c.med | 0}|`}${c.tail}\n`;
      } else {
        rest = `|${nh === null ? '' : `${c.asPath}|${c.origin}|${nh}|${c.localPref}|${c.med}|`}${c.tail}\n`;
      }
      writeLines(out, mp.afi, mp.nlri.bytes, ap, a, this.rest.set(rest), true);
    }
  }

  private rib(rec: RibRecord): void {
    const st = rec.header.subtype;
    if (st !== TABLE_DUMP_V2_SUBTYPE.RIB_IPV4_UNICAST && st !== TABLE_DUMP_V2_SUBTYPE.RIB_IPV6_UNICAST && st !== TABLE_DUMP_V2_SUBTYPE.RIB_IPV4_UNICAST_ADDPATH && st !== TABLE_DUMP_V2_SUBTYPE.RIB_IPV6_UNICAST_ADDPATH) return;
    const peers = this.peerTexts;
    if (peers === null) {
      if (rec.entries.length > 0) this.skipped++;
      return;
    }
    const head = `${rec.addPath ? 'TABLE_DUMP2_AP' : 'TABLE_DUMP2'}|${rec.header.timestamp}|B|`;
    const prefix = prefixText(rec.afi, rec.prefixLength, rec.prefix, 0);
    for (const e of rec.entries) {
      const pt = peers[e.peerIndex];
      const dec = ribAttributes(e.attributes);
      if (pt === undefined || !dec.ok) {
        this.skipped++;
        continue;
      }
      const c = columns(dec.attributes, dec.errors, false);
      let nh = c.nextHop;
      const mp = c.mpReach;
      // Abbreviated MP_REACH (afi 0 from the codec) or a full one for IPv6/IPv4 unicast.
      if (mp !== null && (mp.afi === 0 || (mp.afi === 2 && mp.safi === 1) || (mp.afi === 1 && mp.safi === 1))) nh = mpNextHop(mp.nextHop) ?? '';
      this.out.text(`${head}${pt}${prefix}${e.pathId === null ? '' : `|${e.pathId}`}|${c.asPath}|${c.origin}|${nh}|${c.localPref}|${c.med}|${c.tail}\n`);
    }
  }

  private tableDump(rec: TableDumpRecord): void {
    const dec = ribAttributes(rec.attributes, DEFAULT_CTX);
    if (!dec.ok) {
      this.skipped++;
      return;
    }
    const c = columns(dec.attributes, dec.errors, true);
    let nh = c.nextHop;
    const mp = c.mpReach;
    if (mp !== null && (mp.afi === 0 || (mp.afi === 2 && mp.safi === 1))) {
      // bgpdump prints this next hop as IPv6 whatever its length.
      const b = Buffer.alloc(16);
      mp.nextHop.copy(b, 0, 0, Math.min(16, mp.nextHop.length));
      nh = ipv6At(b, 0);
    }
    const prefix = rec.afi === 2 ? ipv6At(rec.prefix, 0) : ipv4At(rec.prefix, 0);
    this.out.text(`TABLE_DUMP|${rec.header.timestamp}|B|${peerText(rec.afi, rec.peerAddress)}|${rec.peerAs}|${prefix}/${rec.prefixLength}|${c.asPath}|${c.origin}|${nh}|${c.localPref}|${c.med}|${c.tail}\n`);
  }
}

/** Length of the whole prefixes at the start of an IPv4 NLRI field (bgpdump stops at the first that does not fit). */
function wholePrefixes(b: Buffer, addPath: boolean): number {
  let p = 0;
  let ok = 0;
  const head = addPath ? 5 : 1;
  while (p + head <= b.length) {
    const bits = b[p + head - 1] as number;
    if (bits > 32) break;
    const next = p + head + ((bits + 7) >> 3);
    if (next > b.length) break;
    p = ok = next;
  }
  return ok;
}

/**
 * bgpdump leniency: an UPDATE whose Withdrawn Routes or NLRI field ends in a cut prefix (the
 * codec's session-reset case, RFC 7606 §5.3) still shows its whole prefixes. Returns the body
 * with both fields cut to their whole prefixes, or null when that changes nothing.
 */
function trimPrefixFields(body: Buffer, addPath: boolean): Buffer | null {
  if (body.length < 4) return null;
  const wLen = Math.min(body.readUInt16BE(0), body.length - 2);
  const w = body.subarray(2, 2 + wLen);
  if (2 + wLen + 2 > body.length) return null;
  const aLen = body.readUInt16BE(2 + wLen);
  const aStart = 4 + wLen;
  if (aStart + aLen > body.length) return null;
  const attrs = body.subarray(aStart, aStart + aLen);
  const nlri = body.subarray(aStart + aLen);
  const wKeep = wholePrefixes(w, addPath);
  const nKeep = wholePrefixes(nlri, addPath);
  if (wKeep === w.length && nKeep === nlri.length) return null;
  const out = Buffer.allocUnsafe(4 + wKeep + aLen + nKeep);
  out.writeUInt16BE(wKeep, 0);
  w.copy(out, 2, 0, wKeep);
  out.writeUInt16BE(aLen, 2 + wKeep);
  attrs.copy(out, 4 + wKeep);
  nlri.copy(out, 4 + wKeep + aLen, 0, nKeep);
  return out;
}

/**
 * Prefixes of an NLRI field, tolerant like bgpdump: stops at the first prefix that does not
 * fit instead of failing (used for families the codec leaves unvalidated, e.g. SAFI 3).
 */
function walkPrefixes(b: Buffer, addPath: boolean, cb: (pathId: number, bits: number, b: Buffer, o: number) => void): void {
  let p = 0;
  const end = b.length;
  while (p < end) {
    let pathId = 0;
    if (addPath) {
      if (p + 4 > end) return;
      pathId = b.readUInt32BE(p);
      p += 4;
      if (p >= end) return;
    }
    const bits = b[p] as number;
    const n = (bits + 7) >> 3;
    if (p + 1 + n > end) return;
    cb(pathId, bits, b, p + 1);
    p += 1 + n;
  }
}
