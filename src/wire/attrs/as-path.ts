/**
 * AS_PATH and AS4_PATH values (RFC 4271 §4.3, RFC 5065 §3, RFC 6793 §4), their RFC 7606 §7.2
 * and RFC 6793 §6 checks, the RFC 7607 rule for AS 0, and the RFC 6793 §4.2.3 merge of
 * AS_PATH with AS4_PATH for sessions without the 4-octet AS capability.
 */
import { AS_PATH_SEGMENT, AS_TRANS, UPDATE_SUB } from '../iana.js';
import type { AsPath, AsPathSegment } from '../attribute-types.js';
import { fault, type AttrFault } from './fault.js';

/**
 * Decodes segments of `width` octets per AS. Malformed (RFC 7606 §7.2): a segment type
 * other than 1–4, a zero-length segment, a segment that overruns the attribute; AS 0
 * anywhere (RFC 7607 §2). Confederation segments from an external peer are malformed
 * (RFC 7606 §7.2 citing RFC 5065 §5) — checked by the caller, which knows the session.
 */
export function decodeAsPath(v: Buffer, width: 2 | 4): AsPath | AttrFault {
  const segs: AsPathSegment[] = [];
  const end = v.length;
  let p = 0;
  while (p < end) {
    if (p + 2 > end) return fault('asPathSyntax', UPDATE_SUB.MALFORMED_AS_PATH, 'segment header truncated');
    const type = v[p] as number;
    const count = v[p + 1] as number;
    if (type < AS_PATH_SEGMENT.AS_SET || type > AS_PATH_SEGMENT.AS_CONFED_SET) {
      return fault('asPathSyntax', UPDATE_SUB.MALFORMED_AS_PATH, `unknown segment type ${type}`);
    }
    if (count === 0) return fault('asPathSyntax', UPDATE_SUB.MALFORMED_AS_PATH, 'zero-length segment');
    p += 2;
    const bytes = count * width;
    if (p + bytes > end) return fault('asPathSyntax', UPDATE_SUB.MALFORMED_AS_PATH, 'segment overruns attribute');
    const asns = new Array<number>(count);
    if (width === 4) {
      for (let i = 0; i < count; i++, p += 4) asns[i] = v.readUInt32BE(p);
    } else {
      for (let i = 0; i < count; i++, p += 2) asns[i] = v.readUInt16BE(p);
    }
    segs.push({ type, asns });
  }
  return segs;
}

/** True when a path holds AS 0 (RFC 7607). */
export function hasAsZero(path: AsPath): boolean {
  for (const s of path) for (const a of s.asns) if (a === 0) return true;
  return false;
}

/** True when a path holds AS_CONFED_SEQUENCE or AS_CONFED_SET segments. */
export function hasConfedSegments(path: AsPath): boolean {
  for (const s of path) if (s.type === AS_PATH_SEGMENT.AS_CONFED_SEQUENCE || s.type === AS_PATH_SEGMENT.AS_CONFED_SET) return true;
  return false;
}

/** Encoded value length; segments over 255 ASes are split (RFC 4271 §5.1.2 does the same). */
export function asPathLength(path: AsPath, width: 2 | 4): number {
  let n = 0;
  for (const s of path) {
    const pieces = Math.max(1, Math.ceil(s.asns.length / 255));
    n += pieces * 2 + s.asns.length * width;
  }
  return n;
}

/** Writes the value; with width 2 an AS above 65535 is written as AS_TRANS (RFC 6793 §4.2.2). */
export function encodeAsPathInto(path: AsPath, width: 2 | 4, buf: Buffer, offset: number): number {
  let p = offset;
  for (const s of path) {
    const n = s.asns.length;
    for (let start = 0; start < n || (n === 0 && start === 0); start += 255) {
      const count = Math.min(255, n - start);
      buf[p] = s.type;
      buf[p + 1] = count;
      p += 2;
      for (let i = start; i < start + count; i++) {
        const a = s.asns[i] as number;
        if (width === 4) {
          buf.writeUInt32BE(a >>> 0, p);
          p += 4;
        } else {
          buf.writeUInt16BE(a > 0xffff ? AS_TRANS : a, p);
          p += 2;
        }
      }
      if (n === 0) break;
    }
  }
  return p;
}

