/**
 * Text of the individual columns of `bgpdump -m` (RIPE NCC bgpdump 1.6.2): addresses, prefixes,
 * AS paths, communities, origin, and bgpdump's own AS4_PATH merge. Written from bgpdump's
 * observable output and behaviour (no code copied; bgpdump is GPL). Every deliberate
 * imitation of a bgpdump quirk is marked "bgpdump:".
 *
 * Owns: string forms only. Must not: read MRT or BGP framing (see bgpdump-format.ts).
 */
import { AS_PATH_SEGMENT, AS_TRANS, WELL_KNOWN_COMMUNITY } from '../wire/iana.js';
import type { Aggregator, AsPath, AsPathSegment } from '../wire/attribute-types.js';
import { type ByteWriter, LineScratch } from './ascii-sink.js';

const OCT: readonly string[] = Array.from({ length: 256 }, (_, i) => String(i));

/** Dotted quad of an unsigned 32-bit number. */
export function ipv4Text(a: number): string {
  return `${OCT[a >>> 24]}.${OCT[(a >>> 16) & 255]}.${OCT[(a >>> 8) & 255]}.${OCT[a & 255]}`;
}

/** Dotted quad of 4 octets at `o` (missing octets read as 0). */
export function ipv4At(b: Buffer, o: number): string {
  return `${OCT[b[o] ?? 0]}.${OCT[b[o + 1] ?? 0]}.${OCT[b[o + 2] ?? 0]}.${OCT[b[o + 3] ?? 0]}`;
}

const words = new Uint16Array(8);

/**
 * IPv6 text as bgpdump prints it (its own formatter, not inet_ntop): IPv4-mapped
 * (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d, last word pair > 1) addresses in dotted
 * form; otherwise lower-case hex words without leading zeros and the first longest run of
 * zero words, even a run of one, written "::" (bgpdump: RFC 5952 §4.2.2 would not compress
 * a single zero word).
 */
export function ipv6At(b: Buffer, o: number): string {
  let zero10 = true;
  for (let i = 0; i < 10; i++) {
    if ((b[o + i] ?? 0) !== 0) {
      zero10 = false;
      break;
    }
  }
  if (zero10) {
    const w5 = ((b[o + 10] ?? 0) << 8) | (b[o + 11] ?? 0);
    if (w5 === 0xffff) return `::ffff:${ipv4At(b, o + 12)}`;
    if (w5 === 0) {
      const tail = ((b[o + 12] ?? 0) * 0x1000000 + (((b[o + 13] ?? 0) << 16) | ((b[o + 14] ?? 0) << 8) | (b[o + 15] ?? 0))) >>> 0;
      if (tail > 1) return `::${ipv4At(b, o + 12)}`;
    }
  }
  for (let i = 0; i < 8; i++) words[i] = ((b[o + 2 * i] ?? 0) << 8) | (b[o + 2 * i + 1] ?? 0);
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  let s = '';
  for (let i = 0; i < 8; i++) {
    if (i === best) {
      s += i === 0 ? '::' : ':';
      i += bestLen - 1;
      continue;
    }
    s += (words[i] as number).toString(16);
    if (i !== 7) s += ':';
  }
  return s;
}

const scratch = Buffer.alloc(16);

/** "a.b.c.d/len" or "x::/len" of NLRI prefix octets, with the bits past `bits` masked. */
export function prefixText(afi: number, bits: number, b: Buffer, o: number): string {
  const n = (bits + 7) >> 3;
  if (afi === 1 && n <= 4) {
    let a = 0;
    for (let i = 0; i < n; i++) a |= (b[o + i] as number) << (24 - 8 * i);
    if (bits < 32) a &= bits === 0 ? 0 : ~(0xffffffff >>> bits);
    return `${ipv4Text(a >>> 0)}/${bits}`;
  }
  const size = afi === 1 ? 4 : 16;
  scratch.fill(0);
  const take = Math.min(n, size, b.length - o);
  if (take > 0) b.copy(scratch, 0, o, o + take);
  if (bits < size * 8) {
    const full = bits >> 3;
    if (full < size) {
      scratch[full] = (scratch[full] as number) & (0xff << (8 - (bits & 7)));
      scratch.fill(0, full + 1, size);
    }
  }
  return `${afi === 1 ? ipv4At(scratch, 0) : ipv6At(scratch, 0)}/${bits}`;
}

