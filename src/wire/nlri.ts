/**
 * NLRI in wire form (RFC 4271 §4.3, RFC 4760 §5, RFC 7911 §3): validation, iteration without
 * per-prefix objects, and text forms for logs and tools.
 *
 * Trailing bits: RFC 4271 §4.3 says the bits past the prefix length are irrelevant. The codec
 * keeps NLRI bytes exactly as received (so re-encoding is byte-exact); every consumer that
 * keys or prints a prefix masks them (prefixToString, and the RIB's prefix keys). bgpdump
 * 1.6.2 prints the unmasked bytes; newer bgpdump masks, as we do.
 */
import { AFI, SAFI } from './iana.js';
import type { NlriBlock } from './attribute-types.js';
import { splitNlri } from './nlri-split.js';

const EMPTY = Buffer.alloc(0);

/** Maximum prefix length for a unicast/multicast family, or -1 when we do not parse it. */
export function maxPrefixBits(afi: number, safi: number): number {
  if (safi !== SAFI.UNICAST && safi !== SAFI.MULTICAST) return -1;
  if (afi === AFI.IPV4) return 32;
  if (afi === AFI.IPV6) return 128;
  return -1;
}

/** True when we can locate each prefix of this family (IPv4/IPv6 unicast and multicast). */
export function isParsedFamily(afi: number, safi: number): boolean {
  return maxPrefixBits(afi, safi) >= 0;
}

/**
 * Checks that `bytes` is a well-formed sequence of prefixes for the family: every length
 * within range, no overrun (RFC 7606 §5.3). For other families each route must be locatable
 * (nlri-split.ts); families we cannot split at all are accepted as one opaque route.
 */
export function validNlri(afi: number, safi: number, addPath: boolean, bytes: Buffer): boolean {
  const max = maxPrefixBits(afi, safi);
  // Other families: every route must be locatable (labelled, VPN, EVPN, flowspec framing).
  if (max < 0) return splitNlri(afi, safi, addPath, bytes, () => undefined);
  const end = bytes.length;
  let p = 0;
  while (p < end) {
    if (addPath) {
      p += 4;
      if (p >= end) return false;
    }
    const bits = bytes[p] as number;
    if (bits > max) return false;
    p += 1 + ((bits + 7) >> 3);
    if (p > end) return false;
  }
  return true;
}

/** Builds a block over `bytes` (no copy). */
export function nlriBlock(afi: number, safi: number, addPath: boolean, bytes: Buffer): NlriBlock {
  return { afi, safi, addPath, bytes };
}

/** An empty IPv4 unicast block. */
export const EMPTY_IPV4_BLOCK: NlriBlock = { afi: AFI.IPV4, safi: SAFI.UNICAST, addPath: false, bytes: EMPTY };

/**
 * Calls `cb` once per prefix: path id (0 without add-path), prefix length in bits, and the
 * buffer + offset of its ceil(bits/8) octets. The block must be valid (decoders check).
 */
export function forEachPrefix(
  block: NlriBlock,
  cb: (pathId: number, bits: number, bytes: Buffer, offset: number) => void,
): void {
  const b = block.bytes;
  const end = b.length;
  let p = 0;
  if (block.addPath) {
    while (p + 5 <= end) {
      const pathId = b.readUInt32BE(p);
      const bits = b[p + 4] as number;
      cb(pathId, bits, b, p + 5);
      p += 5 + ((bits + 7) >> 3);
    }
  } else {
    while (p < end) {
      const bits = b[p] as number;
      cb(0, bits, b, p + 1);
      p += 1 + ((bits + 7) >> 3);
    }
  }
}

/** Number of prefixes in a valid block. */
export function countPrefixes(block: NlriBlock): number {
  const b = block.bytes;
  const step = block.addPath ? 5 : 1;
  const lenAt = block.addPath ? 4 : 0;
  let n = 0;
  for (let p = 0; p < b.length; n++) p += step + (((b[p + lenAt] as number) + 7) >> 3);
  return n;
}

/** Text of an IPv4 or IPv6 prefix, trailing bits masked ("10.0.0.0/8", "2001:db8::/32"). */
export function prefixToString(afi: number, bits: number, bytes: Buffer, offset: number): string {
  const n = (bits + 7) >> 3;
  if (afi === AFI.IPV4) {
    const o = [0, 0, 0, 0];
    for (let i = 0; i < n && i < 4; i++) o[i] = bytes[offset + i] as number;
    maskOctets(o, bits);
    return `${o[0]}.${o[1]}.${o[2]}.${o[3]}/${bits}`;
  }
  const o = new Array<number>(16).fill(0);
  for (let i = 0; i < n && i < 16; i++) o[i] = bytes[offset + i] as number;
  maskOctets(o, bits);
  return `${ipv6ToString(o)}/${bits}`;
}

