/**
 * Attribute interning (STYLE.md §5): every distinct attribute set is stored once, as its
 * canonical bytes (4-octet AS encoding, MP_REACH/MP_UNREACH removed, next hop kept apart),
 * with the fields the decision process reads pre-computed. Paths refer to a set by id;
 * equality is id equality. Sets are reference counted and freed when the last path goes.
 *
 * The canonical bytes are copied out of the receive buffer, so a small set never pins a
 * 64 KiB socket chunk.
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
  /** Interning key: next hop length, next hop, then the canonical attribute bytes. */
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

export class AttrSetTable {
  private readonly byKey = new Map<string, AttrSet>();
  private readonly byId: (AttrSet | undefined)[] = [];
  private readonly freeIds: number[] = [];
  private scratch = Buffer.allocUnsafe(4096);

  get size(): number {
    return this.byKey.size;
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
    const key = s.toString('latin1', 0, total);
    const found = this.byKey.get(key);
    if (found !== undefined) {
      found.refs++;
      return found;
    }
    const own = Buffer.from(s.subarray(0, total));
    const set = build(this.freeIds.pop() ?? this.byId.length, key, own.subarray(1 + nextHop.length), own.subarray(1, 1 + nextHop.length));
    this.byKey.set(key, set);
    this.byId[set.id] = set;
    return set;
  }

  /** Takes one more reference; returns the set (so a filter can `return sets.retain(inSet)`). */
  retain(set: AttrSet): AttrSet {
    set.refs++;
    return set;
  }

  /** Drops one reference; the set is freed at zero. */
  release(set: AttrSet): void {
    if (--set.refs > 0) return;
    this.byKey.delete(set.key);
    this.byId[set.id] = undefined;
    this.freeIds.push(set.id);
  }
}

function build(id: number, key: string, bytes: Buffer, nextHop: Buffer): AttrSet {
  const r = decodeAttributes(bytes, AS4_CTX);
  // The bytes are our own canonical encoding of attributes that already decoded: a failure
  // here is a bug, not bad input.
  if (!r.ok || r.action !== null) throw new Error('canonical attribute bytes do not decode');
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
  for (const a of r.attributes) {
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
  return {
    id,
    key,
    attributes: r.attributes,
    bytes,
    nextHop,
    localPref,
    hasLocalPref,
    med,
    hasMed,
    origin,
    asPathLength,
    neighborAs,
    originatorId,
    clusterList,
    noExport,
    noAdvertise,
    noExportSubconfed,
    refs: 1,
  };
}
