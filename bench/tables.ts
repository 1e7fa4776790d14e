/**
 * The tables the fan-out injector sends, as one Buffer of concatenated BGP UPDATE messages
 * ending with End-of-RIB (RFC 4724 §2), packed up to 4096 octets:
 * - `syntheticTable(n)`: n distinct IPv4 prefixes of /17 to /24 (weighted like a real table,
 *   nested where their /24 cursor allows), a few hundred attribute sets with varied AS paths,
 *   MEDs, communities and large communities, next hops in 198.18.0.0/15; deterministic.
 * - `mrtTable(path)`: the UPDATEs of a BGP4MP MRT dump (read with src/mrt), IPv4 unicast
 *   only, NEXT_HOP rewritten to 198.18.0.x, MP_REACH/MP_UNREACH, AS4_*, ORIGINATOR_ID and
 *   CLUSTER_LIST dropped, LOCAL_PREF 100 added when missing (iBGP, RFC 7606 §3d for FRR).
 *   Announcements whose AS_PATH holds AS 0 are dropped (their withdrawals kept): FRR and
 *   OpenBGPD treat them as withdrawn (RFC 7607) and BIRD reflects them, so keeping them would
 *   make the daemons' targets differ.
 */
import type { PathAttribute } from '../src/wire/attribute-types.js';
import { encodeAttributes } from '../src/wire/attributes.js';
import { AS4_CTX } from '../src/wire/context.js';
import { encodeHeader } from '../src/wire/header.js';
import { ATTR, FLAG, HEADER_LENGTH, MAX_MESSAGE_LENGTH, MSG } from '../src/wire/iana.js';
import { readRawBatches, decodeRecord } from '../src/mrt/reader.js';
import type { RawRecord } from '../src/mrt/records.js';
import { maskOf } from './prefix-index.js';

export interface Table {
  readonly name: string;
  /** Concatenated UPDATE messages, End-of-RIB last. */
  readonly bytes: Buffer;
  readonly updates: number;
  readonly note: string;
}

/** Deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** End-of-RIB for IPv4 unicast: an UPDATE with nothing in it. */
export function endOfRib(): Buffer {
  const b = Buffer.alloc(HEADER_LENGTH + 4);
  encodeHeader(b, 0, b.length, MSG.UPDATE);
  return b;
}

/** Collects UPDATE messages into one Buffer. */
class Writer {
  private readonly chunks: Buffer[] = [];
  private cur = Buffer.allocUnsafe(1 << 20);
  private at = 0;
  updates = 0;

  /** Writes an UPDATE with these withdrawn bytes, attribute bytes and NLRI bytes. */
  update(withdrawn: Buffer, attrs: Buffer, nlri: Buffer): void {
    const len = HEADER_LENGTH + 4 + withdrawn.length + attrs.length + nlri.length;
    if (len > MAX_MESSAGE_LENGTH) throw new Error(`UPDATE of ${len} octets`);
    if (this.at + len > this.cur.length) {
      this.chunks.push(this.cur.subarray(0, this.at));
      this.cur = Buffer.allocUnsafe(1 << 20);
      this.at = 0;
    }
    const b = this.cur;
    let p = encodeHeader(b, this.at, len, MSG.UPDATE);
    p = b.writeUInt16BE(withdrawn.length, p);
    p += withdrawn.copy(b, p);
    p = b.writeUInt16BE(attrs.length, p);
    p += attrs.copy(b, p);
    p += nlri.copy(b, p);
    this.at = p;
    this.updates++;
  }

  finish(): Buffer {
    this.chunks.push(this.cur.subarray(0, this.at), endOfRib());
    return Buffer.concat(this.chunks);
  }
}

/** Cumulative weights of /17../24, roughly a 2015 full table's share of each length. */
const LENGTH_WEIGHTS: readonly [number, number][] = [
  [24, 0.55],
  [23, 0.09],
  [22, 0.14],
  [21, 0.06],
  [20, 0.06],
  [19, 0.05],
  [18, 0.03],
  [17, 0.02],
];