/** Number of ASes as the decision process counts them: a set counts 1, confed segments 0 (RFC 4271 §9.1.2.2, RFC 5065 §5.3). */
export function asPathLengthForDecision(path: AsPath): number {
  let n = 0;
  for (const s of path) {
    if (s.type === AS_PATH_SEGMENT.AS_SEQUENCE) n += s.asns.length;
    else if (s.type === AS_PATH_SEGMENT.AS_SET) n += 1;
  }
  return n;
}

/**
 * RFC 6793 §4.2.3: rebuild the 4-octet path from an AS_PATH received from a 2-octet speaker
 * and its AS4_PATH. If AS4_PATH is longer than AS_PATH (counting as the decision process
 * does, plus confed segments which AS4_PATH must not hold), AS4_PATH is ignored. Otherwise
 * the leading (len(AS_PATH) - len(AS4_PATH)) ASes of AS_PATH are kept and AS4_PATH appended.
 */
export function mergeAs4Path(asPath: AsPath, as4Path: AsPath): AsPath {
  const count = (p: AsPath): number => {
    let n = 0;
    for (const s of p) n += s.type === AS_PATH_SEGMENT.AS_SET || s.type === AS_PATH_SEGMENT.AS_CONFED_SET ? 1 : s.asns.length;
    return n;
  };
  const total = count(asPath);
  const total4 = count(as4Path);
  if (total4 > total) return asPath;
  let keep = total - total4;
  const out: AsPathSegment[] = [];
  for (const s of asPath) {
    if (keep <= 0) break;
    const setLike = s.type === AS_PATH_SEGMENT.AS_SET || s.type === AS_PATH_SEGMENT.AS_CONFED_SET;
    if (setLike) {
      out.push(s);
      keep -= 1;
    } else if (s.asns.length <= keep) {
      out.push(s);
      keep -= s.asns.length;
    } else {
      out.push({ type: s.type, asns: s.asns.slice(0, keep) });
      keep = 0;
    }
  }
  // Join the last kept AS_SEQUENCE with a leading AS4_PATH AS_SEQUENCE, as one segment.
  const last = out[out.length - 1];
  const first4 = as4Path[0];
  if (last !== undefined && first4 !== undefined && last.type === AS_PATH_SEGMENT.AS_SEQUENCE && first4.type === AS_PATH_SEGMENT.AS_SEQUENCE) {
    out[out.length - 1] = { type: last.type, asns: [...last.asns, ...first4.asns] };
    return [...out, ...as4Path.slice(1)];
  }
  return [...out, ...as4Path];
}

/** True when the path holds an AS that needs 4 octets (then AS4_PATH must accompany a 2-octet AS_PATH). */
export function needsAs4(path: AsPath): boolean {
  for (const s of path) for (const a of s.asns) if (a > 0xffff) return true;
  return false;
}

/** AS_PATH text in the usual form: sequences space-separated, sets as {a,b}, confed as (a b) / [a b]. */
export function asPathToString(path: AsPath): string {
  const parts: string[] = [];
  for (const s of path) {
    if (s.type === AS_PATH_SEGMENT.AS_SEQUENCE) parts.push(s.asns.join(' '));
    else if (s.type === AS_PATH_SEGMENT.AS_SET) parts.push(`{${s.asns.join(',')}}`);
    else if (s.type === AS_PATH_SEGMENT.AS_CONFED_SEQUENCE) parts.push(`(${s.asns.join(' ')})`);
    else parts.push(`[${s.asns.join(',')}]`);
  }
  return parts.join(' ');
}
