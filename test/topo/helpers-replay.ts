/**
 * Turns the UPDATEs of an MRT dump (BGP4MP MESSAGE records, read with src/mrt's streaming
 * reader) into the byte stream a test client injects into meshrr, and computes, from the
 * dump alone, the IPv4 table a receiver must end up with.
 *
 * Rewriting: each UPDATE is decoded with src/wire and re-encoded for a 4-octet AS session with
 * NEXT_HOP set to the injector's address (the collector's next hops mean nothing here, and
 * BIRD and FRR only accept a next hop they can resolve); every other attribute and the NLRI
 * are kept. The expected table replays the stream in order with this file's own NLRI walker
 * (masking bits past the prefix length, RFC 4271 §4.3): withdrawn prefixes leave it,
 * announced ones join it, except those of an UPDATE whose AS_PATH holds AS 0, which meshrr
 * treats as withdrawn (RFC 7607 §2 with RFC 7606; src/wire/validate.ts rule 1): they leave
 * it, and are reported so the test can name them.
 */
import { writeFile } from 'node:fs/promises';
import { bgp4mpCtx, bgpMessageBody, bgpMessageType } from '../../src/mrt/bgp4mp.js';
import { readMrt } from '../../src/mrt/reader.js';
import type { PathAttribute } from '../../src/wire/attribute-types.js';
import { makeCtx } from '../../src/wire/context.js';
import { decodeUpdate, encodeUpdate } from '../../src/wire/update.js';

export interface ReplayPlan {
  /** UPDATE messages written to the injection file. */
  readonly updates: number;
  readonly bytes: number;
  /** Distinct prefixes announced anywhere in the dump. */
  readonly announced: number;
  /** Prefixes of UPDATEs with AS 0 in AS_PATH (treat-as-withdraw), in dump order. */
  readonly asZero: readonly string[];
  /** The IPv4 table after the whole stream, sorted. */
  readonly expected: readonly string[];
  /** The table a speaker that accepted AS 0 would have (for the report). */
  readonly expectedAcceptingAsZero: number;
}

/** IPv4 NLRI bytes → `a.b.c.d/len` texts, bits past the length masked. */
export function ipv4Prefixes(bytes: Buffer): string[] {
  const out: string[] = [];
  let p = 0;
  while (p < bytes.length) {
    const bits = bytes[p] as number;
    const n = (bits + 7) >> 3;
    if (bits > 32 || p + 1 + n > bytes.length) throw new Error(`bad IPv4 NLRI at offset ${p}`);
    const o = [0, 0, 0, 0];
    for (let i = 0; i < n; i++) o[i] = bytes[p + 1 + i] as number;
    const addr = (((o[0] as number) << 24) | ((o[1] as number) << 16) | ((o[2] as number) << 8) | (o[3] as number)) >>> 0;
    const masked = bits === 0 ? 0 : (addr & (0xffffffff << (32 - bits))) >>> 0;
    out.push(`${masked >>> 24}.${(masked >>> 16) & 255}.${(masked >>> 8) & 255}.${masked & 255}/${bits}`);
    p += 1 + n;
  }
  return out;
}

function hasAsZero(attrs: readonly PathAttribute[]): boolean {
  return attrs.some((a) => a.kind === 'asPath' && a.value.some((s) => s.asns.includes(0)));
}

/** Read `mrtFile`, write the rewritten UPDATEs to `outFile`, return the plan. */
export async function prepareReplay(mrtFile: string, outFile: string, nextHop: string): Promise<ReplayPlan> {
  const nh = nextHop.split('.').reduce((a, b) => a * 256 + Number(b), 0);
  const ctx = makeCtx({ as4: true });
  const chunks: Buffer[] = [];
  let bytes = 0;
  let updates = 0;
  const announced = new Set<string>();
  const table = new Set<string>();
  const lax = new Set<string>();
  const asZero: string[] = [];
  for await (const r of readMrt(mrtFile)) {
    if (r.kind !== 'bgp4mpMessage' || bgpMessageType(r.message) !== 2) continue;
    const d = decodeUpdate(bgpMessageBody(r.message), bgp4mpCtx(r));
    if (!d.ok) throw new Error(`UPDATE at MRT offset ${r.header.offset} does not decode: ${d.error.detail}`);
    const u = d.update;
    for (const p of ipv4Prefixes(u.withdrawn.bytes)) {
      table.delete(p);
      lax.delete(p);
    }
    const nlri = ipv4Prefixes(u.nlri.bytes);
    const zero = nlri.length > 0 && hasAsZero(u.attributes);
    for (const p of nlri) {
      announced.add(p);
      lax.add(p);
      if (zero) table.delete(p);
      else table.add(p);
    }
    if (zero) asZero.push(...nlri);
    const attributes = u.attributes.map((a): PathAttribute => (a.kind === 'nextHop' ? { ...a, value: nh } : a));
    const msg = encodeUpdate({ ...u, attributes }, ctx);
    chunks.push(msg);
    bytes += msg.length;
    updates++;
  }
  await writeFile(outFile, Buffer.concat(chunks, bytes));
  return { updates, bytes, announced: announced.size, asZero, expected: [...table].sort(), expectedAcceptingAsZero: lax.size };
}

/** What is in `a` and not in `b` (both sorted), at most `limit` of them. */
export function missingFrom(a: readonly string[], b: readonly string[], limit = 10): { count: number; sample: string[] } {
  const set = new Set(b);
  const miss = a.filter((x) => !set.has(x));
  return { count: miss.length, sample: miss.slice(0, limit) };
}
