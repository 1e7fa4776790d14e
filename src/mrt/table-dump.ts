/**
 * TABLE_DUMP (type 12) records, RFC 6396 §4.2: one RIB entry per record, 2-octet AS numbers,
 * the AFI in the subtype. Pure: bytes in, typed record out; malformed bodies become an
 * UndecodedRecord with a reason, never an exception.
 */
import { TABLE_DUMP_SUBTYPE } from './constants.js';
import type { MrtRecord, RawRecord } from './records.js';

/** Decodes a TABLE_DUMP body. */
export function decodeTableDump(raw: RawRecord): MrtRecord {
  const { header, body } = raw;
  const st = header.subtype;
  if (st !== TABLE_DUMP_SUBTYPE.AFI_IPV4 && st !== TABLE_DUMP_SUBTYPE.AFI_IPV6) {
    return { kind: 'raw', header, body, reason: `TABLE_DUMP subtype ${st} is not an AFI we know` };
  }
  const alen = st === TABLE_DUMP_SUBTYPE.AFI_IPV4 ? 4 : 16;
  // view(2) seq(2) prefix(alen) len(1) status(1) time(4) peer(alen) peerAs(2) attrLen(2)
  const fixed = 4 + alen + 6 + alen + 4;
  if (body.length < fixed) return { kind: 'raw', header, body, reason: `TABLE_DUMP body of ${body.length} octets is too short` };
  let p = 4;
  const prefix = body.subarray(p, p + alen);
  p += alen;
  const prefixLength = body[p] as number;
  const status = body[p + 1] as number;
  const originatedTime = body.readUInt32BE(p + 2);
  p += 6;
  const peerAddress = body.subarray(p, p + alen);
  p += alen;
  const peerAs = body.readUInt16BE(p);
  const attrLen = body.readUInt16BE(p + 2);
  p += 4;
  if (p + attrLen > body.length) {
    return { kind: 'raw', header, body, reason: `TABLE_DUMP attribute length ${attrLen} overruns the record` };
  }
  return {
    kind: 'tableDump',
    header,
    viewNumber: body.readUInt16BE(0),
    sequence: body.readUInt16BE(2),
    afi: st,
    prefix,
    prefixLength,
    status,
    originatedTime,
    peerAddress,
    peerAs,
    attributes: body.subarray(p, p + attrLen),
  };
}
