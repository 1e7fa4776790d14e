/**
 * Builds UPDATE messages for an update group: prefixes that share exported attributes are
 * packed into as few messages as fit the negotiated size (4096, or 65535 with RFC 8654),
 * and withdrawals likewise. IPv4 unicast uses the classic fields; other families use
 * MP_REACH_NLRI (first attribute, RFC 7606 §5.1) and MP_UNREACH_NLRI (RFC 4760).
 * End-of-RIB markers per RFC 4724 §2.
 */
import { AFI, ATTR, FLAG, HEADER_LENGTH, MSG, SAFI } from '../wire/iana.js';
import { nlriFormat } from '../wire/nlri-split.js';

/** Where route encodings come from (PrefixTable, or the opaque families' RIB). */
export interface PrefixSource {
  nlriLength(id: number): number;
  writeNlri(id: number, buf: Buffer, off: number): number;
}

const MARKER = Buffer.alloc(16, 0xff);
/** One scratch message, reused: packing is synchronous. */
const SCRATCH = Buffer.allocUnsafe(65535);

function header(buf: Buffer, len: number): void {
  MARKER.copy(buf, 0);
  buf.writeUInt16BE(len, 16);
  buf[18] = MSG.UPDATE;
}

function isClassicV4(afi: number, safi: number): boolean {
  return afi === AFI.IPV4 && safi === SAFI.UNICAST;
}

/**
 * Announcements: one or more UPDATEs carrying `attrs` (encoded exported attributes without
 * MP_*) and the prefixes `ids`. For non-IPv4-unicast families `nextHop` goes in MP_REACH_NLRI.
 * `pathIds` (add-path) gives a path identifier per prefix, or null.
 */
export function packAnnounce(
  afi: number,
  safi: number,
  attrs: Buffer,
  nextHop: Buffer,
  ids: ArrayLike<number>,
  count: number,
  src: PrefixSource,
  maxLen: number,
  pathIds: ArrayLike<number> | null,
  out: Buffer[],
): void {
  // An IPv4 route with an IPv6 next hop (RFC 8950) cannot go as classic NLRI, which has no
  // room for it (no NEXT_HOP attribute could carry it): it goes in MP_REACH_NLRI.
  const classic = isClassicV4(afi, safi) && nextHop.length === 4;
  const scratch = SCRATCH;
  // Fixed part: header, withdrawn length (0), attribute length, [MP_REACH header], attrs.
  const mpHead = classic ? 0 : 4 + 3 + 1 + nextHop.length + 1; // flags, code, 2-octet length, afi, safi, nhlen, nh, reserved
  const fixed = HEADER_LENGTH + 4 + mpHead + attrs.length;
  if (fixed + 21 > maxLen) throw new Error(`exported attributes of ${attrs.length} octets do not fit a ${maxLen}-octet UPDATE`);
  let i = 0;
  while (i < count) {
    let p = fixed;
    const start = i;
    while (i < count) {
      const id = ids[i] as number;
      const need = (pathIds !== null ? 4 : 0) + src.nlriLength(id);
      if (p + need > maxLen) break;
      if (pathIds !== null) {
        scratch.writeUInt32BE((pathIds[i] as number) >>> 0, p);
        p += 4;
      }
      p = src.writeNlri(id, scratch, p);
      i++;
    }
    if (i === start) throw new Error('a prefix does not fit an empty UPDATE');
    const nlriLen = p - fixed;
    header(scratch, p);
    scratch.writeUInt16BE(0, HEADER_LENGTH);
    let q = HEADER_LENGTH + 4;
    if (classic) {
      scratch.writeUInt16BE(attrs.length, HEADER_LENGTH + 2);
      attrs.copy(scratch, q);
    } else {
      const mpLen = 3 + 1 + nextHop.length + 1 + nlriLen;
      scratch.writeUInt16BE(attrs.length + 4 + mpLen, HEADER_LENGTH + 2);
      // NLRI was written after attrs; move it to its place inside MP_REACH_NLRI.
      const nlri = Buffer.from(scratch.subarray(fixed, p));
      scratch[q] = FLAG.OPTIONAL | FLAG.EXTENDED_LENGTH;
      scratch[q + 1] = ATTR.MP_REACH_NLRI;
      scratch.writeUInt16BE(mpLen, q + 2);
      scratch.writeUInt16BE(afi, q + 4);
      scratch[q + 6] = safi;
      scratch[q + 7] = nextHop.length;
      nextHop.copy(scratch, q + 8);
      q += 8 + nextHop.length;
      scratch[q++] = 0;
      nlri.copy(scratch, q);
      q += nlri.length;
      attrs.copy(scratch, q);
      header(scratch, q + attrs.length);
      out.push(Buffer.from(scratch.subarray(0, q + attrs.length)));
      continue;
    }
    out.push(Buffer.from(scratch.subarray(0, p)));
  }
}

