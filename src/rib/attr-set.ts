/**
 * Attribute interning (STYLE.md §5): every distinct attribute set is stored once, as its
 * canonical bytes (4-octet AS encoding, MP_REACH/MP_UNREACH removed, next hop kept apart),
 * with the fields the decision process reads pre-computed. Paths refer to a set by id;
 * equality is id equality. Sets are reference counted and freed when the last path goes.
 *
 * The canonical bytes are copied out of the receive buffer, so a small set never pins a
 * 64 KiB socket chunk.
 *
 * Cost per UPDATE matters with real tables (the 2015 RIPE stream has a new set in almost
 * every one of its 89,679 UPDATEs; a full table holds hundreds of thousands): the table is
 * keyed by a 32-bit hash of the canonical bytes (no key string per set), and a new set
 * takes its decoded attributes from the caller instead of decoding its own bytes again,
 * unless one of them holds a Buffer (a view that could pin the receive chunk).
 */
import { AS4_CTX } from '../wire/context.js';
import { ATTR, AS_PATH_SEGMENT, WELL_KNOWN_COMMUNITY } from '../wire/iana.js';
import { attributesLength, decodeAttributes, encodeAttributesInto } from '../wire/attributes.js';
import type { PathAttribute } from '../wire/attribute-types.js';
import { asPathLengthForDecision } from '../wire/attrs/as-path.js';

/** RFC 4271 §5.1.5: without LOCAL_PREF an iBGP-learned route is treated as this. */
export const DEFAULT_LOCAL_PREF = 100;

export interface AttrSet {
  readonly id: number;
  /** Interning key: next hop length, next hop, then the canonical attribute bytes (built on each read; for tools). */
  readonly key: string;
  /** Canonical attributes (views into `bytes`), in the order received, MP_* excluded. */
  readonly attributes: readonly PathAttribute[];
  /** Canonical encoding of `attributes` with 4-octet ASes. */
  readonly bytes: Buffer;
  /** IPv4 NEXT_HOP (4 octets) or MP_REACH_NLRI next hop (16 or 32 octets), or empty. */
  readonly nextHop: Buffer;
  readonly localPref: number;
  readonly hasLocalPref: boolean;
  readonly med: number;
  readonly hasMed: boolean;
  readonly origin: number;
  /** AS_PATH length as the decision process counts it (sets 1, confed 0). */
  readonly asPathLength: number;
  /** First AS of the path (the neighbour AS for MED comparison), 0 when none. */
  readonly neighborAs: number;
  readonly originatorId: number | null;
  readonly clusterList: readonly number[];
  readonly noExport: boolean;
  readonly noAdvertise: boolean;
  readonly noExportSubconfed: boolean;
  refs: number;
}

/** A live set: the AttrSet fields plus the interning bookkeeping. */
class Interned implements AttrSet {
  /** Next set in the same hash bucket. */
  chain: Interned | null = null;
  refs = 1;
  constructor(
    readonly id: number,
    readonly hash: number,
    /** nextHop length, nextHop, canonical attributes: what `intern` compares. */
    readonly wire: Buffer,
    /** Offset of the attributes in `wire` (after the next hop). */
    private readonly attrAt: number,
    readonly attributes: readonly PathAttribute[],
    readonly localPref: number,
    readonly hasLocalPref: boolean,
    readonly med: number,
    readonly hasMed: boolean,
    readonly origin: number,
    readonly asPathLength: number,
    readonly neighborAs: number,
    readonly originatorId: number | null,
    readonly clusterList: readonly number[],
    readonly noExport: boolean,
    readonly noAdvertise: boolean,
    readonly noExportSubconfed: boolean,
  ) {}

  get key(): string {
    return this.wire.toString('latin1');
  }

  // Views made on read (rarely: once per export entry): two fewer objects per set, which
  // counts with the hundreds of thousands of sets of a real table.
  get bytes(): Buffer {
    return this.wire.subarray(this.attrAt);
  }

  get nextHop(): Buffer {
    return this.wire.subarray(1, this.attrAt);
  }
}

/** FNV-1a over buf[0..len), 32 bits. */
function hashBytes(buf: Buffer, len: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < len; i++) h = Math.imul(h ^ (buf[i] as number), 0x01000193);
  return h >>> 0;
}

export class AttrSetTable {
  /** Hash of the wire form → first set of the bucket (chained through `chain`). */
  private readonly byHash = new Map<number, Interned>();
  private readonly byId: (Interned | undefined)[] = [];
  private readonly freeIds: number[] = [];
  /**
   * Ids freed since the last `recycleIds`: not handed out again before then, so a consumer
   * that caches by set id (the update groups' export entries) never sees an id name a new
   * set while it still holds state for the old one.
   */
  private pendingFree: number[] = [];
  private live = 0;
  private scratch = Buffer.allocUnsafe(4096);

  get size(): number {
    return this.live;
  }

  get(id: number): AttrSet {
    const s = this.byId[id];
    if (s === undefined) throw new Error(`attribute set ${id} is not live`);
    return s;
  }

