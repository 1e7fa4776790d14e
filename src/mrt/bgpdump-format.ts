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
import { MSG } from '../wire/iana.js';
import { decodeUpdate } from '../wire/update.js';
import { DEFAULT_CTX } from '../wire/context.js';
import { BGP4MP_SUBTYPE, MRT_TYPE, TABLE_DUMP_V2_SUBTYPE } from './constants.js';
import type { Bgp4mpMessageRecord, Bgp4mpStateChangeRecord, MrtRecord, PeerIndexEntry, RibRecord, TableDumpRecord } from './records.js';
import { bgp4mpCtx, bgpMessageBody, bgpMessageType } from './bgp4mp.js';
import { AsciiSink, LineScratch } from './ascii-sink.js';
import { type Columns, columns, writeNextHop, writePathOrigin, writeTail } from './bgpdump-columns.js';
import { BAR, NEWLINE, NL, SLASH, shownFamily, writeAddress, writeLines, writeLpMed, writeMpNextHop, writeTime } from './bgpdump-lines.js';
import { trimPrefixFields } from './bgpdump-trim.js';
import { ribAttributes } from './table-dump-v2.js';
import { ipv6At, prefixText } from './bgpdump-text.js';

/** Record type names, indexed by ET (1) + LOCAL (2) + ADDPATH (4). */
const NAMES = ['BGP4MP', 'BGP4MP_ET', 'BGP4MP_LOCAL', 'BGP4MP_ET_LOCAL', 'BGP4MP_AP', 'BGP4MP_ET_AP', 'BGP4MP_LOCAL_AP', 'BGP4MP_ET_LOCAL_AP'];