function maskOctets(o: number[], bits: number): void {
  for (let i = 0; i < o.length; i++) {
    const keep = bits - i * 8;
    if (keep <= 0) o[i] = 0;
    else if (keep < 8) o[i] = (o[i] as number) & (0xff << (8 - keep)) & 0xff;
  }
}

/** RFC 5952 text of 16 octets. */
export function ipv6ToString(o: ArrayLike<number>): string {
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push(((o[i] as number) << 8) | (o[i + 1] as number));
  // longest run of zero words (length >= 2), first one wins
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (w: number): string => w.toString(16);
  if (bestStart < 0) return words.map(hex).join(':');
  const head = words.slice(0, bestStart).map(hex).join(':');
  const tail = words.slice(bestStart + bestLen).map(hex).join(':');
  return `${head}::${tail}`;
}

/** Dotted-quad text of an unsigned 32-bit IPv4 address. */
export function ipv4ToString(a: number): string {
  return `${a >>> 24}.${(a >>> 16) & 0xff}.${(a >>> 8) & 0xff}.${a & 0xff}`;
}

/** Parses "a.b.c.d" to an unsigned 32-bit number, or -1. For config and tests, not the wire path. */
export function parseIpv4(text: string): number {
  const parts = text.split('.');
  if (parts.length !== 4) return -1;
  let v = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return -1;
    const n = Number(part);
    if (n > 255) return -1;
    v = v * 256 + n;
  }
  return v;
}

/** A prefix given as text, for building NLRI in tests and tools. */
export interface PrefixInput {
  readonly prefix: string;
  readonly pathId?: number;
}

/** Parses "a.b.c.d/n" or an IPv6 "x::/n" into family, length and octets; null when invalid. */
export function parsePrefix(text: string): { afi: number; bits: number; octets: Buffer } | null {
  const slash = text.lastIndexOf('/');
  if (slash < 0) return null;
  const addr = text.slice(0, slash);
  const bitsText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bitsText)) return null;
  const bits = Number(bitsText);
  if (addr.includes(':')) {
    if (bits > 128) return null;
    const full = parseIpv6(addr);
    if (full === null) return null;
    return { afi: AFI.IPV6, bits, octets: full.subarray(0, (bits + 7) >> 3) };
  }
  if (bits > 32) return null;
  const v4 = parseIpv4(addr);
  if (v4 < 0) return null;
  const full = Buffer.alloc(4);
  full.writeUInt32BE(v4, 0);
  return { afi: AFI.IPV4, bits, octets: full.subarray(0, (bits + 7) >> 3) };
}

/** Parses IPv6 text (with optional embedded IPv4 tail) to 16 octets, or null. */
export function parseIpv6(text: string): Buffer | null {
  const out = Buffer.alloc(16);
  let head = text;
  let v4tail: number | null = null;
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    v4tail = parseIpv4(text.slice(lastColon + 1));
    if (v4tail < 0) return null;
    head = text.slice(0, lastColon + 1) + '0:0';
  }
  const dbl = head.split('::');
  if (dbl.length > 2) return null;
  const parseWords = (s: string): number[] | null => {
    if (s === '') return [];
    const ws = s.split(':');
    const r: number[] = [];
    for (const w of ws) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(w)) return null;
      r.push(parseInt(w, 16));
    }
    return r;
  };
  const left = parseWords(dbl[0] ?? '');
  const right = dbl.length === 2 ? parseWords(dbl[1] ?? '') : [];
  if (left === null || right === null) return null;
  if (dbl.length === 1 && left.length !== 8) return null;
  if (dbl.length === 2 && left.length + right.length > 7) return null;
  const words = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  words.forEach((w, i) => out.writeUInt16BE(w, i * 2));
  if (v4tail !== null) out.writeUInt32BE(v4tail >>> 0, 12);
  return out;
}

/** Encodes prefixes (IPv4 or IPv6 text) into NLRI wire bytes, with path ids when addPath. */
export function encodePrefixes(prefixes: readonly PrefixInput[], addPath: boolean): Buffer {
  const parts: Buffer[] = [];
  for (const p of prefixes) {
    const parsed = parsePrefix(p.prefix);
    if (parsed === null) throw new RangeError(`not a prefix: ${p.prefix}`);
    const head = Buffer.alloc(addPath ? 5 : 1);
    if (addPath) head.writeUInt32BE(p.pathId ?? 0, 0);
    head[head.length - 1] = parsed.bits;
    parts.push(head, parsed.octets);
  }
  return Buffer.concat(parts);
}

/** Lists the prefixes of a valid block as text (tests and tools; allocates per prefix). */
export function listPrefixes(block: NlriBlock): { pathId: number; prefix: string }[] {
  const out: { pathId: number; prefix: string }[] = [];
  forEachPrefix(block, (pathId, bits, bytes, offset) => {
    out.push({ pathId, prefix: prefixToString(block.afi, bits, bytes, offset) });
  });
  return out;
}
