/**
 * Seed UPDATEs for the mutation fuzzer: real messages nobody here wrote. ExaBGP's
 * functional-test UPDATEs (with the context of their test configuration) and a few hundred
 * UPDATEs from a RIPE RIS MRT dump (bgpdump's test_data/updates.20160811.1600.gz), read
 * with a minimal RFC 6396 reader kept here on purpose: the fuzzer must not depend on the
 * MRT module it may one day be used to test.
 */
import { makeCtx, type CodecCtx } from '../../src/wire/context.js';
import { readCiVectors, ctxFor } from '../vectors/helpers-exabgp.js';
import { readGzData } from '../vectors/helpers-data.js';

export interface Seed {
  readonly where: string;
  /** A whole UPDATE message, header included. */
  readonly msg: Buffer;
  readonly ctx: CodecCtx;
}

const MRT_BGP4MP = 16;
const MRT_BGP4MP_ET = 17;
const BGP4MP_MESSAGE = 1;
const BGP4MP_MESSAGE_AS4 = 4;

/**
 * BGP messages of BGP4MP / BGP4MP_ET MESSAGE and MESSAGE_AS4 records (RFC 6396 §4.4.2,
 * §4.4.3): 12-octet common header (+4 octets of microseconds for _ET), peer and local AS
 * (2 or 4 octets each), interface index (2), AFI (2), peer and local address (4 or 16 each),
 * then the BGP message. Throws on a torn record.
 */
export function* mrtBgpMessages(buf: Buffer): Generator<{ readonly offset: number; readonly msg: Buffer; readonly as4: boolean }> {
  let p = 0;
  while (p < buf.length) {
    if (p + 12 > buf.length) throw new Error(`torn MRT header at offset ${p}`);
    const type = buf.readUInt16BE(p + 4);
    const subtype = buf.readUInt16BE(p + 6);
    const end = p + 12 + buf.readUInt32BE(p + 8);
    if (end > buf.length) throw new Error(`torn MRT record at offset ${p}`);
    let q = p + 12 + (type === MRT_BGP4MP_ET ? 4 : 0);
    if ((type === MRT_BGP4MP || type === MRT_BGP4MP_ET) && (subtype === BGP4MP_MESSAGE || subtype === BGP4MP_MESSAGE_AS4)) {
      const as4 = subtype === BGP4MP_MESSAGE_AS4;
      q += (as4 ? 8 : 4) + 2;
      const afi = buf.readUInt16BE(q);
      q += 2 + (afi === 2 ? 32 : 8);
      yield { offset: p, msg: buf.subarray(q, end), as4 };
    }
    p = end;
  }
}

/** ExaBGP's UPDATE raw lines (whole messages) with their configuration's context. */
export function exabgpSeeds(): Seed[] {
  return readCiVectors()
    .filter((v) => v.bytes[18] === 2)
    .map((v) => ({ where: v.where, msg: v.bytes, ctx: ctxFor(v.file) }));
}

/** `count` UPDATEs spread evenly over the RIS dump (4-octet AS: MESSAGE_AS4 records). */
export function mrtSeeds(count: number): Seed[] {
  const rel = 'mrt/ripe-bgpdump/test_data/updates.20160811.1600.gz';
  const all: { offset: number; msg: Buffer; as4: boolean }[] = [];
  for (const r of mrtBgpMessages(readGzData(rel))) if (r.msg[18] === 2) all.push(r);
  if (all.length < count) throw new Error(`${rel}: only ${all.length} UPDATEs`);
  const out: Seed[] = [];
  for (let i = 0; i < count; i++) {
    const r = all[Math.floor((i * all.length) / count)];
    if (r === undefined) continue;
    out.push({ where: `${rel}@${r.offset}`, msg: Buffer.from(r.msg), ctx: makeCtx({ as4: r.as4 }) });
  }
  return out;
}