/** Incremental `bgpdump -m` formatter; keeps the PEER_INDEX_TABLE between records. */
export class BgpdumpFormatter {
  private peers: readonly PeerIndexEntry[] | null = null;
  private readonly out = new AsciiSink();
  private readonly head = new LineScratch();
  private readonly rest = new LineScratch();
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
      case 'peerIndexTable': this.peers = rec.peers; break;
      default: break;
    }
  }

  private stateChange(rec: Bgp4mpStateChangeRecord): void {
    const et = rec.header.type === MRT_TYPE.BGP4MP_ET;
    // bgpdump accepts only these exact lengths (and 8 for the Zebra-shortened form).
    const len = rec.header.length - (et ? 4 : 0);
    if (rec.zebraShort ? len !== 8 : rec.afi === 1 ? len !== 20 && len !== 24 : len !== 44 && len !== 48) return;
    const out = this.out;
    out.ascii(et ? 'BGP4MP_ET|' : 'BGP4MP|');
    writeTime(out, rec.header);
    out.ascii('|STATE|');
    writeAddress(out, rec.afi, rec.peerAddress);
    out.byte(BAR);
    out.dec32(rec.peerAs);
    out.byte(BAR);
    out.dec32(rec.oldState);
    out.byte(BAR);
    out.dec32(rec.newState);
    out.byte(NL);
  }

  /** "NAME|time|TYPE|peer_ip|peer_as|" in the head scratch (`type` is "|A|" or "|W|"). */
  private headOf(rec: Bgp4mpMessageRecord, name: string, type: string, swapped: boolean): Uint8Array {
    const w = this.head.reset();
    w.ascii(name);
    w.byte(BAR);
    writeTime(w, rec.header);
    w.ascii(type);
    writeAddress(w, rec.afi, swapped ? rec.localAddress : rec.peerAddress);
    w.byte(BAR);
    w.dec32(swapped ? rec.localAs : rec.peerAs);
    w.byte(BAR);
    return w.view();
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
    const st = rec.header.subtype;
    // bgpdump: only MESSAGE_LOCAL / MESSAGE_AS4_LOCAL count as "sent" (named _LOCAL, peer
    // columns from the first fields); the LOCAL_ADDPATH subtypes are named like received
    // messages and show the *second* (local) AS and address.
    const sent = st === BGP4MP_SUBTYPE.MESSAGE_LOCAL || st === BGP4MP_SUBTYPE.MESSAGE_AS4_LOCAL;
    const swapped = st === BGP4MP_SUBTYPE.MESSAGE_LOCAL_ADDPATH || st === BGP4MP_SUBTYPE.MESSAGE_AS4_LOCAL_ADDPATH;
    const ap = rec.addPath;
    const name = NAMES[(rec.header.type === MRT_TYPE.BGP4MP_ET ? 1 : 0) + (sent ? 2 : 0) + (ap ? 4 : 0)] as string;
    const out = this.out;

    let mpUnreach = null;
    let hasReach = false;
    for (const a of u.attributes) {
      if (a.kind === 'mpUnreach') mpUnreach = a.value;
      else if (a.kind === 'mpReach') hasReach = true;
    }
    if (u.withdrawn.bytes.length > 0 || mpUnreach !== null) {
      const w = this.headOf(rec, name, '|W|', swapped);
      writeLines(out, 1, u.withdrawn.bytes, ap, w, NEWLINE, false);
      if (mpUnreach !== null && shownFamily(mpUnreach.afi, mpUnreach.safi)) {
        writeLines(out, mpUnreach.afi, mpUnreach.withdrawn.bytes, ap, w, NEWLINE, true);
      }
    }
    if (u.nlri.bytes.length === 0 && !hasReach) return;
    const c = columns(u.attributes, dec.errors, !rec.as4);
    const a = this.headOf(rec, name, '|A|', swapped);
    if (u.nlri.bytes.length > 0) {
      const r = this.rest.reset();
      r.byte(BAR);
      writePathOrigin(r, c);
      r.byte(BAR);
      writeNextHop(r, c);
      writeLpMed(r, c, false);
      writeTail(r, c);
      r.byte(NL);
      writeLines(out, 1, u.nlri.bytes, ap, a, r.view(), false);
    }
    const mp = c.mpReach;
    if (mp !== null && shownFamily(mp.afi, mp.safi)) {
      const r = this.rest.reset();
      r.byte(BAR);
      const at = r.written;
      writePathOrigin(r, c);
      if (mp.afi === 1) r.byte(BAR);
      const nh = r.written;
      if (mp.afi === 2) r.byte(BAR);
      // bgpdump prints LOCAL_PREF and MED of IPv4 MP_REACH routes as signed 32-bit numbers. For
      // a next hop of another length it prints no next hop, LOCAL_PREF and MED columns, and
      // for IPv6 no AS path and ORIGIN either.
      if (writeMpNextHop(r, mp.nextHop)) writeLpMed(r, c, mp.afi === 1);
      else r.truncate(mp.afi === 1 ? nh : at);
      writeTail(r, c);
      r.byte(NL);
      writeLines(out, mp.afi, mp.nlri.bytes, ap, a, r.view(), true);
    }
  }

  /** Writes "as_path|origin|next_hop|local_pref|med|communities|AG|aggregator|\n" of a RIB entry. */
  private ribColumns(c: Columns, mp: boolean): void {
    const out = this.out;
    writePathOrigin(out, c);
    out.byte(BAR);
    const m = c.mpReach;
    if (mp && m !== null) writeMpNextHop(out, m.nextHop);
    else writeNextHop(out, c);
    writeLpMed(out, c, false);
    writeTail(out, c);
    out.byte(NL);
  }

  private rib(rec: RibRecord): void {
    const st = rec.header.subtype;
    if (st !== TABLE_DUMP_V2_SUBTYPE.RIB_IPV4_UNICAST && st !== TABLE_DUMP_V2_SUBTYPE.RIB_IPV6_UNICAST && st !== TABLE_DUMP_V2_SUBTYPE.RIB_IPV4_UNICAST_ADDPATH && st !== TABLE_DUMP_V2_SUBTYPE.RIB_IPV6_UNICAST_ADDPATH) return;
    const peers = this.peers;
    if (peers === null) {
      if (rec.entries.length > 0) this.skipped++;
      return;
    }
    const out = this.out;
    const prefix = prefixText(rec.afi, rec.prefixLength, rec.prefix, 0);
    for (const e of rec.entries) {
      const peer = peers[e.peerIndex];
      const dec = ribAttributes(e.attributes);
      if (peer === undefined || !dec.ok) {
        this.skipped++;
        continue;
      }
      const c = columns(dec.attributes, dec.errors, false);
      out.ascii(rec.addPath ? 'TABLE_DUMP2_AP|' : 'TABLE_DUMP2|');
      out.dec32(rec.header.timestamp);
      out.ascii('|B|');
      writeAddress(out, peer.afi, peer.address);
      out.byte(BAR);
      out.dec32(peer.peerAs);
      out.byte(BAR);
      out.ascii(prefix);
      if (e.pathId !== null) {
        out.byte(BAR);
        out.dec32(e.pathId);
      }
      out.byte(BAR);
      const mp = c.mpReach;
      // Abbreviated MP_REACH (afi 0 from the codec) or a full one for IPv6/IPv4 unicast.
      this.ribColumns(c, mp !== null && (mp.afi === 0 || (mp.afi === 2 && mp.safi === 1) || (mp.afi === 1 && mp.safi === 1)));
    }
  }

  private tableDump(rec: TableDumpRecord): void {
    const dec = ribAttributes(rec.attributes, DEFAULT_CTX);
    if (!dec.ok) {
      this.skipped++;
      return;
    }
    const c = columns(dec.attributes, dec.errors, true);
    const out = this.out;
    out.ascii('TABLE_DUMP|');
    out.dec32(rec.header.timestamp);
    out.ascii('|B|');
    writeAddress(out, rec.afi, rec.peerAddress);
    out.byte(BAR);
    out.dec32(rec.peerAs);
    out.byte(BAR);
    if (rec.afi === 2) out.ascii(ipv6At(rec.prefix, 0));
    else out.ipv4(rec.prefix.readUInt32BE(0));
    out.byte(SLASH);
    out.dec8(rec.prefixLength);
    out.byte(BAR);
    writePathOrigin(out, c);
    out.byte(BAR);
    const mp = c.mpReach;
    if (mp !== null && (mp.afi === 0 || (mp.afi === 2 && mp.safi === 1))) {
      // bgpdump prints this next hop as IPv6 whatever its length.
      const b = Buffer.alloc(16);
      mp.nextHop.copy(b, 0, 0, Math.min(16, mp.nextHop.length));
      out.ascii(ipv6At(b, 0));
    } else writeNextHop(out, c);
    writeLpMed(out, c, false);
    writeTail(out, c);
    out.byte(NL);
  }
}