function pickLength(r: number): number {
  let acc = 0;
  for (const [len, w] of LENGTH_WEIGHTS) {
    acc += w;
    if (r < acc) return len;
  }
  return 24;
}

function pickAsn(next: () => number): number {
  for (;;) {
    const asn = next() < 0.7 ? 1 + Math.floor(next() * 63999) : 131072 + Math.floor(next() * 400000);
    if (asn !== 23456 && asn !== 64496) return asn;
  }
}

/** One attribute set, encoded for a 4-octet-AS iBGP session. */
function attributeSet(i: number, next: () => number): Buffer {
  const origin = next() < 0.8 ? 0 : 2;
  const hops = 1 + Math.floor(next() * next() * 8);
  const asns: number[] = [];
  for (let h = 0; h < hops; h++) {
    const asn = pickAsn(next);
    const prepend = next() < 0.1 ? 1 + Math.floor(next() * 3) : 1;
    for (let k = 0; k < prepend; k++) asns.push(asn);
  }
  const nh = (198 << 24) | (18 << 16) | (1 + (i >> 8)) << 8 | (1 + (i & 0xff) % 254);
  const attrs: PathAttribute[] = [
    { kind: 'origin', code: ATTR.ORIGIN, flags: FLAG.TRANSITIVE, value: origin },
    { kind: 'asPath', code: ATTR.AS_PATH, flags: FLAG.TRANSITIVE, value: [{ type: 2, asns }] },
    { kind: 'nextHop', code: ATTR.NEXT_HOP, flags: FLAG.TRANSITIVE, value: nh >>> 0 },
  ];
  if (next() < 0.5) attrs.push({ kind: 'med', code: ATTR.MULTI_EXIT_DISC, flags: FLAG.OPTIONAL, value: Math.floor(next() * 1000) });
  attrs.push({ kind: 'localPref', code: ATTR.LOCAL_PREF, flags: FLAG.TRANSITIVE, value: [100, 100, 150, 200][Math.floor(next() * 4)] ?? 100 });
  const nComm = Math.floor(next() * 7);
  if (nComm > 0) {
    const first = asns[0] ?? 65001;
    const comms = new Set<number>();
    for (let c = 0; c < nComm; c++) comms.add((((first & 0xffff) << 16) | Math.floor(next() * 1000)) >>> 0);
    const value = [...comms].sort((a, b) => a - b);
    attrs.push({ kind: 'communities', code: ATTR.COMMUNITIES, flags: FLAG.OPTIONAL | FLAG.TRANSITIVE, value });
  }
  if (next() < 0.2) {
    attrs.push({ kind: 'largeCommunities', code: ATTR.LARGE_COMMUNITY, flags: FLAG.OPTIONAL | FLAG.TRANSITIVE, value: [asns[0] ?? 65001, 1, Math.floor(next() * 100)] });
  }
  return encodeAttributes(attrs, AS4_CTX);
}

