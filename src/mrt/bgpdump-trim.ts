/**
 * bgpdump's leniency towards cut prefixes: where the meshrr codec rejects an UPDATE whose
 * Withdrawn Routes or NLRI field ends in a prefix that overruns it (RFC 7606 §5.3, session
 * reset), bgpdump still prints the whole prefixes before it. See choice 2 in
 * bgpdump-format.ts.
 *
 * Owns: UPDATE body -> trimmed body. Must not: decode attributes or do I/O.
 */

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
export function trimPrefixFields(body: Buffer, addPath: boolean): Buffer | null {
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
