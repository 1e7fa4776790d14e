/**
 * The pieces of a `bgpdump -m` line shared by every record type (see bgpdump-format.ts for
 * the line layouts): separators, the time, peer address and next-hop columns, LOCAL_PREF and
 * MED, and the one-line-per-prefix expansion of an NLRI field.
 *
 * Owns: field -> text. Must not: do I/O or decide which records print.
 */
import { SAFI } from '../wire/iana.js';
import { forEachPrefix } from '../wire/nlri.js';
import { MRT_TYPE } from './constants.js';
import type { MrtHeader } from './records.js';
import type { AsciiSink, ByteWriter } from './ascii-sink.js';
import type { Columns } from './bgpdump-columns.js';
import { ipv6At, prefixText } from './bgpdump-text.js';

/** Writes an MP_REACH_NLRI next hop by its length (4, 16 or 32 octets); false for other lengths. */
export function writeMpNextHop(w: ByteWriter, nh: Buffer): boolean {
  if (nh.length === 4) w.ipv4(nh.readUInt32BE(0));
  else if (nh.length === 16 || nh.length === 32) w.ascii(ipv6At(nh, 0));
  else return false;
  return true;
}

/** bgpdump only handles AFI 1/2 with SAFI 1, 2 and 3 (unicast+multicast). */
export function shownFamily(afi: number, safi: number): boolean {
  return (afi === 1 || afi === 2) && safi >= SAFI.UNICAST && safi <= 3;
}

/** Writes a peer address: IPv6 for AFI 2, else IPv4. */
export function writeAddress(w: ByteWriter, afi: number, addr: Buffer): void {
  if (afi === 2) w.ascii(ipv6At(addr, 0));
  else w.ipv4(addr.length >= 4 ? addr.readUInt32BE(0) : 0);
}

export const BAR = 0x7c;
const DOT = 0x2e;
export const SLASH = 0x2f;
export const NL = 0x0a;

/** Writes the time column: seconds, and ".usec" for BGP4MP_ET. */
export function writeTime(w: ByteWriter, h: MrtHeader): void {
  w.dec32(h.timestamp);
  if (h.type === MRT_TYPE.BGP4MP_ET) {
    w.byte(DOT);
    w.decPadded(h.microseconds ?? 0, 6);
  }
}

/** The W or A lines of one NLRI field: head, prefix, [|path id], then `rest` (which ends the line). */
export function writeLines(out: AsciiSink, afi: number, nlri: Buffer, addPath: boolean, head: Uint8Array, rest: Uint8Array, tolerant: boolean): void {
  if (afi === 1) {
    // Stops at the first prefix that does not fit, like walkPrefixes (validated fields always fit).
    out.ipv4Lines(head, nlri, addPath, rest);
    return;
  }
  const each = (pathId: number, bits: number, b: Buffer, o: number): void => {
    out.bytes(head);
    out.ascii(prefixText(afi, bits, b, o));
    if (addPath) {
      out.byte(BAR);
      out.dec32(pathId);
    }
    out.bytes(rest);
  };
  if (tolerant) walkPrefixes(nlri, addPath, each);
  else forEachPrefix({ afi, safi: 1, addPath, bytes: nlri }, each);
}

export const NEWLINE = new Uint8Array([NL]);

/** Writes "|local_pref|med|" (as C's %d of the unsigned values when `signed`). */
export function writeLpMed(w: ByteWriter, c: Columns, signed: boolean): void {
  w.byte(BAR);
  if (signed) w.decSigned32(c.localPref);
  else w.dec32(c.localPref);
  w.byte(BAR);
  if (signed) w.decSigned32(c.med);
  else w.dec32(c.med);
  w.byte(BAR);
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