/** ORIGIN column: bgpdump prints INCOMPLETE for 2, for any other value and when absent. */
export function originText(origin: number): string {
  return origin === 0 ? 'IGP' : origin === 1 ? 'EGP' : 'INCOMPLETE';
}

/** Text bgpdump gives a malformed AS path. */
export const AS_PATH_ERROR_TEXT = '! Error !';
/** bgpdump builds the AS path text in an 8000-octet buffer and cuts it short with "...". */
const AS_PATH_TEXT_LIMIT = 7900;

function isSet(type: number): boolean {
  return type === AS_PATH_SEGMENT.AS_SET || type === AS_PATH_SEGMENT.AS_CONFED_SET;
}

const OPEN_CHAR: Readonly<Record<number, number>> = { [AS_PATH_SEGMENT.AS_SET]: 0x7b, [AS_PATH_SEGMENT.AS_CONFED_SET]: 0x5b, [AS_PATH_SEGMENT.AS_CONFED_SEQUENCE]: 0x28 };
const CLOSE_CHAR: Readonly<Record<number, number>> = { [AS_PATH_SEGMENT.AS_SET]: 0x7d, [AS_PATH_SEGMENT.AS_CONFED_SET]: 0x5d, [AS_PATH_SEGMENT.AS_CONFED_SEQUENCE]: 0x29 };
const SPACE = 0x20;
const COMMA = 0x2c;
const COLON = 0x3a;

/** Number of decimal digits of an unsigned 32-bit number. */
function digits(v: number): number {
  let n = 1;
  for (let t = 10; v >= t && n < 10; t *= 10) n++;
  return n;
}

/**
 * AS path column: sequences space-separated, AS_SET "{a,b}", AS_CONFED_SEQUENCE "(a b)",
 * AS_CONFED_SET "[a,b]", segments separated by one space. bgpdump: an empty segment adds no
 * separator before the next one, and past 7900 characters the text ends in "..." with no
 * closing bracket.
 */
export function writeAsPath(w: ByteWriter, path: AsPath): void {
  let len = 0;
  let space = false;
  let prev: number = AS_PATH_SEGMENT.AS_SEQUENCE;
  for (const seg of path) {
    const close = CLOSE_CHAR[prev];
    if (close !== undefined) {
      w.byte(close);
      len++;
    }
    if (space) {
      w.byte(SPACE);
      len++;
    }
    const open = OPEN_CHAR[seg.type];
    if (open !== undefined) {
      w.byte(open);
      len++;
    }
    space = false;
    const sep = isSet(seg.type) ? COMMA : SPACE;
    for (const asn of seg.asns) {
      if (space) {
        w.byte(sep);
        len++;
      } else space = true;
      w.dec32(asn);
      len += digits(asn);
      if (len > AS_PATH_TEXT_LIMIT) {
        w.ascii('...');
        return;
      }
    }
    prev = seg.type;
  }
  const close = CLOSE_CHAR[prev];
  if (close !== undefined) w.byte(close);
}

/** The AS path column as a string (see writeAsPath). */
export function asPathText(path: AsPath): string {
  const w = new LineScratch();
  writeAsPath(w, path);
  return w.toString();
}

/**
 * Reads AS path segments as bgpdump does, for a value our codec rejected: zero-length
 * segments are fine, an unknown segment type or a segment overrunning the value is an error
 * (null, printed as AS_PATH_ERROR_TEXT).
 */
export function lenientAsPath(v: Buffer, width: 2 | 4): AsPath | null {
  const segs: AsPathSegment[] = [];
  let p = 0;
  while (p < v.length) {
    const type = v[p] as number;
    const count = v[p + 1] ?? 0;
    if (type < AS_PATH_SEGMENT.AS_SET || type > AS_PATH_SEGMENT.AS_CONFED_SET) return null;
    if (p + 2 + count * width > v.length) return null;
    p += 2;
    const asns: number[] = [];
    for (let i = 0; i < count; i++, p += width) asns.push(width === 4 ? v.readUInt32BE(p) : v.readUInt16BE(p));
    segs.push({ type, asns });
  }
  return segs;
}

/** bgpdump's path length: AS_SEQUENCE and AS_CONFED_SEQUENCE count their ASes, sets count 1. */
function pathCount(path: AsPath): number {
  let n = 0;
  for (const seg of path) n += isSet(seg.type) ? 1 : seg.asns.length;
  return n;
}

