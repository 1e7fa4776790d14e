/**
 * MP_REACH_NLRI and MP_UNREACH_NLRI values (RFC 4760 §3, §4), including the abbreviated
 * MP_REACH_NLRI of MRT TABLE_DUMP_V2 RIB entries (RFC 6396 §4.3.4: only the next hop length
 * and next hop). Every syntax error here is a session reset: the NLRI inside cannot be
 * located reliably, so treat-as-withdraw is impossible (RFC 7606 §5.3, §7.11). RFC 7606
 * allows "AFI/SAFI disable" instead; like FRR we reset the session.
 */
import { AFI, SAFI, UPDATE_SUB } from '../iana.js';
import type { MpReach, MpUnreach } from '../attribute-types.js';
import type { CodecCtx } from '../context.js';
import { hasAddPath } from '../context.js';
import { validNlri } from '../nlri.js';
import { fault, type AttrFault } from './fault.js';

const EMPTY = Buffer.alloc(0);

/**
 * Allowed next hop lengths per family, where we know them (RFC 4760, RFC 2545, RFC 8950,
 * RFC 4364, RFC 4659, RFC 7432). Unknown families accept any length.
 */
function nextHopLengthOk(afi: number, safi: number, len: number): boolean {
  if (afi === AFI.IPV4 && (safi === SAFI.UNICAST || safi === SAFI.MULTICAST || safi === SAFI.MPLS_LABEL)) {
    return len === 4 || len === 16 || len === 32; // 16/32: RFC 8950 IPv6 next hop
  }
  if (afi === AFI.IPV6 && (safi === SAFI.UNICAST || safi === SAFI.MULTICAST || safi === SAFI.MPLS_LABEL)) {
    return len === 16 || len === 32; // 32: global + link-local (RFC 2545 §3)
  }
  if ((afi === AFI.IPV4 || afi === AFI.IPV6) && safi === SAFI.MPLS_VPN) return len === 12 || len === 24 || len === 48;
  return true;
}

export function decodeMpReach(v: Buffer, ctx: CodecCtx, mrtRib: boolean): MpReach | AttrFault {
  if (mrtRib) return decodeMrtMpReach(v);
  if (v.length < 5) return fault('mpReachSyntax', UPDATE_SUB.OPTIONAL_ATTRIBUTE_ERROR, `MP_REACH_NLRI of ${v.length} octets`, 'sessionReset');
  const afi = v.readUInt16BE(0);
  const safi = v[2] as number;
  const nhLen = v[3] as number;
  if (4 + nhLen + 1 > v.length) {
    return fault('mpReachSyntax', UPDATE_SUB.OPTIONAL_ATTRIBUTE_ERROR, `next hop length ${nhLen} overruns attribute`, 'sessionReset');
  }
  if (!nextHopLengthOk(afi, safi, nhLen)) {
    return fault('mpReachSyntax', UPDATE_SUB.OPTIONAL_ATTRIBUTE_ERROR, `next hop length ${nhLen} invalid for AFI ${afi} SAFI ${safi}`, 'sessionReset');
  }
  const nextHop = v.subarray(4, 4 + nhLen);
  // RFC 4760 §3: one Reserved octet, ignored on receipt (it was the SNPA count of RFC 2858;
  // like FRR we do not parse SNPAs). Kept as received for byte-exact re-encoding.
  const p = 5 + nhLen;
  const reserved = v.subarray(4 + nhLen, p);
  const addPath = hasAddPath(ctx, afi, safi);
  const bytes = v.subarray(p);
  if (!validNlri(afi, safi, addPath, bytes)) {
    return fault('mpNlriSyntax', UPDATE_SUB.OPTIONAL_ATTRIBUTE_ERROR, `MP_REACH_NLRI NLRI malformed (AFI ${afi} SAFI ${safi})`, 'sessionReset');
  }
  return { afi, safi, nextHop, reserved, nlri: { afi, safi, addPath, bytes } };
}

/** RFC 6396 §4.3.4: the RIB entry's MP_REACH_NLRI holds only next hop length + next hop; AFI/SAFI come from the record. */
function decodeMrtMpReach(v: Buffer): MpReach | AttrFault {
  if (v.length < 1 || 1 + (v[0] as number) > v.length) {
    return fault('mpReachSyntax', UPDATE_SUB.OPTIONAL_ATTRIBUTE_ERROR, 'abbreviated MP_REACH_NLRI truncated', 'sessionReset');
  }
  const nhLen = v[0] as number;
  return {
    afi: 0,
    safi: 0,
    nextHop: v.subarray(1, 1 + nhLen),
    reserved: EMPTY,
    nlri: { afi: 0, safi: 0, addPath: false, bytes: v.subarray(1 + nhLen) },
  };
}

export function mpReachLength(m: MpReach, mrtRib: boolean): number {
  if (mrtRib) return 1 + m.nextHop.length + m.nlri.bytes.length;
  return 4 + m.nextHop.length + Math.max(1, m.reserved.length) + m.nlri.bytes.length;
}

export function encodeMpReachInto(m: MpReach, buf: Buffer, offset: number, mrtRib: boolean): number {
  let p = offset;
  if (!mrtRib) {
    buf.writeUInt16BE(m.afi, p);
    buf[p + 2] = m.safi;
    p += 3;
  }
  buf[p++] = m.nextHop.length;
  p += m.nextHop.copy(buf, p);
  if (!mrtRib) {
    if (m.reserved.length === 0) buf[p++] = 0;
    else p += m.reserved.copy(buf, p);
  }
  p += m.nlri.bytes.copy(buf, p);
  return p;
}

export function decodeMpUnreach(v: Buffer, ctx: CodecCtx): MpUnreach | AttrFault {
  if (v.length < 3) return fault('mpUnreachSyntax', UPDATE_SUB.OPTIONAL_ATTRIBUTE_ERROR, `MP_UNREACH_NLRI of ${v.length} octets`, 'sessionReset');
  const afi = v.readUInt16BE(0);
  const safi = v[2] as number;
  const addPath = hasAddPath(ctx, afi, safi);
  const bytes = v.subarray(3);
  if (!validNlri(afi, safi, addPath, bytes)) {
    return fault('mpNlriSyntax', UPDATE_SUB.OPTIONAL_ATTRIBUTE_ERROR, `MP_UNREACH_NLRI NLRI malformed (AFI ${afi} SAFI ${safi})`, 'sessionReset');
  }
  return { afi, safi, withdrawn: { afi, safi, addPath, bytes } };
}

export function mpUnreachLength(m: MpUnreach): number {
  return 3 + m.withdrawn.bytes.length;
}

export function encodeMpUnreachInto(m: MpUnreach, buf: Buffer, offset: number): number {
  buf.writeUInt16BE(m.afi, offset);
  buf[offset + 2] = m.safi;
  return offset + 3 + m.withdrawn.bytes.copy(buf, offset + 3);
}
