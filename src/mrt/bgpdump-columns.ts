/**
 * The attribute columns of a `bgpdump -m` line (as_path|origin|next_hop|local_pref|med|
 * communities|AG|aggregator) from one decoded attribute set, with bgpdump 1.6.2's reading
 * of what our codec rejected: such attributes are re-read from their raw bytes (the codec's
 * error data holds the whole attribute) the way bgpdump reads them.
 *
 * Owns: attributes -> column values and their bytes. Must not: know about MRT records or lines.
 */
import { AS_TRANS, ATTR, FLAG } from '../wire/iana.js';
import type { Aggregator, AsPath, MpReach, PathAttribute } from '../wire/attribute-types.js';
import type { WireError } from '../wire/errors.js';
import type { ByteWriter } from './ascii-sink.js';
import { AS_PATH_ERROR_TEXT, bgpdumpAs4Merge, lenientAsPath, originText, writeAsPath, writeCommunities } from './bgpdump-text.js';

/** The values behind the columns shared by every prefix of one attribute set. */
export interface Columns {
  /** AS path after bgpdump's AS4 merge; null when absent. */
  readonly asPath: AsPath | null;
  /** The AS path is malformed the way bgpdump sees it (printed "! Error !"). */
  readonly pathError: boolean;
  /** ORIGIN value, -1 when absent. */
  readonly origin: number;
  /** NEXT_HOP as an unsigned 32-bit number, -1 when absent (printed 255.255.255.255). */
  readonly nextHop: number;
  /** 0 when absent. */
  readonly localPref: number;
  /** 0 when absent. */
  readonly med: number;
  readonly atomic: boolean;
  readonly aggregator: Aggregator | null;
  readonly communities: readonly number[] | null;
  readonly mpReach: MpReach | null;
}

export function columns(attrs: readonly PathAttribute[], errors: readonly WireError[], as2: boolean): Columns {
  let asPath: AsPath | null = null;
  let as4Path: AsPath | null = null;
  let aggregator: Aggregator | null = null;
  let as4Aggregator: Aggregator | null = null;
  let origin = -1;
  let nextHop = -1;
  let localPref = 0;
  let med = 0;
  let atomic = false;
  let communities: readonly number[] | null = null;
  let mpReach: MpReach | null = null;
  for (const a of attrs) {
    switch (a.kind) {
      case 'origin': origin = a.value; break;
      case 'asPath': asPath = a.value; break;
      case 'nextHop': nextHop = a.value; break;
      case 'med': med = a.value; break;
      case 'localPref': localPref = a.value; break;
      case 'atomicAggregate': atomic = true; break;
      case 'aggregator': aggregator = a.value; break;
      case 'communities': communities = a.value; break;
      case 'as4Path': as4Path = a.value; break;
      case 'as4Aggregator': as4Aggregator = a.value; break;
      case 'mpReach': mpReach = a.value; break;
      default: break;
    }
  }
  // bgpdump reads attributes the codec rejected (wrong length, flags) as best it can.
  let pathError = false;
  let as4PathError = false;
  for (const e of errors) {
    const v = rejectedValue(e);
    if (v === null) continue;
    switch (e.attrCode) {
      case ATTR.AS_PATH:
        if (asPath === null) {
          asPath = lenientAsPath(v, as2 ? 2 : 4);
          pathError = asPath === null;
        }
        break;
      case ATTR.AS4_PATH:
        if (as4Path === null) {
          as4Path = lenientAsPath(v, 4);
          as4PathError = as4Path === null;
        }
        break;
      case ATTR.ORIGIN: if (origin < 0) origin = v[0] ?? 0; break;
      case ATTR.NEXT_HOP: if (nextHop < 0) nextHop = u32At(v, 0); break;
      case ATTR.MULTI_EXIT_DISC: med = u32At(v, 0); break;
      case ATTR.LOCAL_PREF: localPref = u32At(v, 0); break;
      case ATTR.ATOMIC_AGGREGATE: atomic = true; break;
      case ATTR.AGGREGATOR:
        if (aggregator === null) aggregator = as2 ? { asn: ((v[0] ?? 0) << 8) | (v[1] ?? 0), address: u32At(v, 2) } : { asn: u32At(v, 0), address: u32At(v, 4) };
        break;
      case ATTR.COMMUNITIES:
        if (communities === null) communities = Array.from({ length: v.length >> 2 }, (_, i) => u32At(v, 4 * i));
        break;
      default: break;
    }
  }
  if (as2) {
    // A malformed AS4_PATH taken into the merge makes the merged path malformed too.
    const merges = asPath !== null && !(aggregator !== null && as4Aggregator !== null && aggregator.asn !== AS_TRANS);
    ({ asPath, aggregator } = bgpdumpAs4Merge(asPath, as4Path, aggregator, as4Aggregator));
    if (as4PathError && merges) pathError = true;
  }
  return { asPath, pathError, origin, nextHop, localPref, med, atomic, aggregator, communities, mpReach };
}

const BAR = 0x7c;
const SPACE = 0x20;

/** Writes "as_path|origin". */
export function writePathOrigin(w: ByteWriter, c: Columns): void {
  if (c.pathError) w.ascii(AS_PATH_ERROR_TEXT);
  else if (c.asPath !== null) writeAsPath(w, c.asPath);
  w.byte(BAR);
  w.ascii(originText(c.origin));
}

/** Writes the NEXT_HOP column (bgpdump's INADDR_NONE when absent). */
export function writeNextHop(w: ByteWriter, c: Columns): void {
  w.ipv4(c.nextHop < 0 ? 0xffffffff : c.nextHop);
}

/** Writes "communities|AG|aggregator|". */
export function writeTail(w: ByteWriter, c: Columns): void {
  if (c.communities !== null) writeCommunities(w, c.communities);
  w.byte(BAR);
  w.ascii(c.atomic ? 'AG|' : 'NAG|');
  // bgpdump prints the aggregator unless its address is 255.255.255.255 (its "unset" value).
  const agg = c.aggregator;
  if (agg !== null && agg.address !== 0xffffffff) {
    w.dec32(agg.asn);
    w.byte(SPACE);
    w.ipv4(agg.address);
  }
  w.byte(BAR);
}

/** Big-endian u32 at `o`, octets past the end read as 0 (as bgpdump's reader does). */
function u32At(b: Buffer, o: number): number {
  return (((b[o] ?? 0) << 24) | ((b[o + 1] ?? 0) << 16) | ((b[o + 2] ?? 0) << 8) | (b[o + 3] ?? 0)) >>> 0;
}

/** The value octets of an attribute the codec rejected (its error data holds the whole attribute), or null. */
function rejectedValue(e: WireError): Buffer | null {
  const d = e.notification.data;
  if (e.attrCode === null || d.length < 3 || d[1] !== e.attrCode) return null;
  const ext = ((d[0] as number) & FLAG.EXTENDED_LENGTH) !== 0;
  return d.subarray(ext ? 4 : 3);
}