  /**
   * The set for these attributes (MP_REACH/MP_UNREACH are skipped) and next hop, creating
   * it when new. The caller owns one reference and must `release` it.
   */
  intern(attributes: readonly PathAttribute[], nextHop: Buffer): AttrSet {
    const canon: PathAttribute[] = [];
    for (const a of attributes) if (a.code !== ATTR.MP_REACH_NLRI && a.code !== ATTR.MP_UNREACH_NLRI) canon.push(a);
    const attrLen = attributesLength(canon, AS4_CTX);
    const total = 1 + nextHop.length + attrLen;
    if (this.scratch.length < total) this.scratch = Buffer.allocUnsafe(total * 2);
    const s = this.scratch;
    s[0] = nextHop.length;
    nextHop.copy(s, 1);
    encodeAttributesInto(canon, s, 1 + nextHop.length, AS4_CTX);
    const hash = hashBytes(s, total);
    const first = this.byHash.get(hash);
    for (let c = first ?? null; c !== null; c = c.chain) {
      if (c.wire.length === total && s.compare(c.wire, 0, total, 0, total) === 0) {
        c.refs++;
        return c;
      }
    }
    const own = Buffer.allocUnsafe(total);
    s.copy(own, 0, 0, total);
    const set = build(this.freeIds.pop() ?? this.byId.length, hash, own, 1 + nextHop.length, canon);
    set.chain = first ?? null;
    this.byHash.set(hash, set);
    this.byId[set.id] = set;
    this.live++;
    return set;
  }

  /**
   * Makes the ids of sets freed so far reusable. The RIB calls it when a decision run has
   * left nothing pending: every prefix that used a freed set has been re-decided and every
   * consumer told, so nothing refers to those ids any more.
   */
  recycleIds(): void {
    if (this.pendingFree.length === 0) return;
    for (const id of this.pendingFree) this.freeIds.push(id);
    this.pendingFree = [];
  }

  /** Takes one more reference; returns the set (so a filter can `return sets.retain(inSet)`). */
  retain(set: AttrSet): AttrSet {
    set.refs++;
    return set;
  }

  /** Drops one reference; the set is freed at zero. */
  release(set: AttrSet): void {
    if (--set.refs > 0) return;
    const s = this.byId[set.id];
    if (s !== set || s === undefined) throw new Error(`attribute set ${set.id} released after it was freed`);
    // Unlink from its hash bucket.
    const first = this.byHash.get(s.hash);
    if (first === s) {
      if (s.chain === null) this.byHash.delete(s.hash);
      else this.byHash.set(s.hash, s.chain);
    } else {
      for (let c = first ?? null; c !== null; c = c.chain) {
        if (c.chain === s) {
          c.chain = s.chain;
          break;
        }
      }
    }
    s.chain = null;
    this.live--;
    this.byId[set.id] = undefined;
    this.pendingFree.push(set.id);
  }
}

/** Attribute kinds whose decoded value is a Buffer (a view into what was decoded). */
function holdsBuffer(a: PathAttribute): boolean {
  return a.kind === 'extendedCommunities' || a.kind === 'ipv6ExtendedCommunities' || a.kind === 'aigp' || a.kind === 'other';
}

/**
 * A new set over `wire` (next hop length, next hop, canonical attributes from `attrAt`),
 * whose attributes decode to `canon`: kept as they are (numbers and arrays the decoder
 * made) unless one holds a Buffer, then decoded again from our own copy.
 */
function build(id: number, hash: number, wire: Buffer, attrAt: number, canon: readonly PathAttribute[]): Interned {
  const bytes = wire.subarray(attrAt);
  let attributes: readonly PathAttribute[] = canon;
  if (canon.some(holdsBuffer)) {
    const r = decodeAttributes(bytes, AS4_CTX);
    // The bytes are our own canonical encoding of attributes that already decoded: a
    // failure here is a bug, not bad input.
    if (!r.ok || r.action !== null) throw new Error('canonical attribute bytes do not decode');
    attributes = r.attributes;
  }
  let localPref = DEFAULT_LOCAL_PREF;
  let hasLocalPref = false;
  let med = 0;
  let hasMed = false;
  let origin = 2;
  let asPathLength = 0;
  let neighborAs = 0;
  let originatorId: number | null = null;
  let clusterList: readonly number[] = [];
  let noExport = false;
  let noAdvertise = false;
  let noExportSubconfed = false;
  for (const a of attributes) {
    switch (a.kind) {
      case 'localPref':
        localPref = a.value;
        hasLocalPref = true;
        break;
      case 'med':
        med = a.value;
        hasMed = true;
        break;
      case 'origin':
        origin = a.value;
        break;
      case 'asPath': {
        asPathLength = asPathLengthForDecision(a.value);
        const first = a.value[0];
        // RFC 4271 §9.1.2.2 (c): the neighbour AS is the first AS of the first AS_SEQUENCE.
        if (first !== undefined && first.type === AS_PATH_SEGMENT.AS_SEQUENCE) neighborAs = first.asns[0] ?? 0;
        break;
      }
      case 'originatorId':
        originatorId = a.value;
        break;
      case 'clusterList':
        clusterList = a.value;
        break;
      case 'communities':
        for (const c of a.value) {
          if (c === WELL_KNOWN_COMMUNITY.NO_EXPORT) noExport = true;
          else if (c === WELL_KNOWN_COMMUNITY.NO_ADVERTISE) noAdvertise = true;
          else if (c === WELL_KNOWN_COMMUNITY.NO_EXPORT_SUBCONFED) noExportSubconfed = true;
        }
        break;
      default:
        break;
    }
  }
  return new Interned(id, hash, wire, attrAt, attributes, localPref, hasLocalPref, med, hasMed, origin, asPathLength, neighborAs, originatorId, clusterList, noExport, noAdvertise, noExportSubconfed);
}