/** A synthetic table of `n` distinct prefixes in `sets` attribute sets. */
export function syntheticTable(n: number, sets = 300, seed = 5): Table {
  const next = rng(seed);
  const addrs = new Uint32Array(n);
  const lens = new Uint8Array(n);
  const setOf = new Uint16Array(n);
  // A cursor over /24 blocks from 1.0.0.0; a prefix of length L starts at the cursor aligned
  // up to L, and the cursor then moves by one /24, so longer prefixes nest in shorter ones.
  let cursor = 1 << 16;
  for (let i = 0; i < n; i++) {
    const len = pickLength(next());
    const step = 1 << (24 - len);
    cursor = Math.ceil(cursor / step) * step;
    if (cursor >>> 16 === 127) cursor = 128 << 16;
    if (cursor >= 224 << 16) throw new Error(`syntheticTable: ${n} prefixes do not fit below 224.0.0.0`);
    addrs[i] = (cursor << 8) >>> 0;
    lens[i] = len;
    setOf[i] = Math.floor(next() * sets);
    cursor++;
  }
  const attrs = Array.from({ length: sets }, (_, i) => attributeSet(i, next));
  // Counting sort by set (stable: addresses ascend within a set).
  const start = new Uint32Array(sets + 1);
  for (let i = 0; i < n; i++) (start[(setOf[i] as number) + 1] as number)++;
  for (let s = 0; s < sets; s++) start[s + 1] = (start[s + 1] as number) + (start[s] as number);
  const order = new Uint32Array(n);
  const fill = start.slice(0, sets);
  for (let i = 0; i < n; i++) {
    const s = setOf[i] as number;
    order[fill[s] as number] = i;
    fill[s] = (fill[s] as number) + 1;
  }
  // Round-robin over the sets, one packed UPDATE from each in turn.
  const w = new Writer();
  const pos = start.slice(0, sets);
  const nlri = Buffer.allocUnsafe(MAX_MESSAGE_LENGTH);
  const none = Buffer.alloc(0);
  let left = n;
  while (left > 0) {
    for (let s = 0; s < sets; s++) {
      const a = attrs[s] as Buffer;
      const room = MAX_MESSAGE_LENGTH - HEADER_LENGTH - 4 - a.length;
      let p = 0;
      let k = pos[s] as number;
      const end = start[s + 1] as number;
      while (k < end) {
        const i = order[k] as number;
        const len = lens[i] as number;
        const bytes = (len + 7) >> 3;
        if (p + 1 + bytes > room) break;
        nlri[p++] = len;
        const addr = addrs[i] as number;
        for (let b = 0; b < bytes; b++) nlri[p++] = (addr >>> (24 - 8 * b)) & 0xff;
        k++;
      }
      if (p === 0) continue;
      left -= k - (pos[s] as number);
      pos[s] = k;
      w.update(none, a, nlri.subarray(0, p));
    }
  }
  const bytes = w.finish();
  return { name: `synthetic ${n}`, bytes, updates: w.updates, note: `${sets} attribute sets` };
}

// ===== MRT replay =====

const DROP: ReadonlySet<number> = new Set([ATTR.MP_REACH_NLRI, ATTR.MP_UNREACH_NLRI, ATTR.AS4_PATH, ATTR.AS4_AGGREGATOR, ATTR.ORIGINATOR_ID, ATTR.CLUSTER_LIST]);

/** True when an AS_PATH value (4-octet ASNs) holds AS 0. */
function hasAsZero(v: Buffer): boolean {
  let p = 0;
  while (p + 2 <= v.length) {
    const count = v[p + 1] as number;
    for (let i = 0; i < count; i++) if (p + 2 + 4 * i + 4 <= v.length && v.readUInt32BE(p + 2 + 4 * i) === 0) return true;
    p += 2 + 4 * count;
  }
  return false;
}

/** Attributes of one recorded UPDATE, rewritten for injection; null when it must not announce. */
function rewriteAttrs(a: Buffer, scratch: Buffer): Buffer | null {
  let p = 0;
  let out = 0;
  let localPref = false;
  while (p + 3 <= a.length) {
    const flags = a[p] as number;
    const code = a[p + 1] as number;
    const ext = (flags & FLAG.EXTENDED_LENGTH) !== 0;
    const len = ext ? a.readUInt16BE(p + 2) : (a[p + 2] as number);
    const hdr = ext ? 4 : 3;
    const end = p + hdr + len;
    if (end > a.length) return null;
    if (code === ATTR.AS_PATH && hasAsZero(a.subarray(p + hdr, end))) return null;
    if (code === ATTR.LOCAL_PREF) localPref = true;
    if (code === ATTR.NEXT_HOP && len === 4) {
      out += a.copy(scratch, out, p, p + hdr);
      scratch.writeUInt32BE(((198 << 24) | (18 << 16) | (1 + ((a[end - 1] as number) % 254))) >>> 0, out);
      out += 4;
    } else if (!DROP.has(code)) out += a.copy(scratch, out, p, end);
    p = end;
  }
  if (!localPref) {
    scratch[out] = FLAG.TRANSITIVE;
    scratch[out + 1] = ATTR.LOCAL_PREF;
    scratch[out + 2] = 4;
    scratch.writeUInt32BE(100, out + 3);
    out += 7;
  }
  return Buffer.from(scratch.subarray(0, out));
}

