/**
 * Splitting the NLRI field of any address family into its routes, without interpreting them
 * more than needed to find their ends (RFC 4760 §5 leaves the format to each family):
 * - unicast, multicast, labelled unicast (RFC 8277), VPN (RFC 4364, 4659), MCAST-VPN: a
 *   length in bits, then that many bits;
 * - EVPN (RFC 7432 §7) and MCAST-VPN (RFC 6514 §4): route type, one-octet length, value;
 * - flow specification (RFC 8955 §4.1): one-octet length below 240, else 0xfnnn;
 * - anything else: the whole field is one opaque route (it cannot be split).
 * With add-path every route starts with a 4-octet path identifier (RFC 7911 §3).
 * Also the route key of families whose NLRI carries data that is not part of the route's
 * identity (labels; the ESI of an EVPN MAC/IP route), so withdrawals match announcements.
 */
import { AFI, SAFI } from './iana.js';

export type NlriFormat = 'bits' | 'typeLength' | 'flowspec' | 'whole';

export function nlriFormat(afi: number, safi: number): NlriFormat {
  if (afi === AFI.L2VPN && safi === SAFI.EVPN) return 'typeLength';
  if (safi === SAFI.MCAST_VPN) return 'typeLength';
  if (safi === SAFI.FLOWSPEC || safi === SAFI.FLOWSPEC_VPN) return 'flowspec';
  if ((afi === AFI.IPV4 || afi === AFI.IPV6) && (safi === SAFI.UNICAST || safi === SAFI.MULTICAST || safi === SAFI.MPLS_LABEL || safi === SAFI.MPLS_VPN || safi === SAFI.MCAST_MPLS_VPN)) {
    return 'bits';
  }
  return 'whole';
}

/**
 * Calls `cb(pathId, start, end)` for each route of the field (start after the path id).
 * Returns false, having called `cb` for the routes before it, when a route overruns the field.
 */
export function splitNlri(afi: number, safi: number, addPath: boolean, bytes: Buffer, cb: (pathId: number, start: number, end: number) => void): boolean {
  const fmt = nlriFormat(afi, safi);
  const end = bytes.length;
  if (fmt === 'whole') {
    if (end > 0) cb(0, 0, end);
    return true;
  }
  // Labelled routes hold at least one label (24 bits), VPN routes a label and an RD (88 bits).
  const minBits = fmt === 'bits' ? (safi === SAFI.MPLS_VPN ? 88 : safi === SAFI.MPLS_LABEL ? 24 : 0) : 0;
  let p = 0;
  while (p < end) {
    let pathId = 0;
    if (addPath) {
      if (p + 4 > end) return false;
      pathId = bytes.readUInt32BE(p);
      p += 4;
    }
    if (p >= end) return false;
    let len: number;
    if (fmt === 'bits') {
      if ((bytes[p] as number) < minBits) return false;
      len = 1 + (((bytes[p] as number) + 7) >> 3);
    }
    else if (fmt === 'typeLength') {
      if (p + 2 > end) return false;
      len = 2 + (bytes[p + 1] as number);
    } else {
      const b0 = bytes[p] as number;
      if (b0 >= 0xf0) {
        if (p + 2 > end) return false;
        len = 2 + (((b0 & 0x0f) << 8) | (bytes[p + 1] as number));
      } else len = 1 + b0;
    }
    if (p + len > end) return false;
    cb(pathId, p, p + len);
    p += len;
  }
  return true;
}

/** Labels end at the bottom-of-stack bit, or at a withdrawal's 0x800000 / 0x000000 (RFC 8277 §2.4). */
function labelStackLength(b: Buffer, start: number, end: number): number {
  let p = start;
  while (p + 3 <= end) {
    const v = (((b[p] as number) << 16) | ((b[p + 1] as number) << 8) | (b[p + 2] as number)) >>> 0;
    p += 3;
    if ((v & 1) === 1 || v === 0x800000 || v === 0) break;
  }
  return p - start;
}

/**
 * The identity of one route (bytes from `start` to `end` of a field split by splitNlri):
 * - labelled unicast and VPN: the prefix length and prefix without the label stack;
 * - EVPN MAC/IP Advertisement (type 2): without the ESI and labels (RFC 7432 §7.2);
 *   Ethernet A-D (type 1): without the label; IP Prefix (type 5, RFC 9136 §3.1): RD,
 *   Ethernet Tag, IP prefix length and prefix;
 * - everything else: the route's bytes.
 */
export function nlriKey(afi: number, safi: number, b: Buffer, start: number, end: number): Buffer {
  if ((safi === SAFI.MPLS_LABEL || safi === SAFI.MPLS_VPN) && nlriFormat(afi, safi) === 'bits') {
    const bits = b[start] as number;
    const labels = labelStackLength(b, start + 1, end);
    const key = Buffer.allocUnsafe(end - start - labels);
    key[0] = Math.max(0, bits - labels * 8);
    b.copy(key, 1, start + 1 + labels, end);
    return key;
  }
  if (afi === AFI.L2VPN && safi === SAFI.EVPN && end - start >= 2) {
    const type = b[start] as number;
    const v = start + 2;
    if (type === 2 && end - v >= 8 + 10 + 4 + 1 + 6 + 1) {
      // RD(8) ESI(10) EthTag(4) MAC len(1) MAC(6) IP len(1) IP(0/4/16) labels
      const ipLen = ((b[v + 8 + 10 + 4 + 1 + 6] as number) + 7) >> 3;
      const parts = [b.subarray(start, start + 1), b.subarray(v, v + 8), b.subarray(v + 18, v + 18 + 4 + 1 + 6 + 1 + ipLen)];
      return Buffer.concat(parts);
    }
    if (type === 1 && end - v >= 8 + 10 + 4) return Buffer.concat([b.subarray(start, start + 1), b.subarray(v, v + 22)]);
    if (type === 5 && end - v >= 8 + 10 + 4 + 1) {
      const pfxBytes = end - v - (8 + 10 + 4 + 1) >= 34 ? 16 : 4; // IPv6 or IPv4 prefix (RFC 9136 §3.1 lengths 58/34)
      return Buffer.concat([b.subarray(start, start + 1), b.subarray(v, v + 8), b.subarray(v + 18, v + 23 + pfxBytes)]);
    }
  }
  return Buffer.from(b.subarray(start, end));
}