export interface MergedAs4 {
  readonly asPath: AsPath | null;
  readonly aggregator: Aggregator | null;
}

/**
 * AS4_PATH / AS4_AGGREGATOR handling for records with 2-octet AS numbers, as bgpdump 1.6.2
 * does it, which is not RFC 6793 §4.2.3:
 * 1. With both AGGREGATOR and AS4_AGGREGATOR: if AGGREGATOR's AS is not AS_TRANS, nothing else
 *    is merged (not even AS4_PATH); otherwise AS4_AGGREGATOR replaces AGGREGATOR.
 * 2. AS4_PATH is used only when AS_PATH is at least as long (counting as pathCount does).
 * 3. The merged path is AS_PATH's *first* segment repeated (bgpdump never advances to the
 *    next one) until (AS_PATH length - AS4_PATH length) ASes are taken, the last copy cut to
 *    fit, followed by AS4_PATH's segments. An empty first segment leaves no AS path.
 */
export function bgpdumpAs4Merge(
  asPath: AsPath | null,
  as4Path: AsPath | null,
  aggregator: Aggregator | null,
  as4Aggregator: Aggregator | null,
): MergedAs4 {
  let agg = aggregator;
  if (aggregator !== null && as4Aggregator !== null) {
    if (aggregator.asn !== AS_TRANS) return { asPath, aggregator };
    agg = as4Aggregator;
  }
  if (as4Path === null || asPath === null) return { asPath, aggregator: agg };
  const total = pathCount(asPath);
  const tail = pathCount(as4Path);
  if (total < tail) return { asPath, aggregator: agg };
  const want = total - tail;
  const first = asPath[0];
  const merged: AsPathSegment[] = [];
  let have = 0;
  while (have < want && first !== undefined) {
    if (isSet(first.type)) {
      merged.push(first);
      have += 1;
    } else {
      // bgpdump repeats an empty first segment until its allocation fails ("asn32_merge_paths:
      // out of memory") and is left with no AS path at all.
      if (first.asns.length === 0) return { asPath: null, aggregator: agg };
      have += first.asns.length;
      const over = have - want;
      merged.push(over > 0 ? { type: first.type, asns: first.asns.slice(0, first.asns.length - over) } : first);
    }
  }
  for (const seg of as4Path) merged.push(seg);
  return { asPath: merged, aggregator: agg };
}

/** bgpdump builds the community text in a BUFSIZ (8192) buffer and silently stops when full. */
const COMMUNITY_BUF = 8192;

/**
 * Communities column: "as:value" separated by spaces, with bgpdump's names for the
 * RFC 1997 well-known values no-export and no-advertise, and "local-AS" for
 * NO_EXPORT_SUBCONFED (0xFFFFFF03). Others, including RFC 8326 GRACEFUL_SHUTDOWN, are numeric.
 * bgpdump: the text (with a leading space per community) lives in an 8 KiB buffer; a name
 * that does not fit is dropped, a number that does not fit is cut.
 */
export function writeCommunities(w: ByteWriter, values: readonly number[]): void {
  let len = 0; // bytes in bgpdump's buffer, leading space included
  for (const c of values) {
    const name = c === WELL_KNOWN_COMMUNITY.NO_EXPORT ? 'no-export' : c === WELL_KNOWN_COMMUNITY.NO_ADVERTISE ? 'no-advertise' : c === WELL_KNOWN_COMMUNITY.NO_EXPORT_SUBCONFED ? 'local-AS' : null;
    const hi = c >>> 16;
    const lo = c & 0xffff;
    const pieceLen = 1 + (name === null ? digits(hi) + 1 + digits(lo) : name.length);
    if (len + pieceLen >= COMMUNITY_BUF) {
      if (name === null) {
        const keep = COMMUNITY_BUF - 1 - len;
        const piece = ` ${hi}:${lo}`.slice(0, keep);
        w.ascii(len === 0 ? piece.slice(1) : piece);
        len += keep;
      }
      continue;
    }
    if (len > 0) w.byte(SPACE);
    if (name === null) {
      w.dec32(hi);
      w.byte(COLON);
      w.dec32(lo);
    } else w.ascii(name);
    len += pieceLen;
  }
}

/** The communities column as a string (see writeCommunities). */
export function communitiesText(values: readonly number[]): string {
  const w = new LineScratch();
  writeCommunities(w, values);
  return w.toString();
}