/** Masks trailing bits of each IPv4 prefix in place (some recorded NLRI carry them). */
function maskNlri(b: Buffer): Buffer {
  let p = 0;
  while (p < b.length) {
    const len = b[p] as number;
    const n = (len + 7) >> 3;
    if (len > 32 || p + 1 + n > b.length) return b.subarray(0, p);
    if (len % 8 !== 0 && n > 0) b[p + n] = (b[p + n] as number) & (maskOf(len) >>> (32 - 8 * n)) & 0xff;
    p += 1 + n;
  }
  return b;
}

/** Writes one UPDATE, or two when the added LOCAL_PREF pushed it over 4096 octets. */
function writeSplit(w: Writer, withdrawn: Buffer, attrs: Buffer, nlri: Buffer): void {
  const room = MAX_MESSAGE_LENGTH - HEADER_LENGTH - 4 - withdrawn.length - attrs.length;
  if (nlri.length <= room) return w.update(withdrawn, attrs, nlri);
  let p = 0;
  while (p < nlri.length) {
    const n = 1 + (((nlri[p] as number) + 7) >> 3);
    if (p + n > room) break;
    p += n;
  }
  w.update(withdrawn, attrs, nlri.subarray(0, p));
  w.update(Buffer.alloc(0), attrs, nlri.subarray(p));
}

/** The IPv4 unicast UPDATEs of a BGP4MP dump, in order, ready to inject. */
export async function mrtTable(path: string, name: string): Promise<Table> {
  const w = new Writer();
  const scratch = Buffer.allocUnsafe(1 << 16);
  let recorded = 0;
  let asZero = 0;
  for await (const batch of readRawBatches(path)) {
    for (const raw of batch) {
      const rec = decodeRecord(raw as RawRecord);
      if (rec.kind !== 'bgp4mpMessage' || rec.local || rec.addPath || !rec.as4) continue;
      const m = rec.message;
      if (m.length < HEADER_LENGTH + 4 || m[HEADER_LENGTH - 1] !== MSG.UPDATE) continue;
      recorded++;
      const body = m.subarray(HEADER_LENGTH, Math.min(m.length, m.readUInt16BE(16)));
      const wl = body.readUInt16BE(0);
      if (2 + wl + 2 > body.length) continue;
      const withdrawn = maskNlri(Buffer.from(body.subarray(2, 2 + wl)));
      const al = body.readUInt16BE(2 + wl);
      const aStart = 4 + wl;
      if (aStart + al > body.length) continue;
      let nlri = maskNlri(Buffer.from(body.subarray(aStart + al)));
      let attrs = nlri.length > 0 ? rewriteAttrs(body.subarray(aStart, aStart + al), scratch) : null;
      if (attrs === null) {
        if (nlri.length > 0) asZero++;
        nlri = Buffer.alloc(0);
        attrs = Buffer.alloc(0);
      }
      if (withdrawn.length === 0 && nlri.length === 0) continue;
      writeSplit(w, withdrawn, attrs, nlri);
    }
  }
  const bytes = w.finish();
  return { name, bytes, updates: w.updates, note: `${recorded} recorded UPDATEs, ${asZero} with AS 0 in AS_PATH not announced` };
}