/**
 * Withdrawals from raw NLRI octets (already encoded prefixes, with path ids when add-path),
 * split on prefix boundaries into as few UPDATEs as fit.
 */
export function packWithdraw(afi: number, safi: number, nlri: Buffer, addPath: boolean, maxLen: number, out: Buffer[]): void {
  const classic = isClassicV4(afi, safi);
  const fixed = HEADER_LENGTH + 4 + (classic ? 0 : 4 + 3);
  let p = 0;
  while (p < nlri.length) {
    let q = p;
    while (q < nlri.length) {
      const len = routeLength(afi, safi, nlri, q, addPath);
      if (fixed + (q - p) + len > maxLen) break;
      q += len;
    }
    const chunk = nlri.subarray(p, q);
    const msg = Buffer.allocUnsafe(fixed + chunk.length);
    header(msg, msg.length);
    if (classic) {
      msg.writeUInt16BE(chunk.length, HEADER_LENGTH);
      chunk.copy(msg, HEADER_LENGTH + 2);
      msg.writeUInt16BE(0, HEADER_LENGTH + 2 + chunk.length);
    } else {
      msg.writeUInt16BE(0, HEADER_LENGTH);
      msg.writeUInt16BE(4 + 3 + chunk.length, HEADER_LENGTH + 2);
      let o = HEADER_LENGTH + 4;
      msg[o] = FLAG.OPTIONAL | FLAG.EXTENDED_LENGTH;
      msg[o + 1] = ATTR.MP_UNREACH_NLRI;
      msg.writeUInt16BE(3 + chunk.length, o + 2);
      msg.writeUInt16BE(afi, o + 4);
      msg[o + 6] = safi;
      o += 7;
      chunk.copy(msg, o);
    }
    out.push(msg);
    p = q;
  }
}

/** Octets of the route (with its path id) starting at nlri[q], by the family's framing (nlri-split.ts). */
function routeLength(afi: number, safi: number, nlri: Buffer, q: number, addPath: boolean): number {
  const h = addPath ? 4 : 0;
  const fmt = nlriFormat(afi, safi);
  const b0 = nlri[q + h] as number;
  if (fmt === 'bits') return h + 1 + ((b0 + 7) >> 3);
  if (fmt === 'typeLength') return h + 2 + (nlri[q + h + 1] as number);
  if (fmt === 'flowspec') return h + (b0 >= 0xf0 ? 2 + (((b0 & 0x0f) << 8) | (nlri[q + h + 1] as number)) : 1 + b0);
  return nlri.length - q;
}

/** End-of-RIB for a family (RFC 4724 §2): an empty UPDATE for IPv4 unicast, else an empty MP_UNREACH_NLRI. */
export function endOfRib(afi: number, safi: number): Buffer {
  if (isClassicV4(afi, safi)) {
    const b = Buffer.allocUnsafe(HEADER_LENGTH + 4);
    header(b, b.length);
    b.writeUInt32BE(0, HEADER_LENGTH);
    return b;
  }
  const b = Buffer.allocUnsafe(HEADER_LENGTH + 4 + 6);
  header(b, b.length);
  b.writeUInt16BE(0, HEADER_LENGTH);
  b.writeUInt16BE(6, HEADER_LENGTH + 2);
  b[HEADER_LENGTH + 4] = FLAG.OPTIONAL;
  b[HEADER_LENGTH + 5] = ATTR.MP_UNREACH_NLRI;
  b[HEADER_LENGTH + 6] = 3;
  b.writeUInt16BE(afi, HEADER_LENGTH + 7);
  b[HEADER_LENGTH + 9] = safi;
  return b;
}
