/**
 * The route being evaluated: the interned attribute set plus what actions changed so far.
 * Conditions read through it, so a term after a `next-term` term sees the changed values (as
 * in an FRR route-map with `continue`). Nothing is copied until an action changes something;
 * the values derived from a set (community lists, the extended communities as hex, the AS-path
 * text) are computed once per set and kept in WeakMaps keyed by the set or by its attribute
 * values, so they die with the set (ids are recycled by the RIB; objects are not).
 *
 * Owns: reading and changing route values, building the changed attribute list. Must not:
 * know the grammar.
 */
import type { AttrSet } from '../rib/attr-set.js';
import { DEFAULT_LOCAL_PREF } from '../rib/attr-set.js';
import type { AsPath, PathAttribute } from '../wire/attribute-types.js';
import { AS_PATH_SEGMENT, FLAG } from '../wire/iana.js';
import { asPathText } from './as-path-regex.js';
import { formatExtended, formatLarge, formatStandard } from './communities.js';
import type { NextHopChange, PolicyRoute } from './types.js';

/** Values decoded once per interned set. */
interface SetView {
  readonly communities: readonly number[];
  /** One 16-hex-digit string per extended community, in order. */
  readonly extended: readonly string[];
  /** Flat triples. */
  readonly large: readonly number[];
  readonly asPath: AsPath;
}

const EMPTY: readonly never[] = Object.freeze([]);
const views = new WeakMap<AttrSet, SetView>();

function viewOf(set: AttrSet): SetView {
  let v = views.get(set);
  if (v !== undefined) return v;
  let communities: readonly number[] = EMPTY;
  let extended: readonly string[] = EMPTY;
  let large: readonly number[] = EMPTY;
  let asPath: AsPath = EMPTY;
  for (const a of set.attributes) {
    if (a.kind === 'communities') communities = a.value;
    else if (a.kind === 'largeCommunities') large = a.value;
    else if (a.kind === 'asPath') asPath = a.value;
    else if (a.kind === 'extendedCommunities') {
      const hex = a.value.toString('hex');
      const list: string[] = [];
      for (let i = 0; i + 16 <= hex.length; i += 16) list.push(hex.slice(i, i + 16));
      extended = list;
    }
  }
  v = { communities, extended, large, asPath };
  views.set(set, v);
  return v;
}

const standardTexts = new WeakMap<readonly number[], readonly string[]>();
const extendedTexts = new WeakMap<readonly string[], readonly string[]>();
const largeTexts = new WeakMap<readonly number[], readonly string[]>();
const pathTexts = new WeakMap<AsPath, string>();

function memo<K extends object, V>(map: WeakMap<K, V>, key: K, make: (k: K) => V): V {
  let v = map.get(key);
  if (v === undefined) {
    v = make(key);
    map.set(key, v);
  }
  return v;
}

const makeStandardTexts = (l: readonly number[]): readonly string[] => l.map(formatStandard);
const makeExtendedTexts = (l: readonly string[]): readonly string[] => l.map(formatExtended);
const makeLargeTexts = (l: readonly number[]): readonly string[] => {
  const out: string[] = [];
  for (let i = 0; i + 2 < l.length; i += 3) out.push(formatLarge(l[i] as number, l[i + 1] as number, l[i + 2] as number));
  return out;
};

/** RFC 6811 §2 origin AS: last AS of a final AS_SEQUENCE; our AS for an empty path; else none. */
export function originAsOf(path: AsPath, localAs: number): number | null {
  for (let i = path.length - 1; i >= 0; i--) {
    const seg = path[i] as AsPath[number];
    // Confederation segments are internal to our AS: look past them.
    if (seg.type === AS_PATH_SEGMENT.AS_CONFED_SEQUENCE || seg.type === AS_PATH_SEGMENT.AS_CONFED_SET) continue;
    return seg.type === AS_PATH_SEGMENT.AS_SEQUENCE ? (seg.asns[seg.asns.length - 1] ?? null) : null;
  }
  return localAs;
}

/** First AS of the first segment when it is an AS_SEQUENCE (RFC 4271 §9.1.2.2 (c)); else none. */
export function neighborAsOf(path: AsPath): number | null {
  const first = path[0];
  return first !== undefined && first.type === AS_PATH_SEGMENT.AS_SEQUENCE ? (first.asns[0] ?? null) : null;
}

function sameList<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** One evaluation's mutable state. One instance is reused: evaluation is synchronous. */
export class EvalState {
  route!: PolicyRoute;
  set!: AttrSet;
  localAs = 0;
  private view!: SetView;
  // Changes; null: as in the set.
  communities: readonly number[] | null = null;
  extended: readonly string[] | null = null;
  large: readonly number[] | null = null;
  asPath: AsPath | null = null;
  localPref: number | null = null;
  med: number | null = null;
  origin: number | null = null;
  nextHop: NextHopChange | null = null;

  reset(route: PolicyRoute, localAs: number): this {
    this.route = route;
    this.set = route.set;
    this.localAs = localAs;
    this.view = viewOf(route.set);
    this.communities = null;
    this.extended = null;
    this.large = null;
    this.asPath = null;
    this.localPref = null;
    this.med = null;
    this.origin = null;
    this.nextHop = null;
    return this;
  }

  getCommunities(): readonly number[] {
    return this.communities ?? this.view.communities;
  }
  communityTexts(): readonly string[] {
    return memo(standardTexts, this.getCommunities(), makeStandardTexts);
  }
  getExtended(): readonly string[] {
    return this.extended ?? this.view.extended;
  }
  extendedTexts(): readonly string[] {
    return memo(extendedTexts, this.getExtended(), makeExtendedTexts);
  }
  getLarge(): readonly number[] {
    return this.large ?? this.view.large;
  }
  largeTexts(): readonly string[] {
    return memo(largeTexts, this.getLarge(), makeLargeTexts);
  }
  getAsPath(): AsPath {
    return this.asPath ?? this.view.asPath;
  }
  asPathText(): string {
    return memo(pathTexts, this.getAsPath(), asPathText);
  }
  getLocalPref(): number {
    return this.localPref ?? (this.set.hasLocalPref ? this.set.localPref : DEFAULT_LOCAL_PREF);
  }
  /** A missing MED counts as 0 (RFC 4271 §9.1.2.2 (c)). */
  getMed(): number {
    return this.med ?? (this.set.hasMed ? this.set.med : 0);
  }
  getOrigin(): number {
    return this.origin ?? this.set.origin;
  }
  /** The next hop conditions see: an address set by an earlier term, else the set's. */
  getNextHop(): Uint8Array {
    return this.nextHop?.kind === 'address' ? this.nextHop.octets : this.set.nextHop;
  }

  /**
   * Forgets changes that left a value as the set has it (a community added that was there,
   * LOCAL_PREF set to its value), so an outcome reports `attributes: null` when nothing
   * differs and the caller keeps the interned set.
   */
  settle(): void {
    const v = this.view;
    if (this.communities !== null && sameList(this.communities, v.communities)) this.communities = null;
    if (this.extended !== null && sameList(this.extended, v.extended)) this.extended = null;
    if (this.large !== null && sameList(this.large, v.large)) this.large = null;
    if (this.localPref !== null && this.set.hasLocalPref && this.localPref === this.set.localPref) this.localPref = null;
    if (this.med !== null && this.set.hasMed && this.med === this.set.med) this.med = null;
    if (this.origin !== null && this.origin === this.set.origin && this.set.attributes.some((a) => a.kind === 'origin')) this.origin = null;
  }

  changed(): boolean {
    return this.communities !== null || this.extended !== null || this.large !== null || this.asPath !== null || this.localPref !== null || this.med !== null || this.origin !== null || this.nextHopAttrChange() !== null;
  }

  /** The IPv4 NEXT_HOP attribute value to write, when an address action applies to one. */
  private nextHopAttrChange(): number | null {
    const nh = this.nextHop;
    if (nh?.kind !== 'address' || nh.octets.length !== 4) return null;
    return this.set.attributes.some((a) => a.kind === 'nextHop') ? nh.octets.readUInt32BE(0) : null;
  }

  /** The set's attributes with the changes applied, in type-code order. */
  buildAttributes(): PathAttribute[] {
    const out: PathAttribute[] = [];
    // Which kinds the set has, so created ones are added after the loop (no Set: this is hot).
    let seenComm = false;
    let seenExt = false;
    let seenLarge = false;
    let seenPath = false;
    let seenLp = false;
    let seenMed = false;
    let seenOrigin = false;
    const nhValue = this.nextHopAttrChange();
    for (const a of this.set.attributes) {
      switch (a.kind) {
        case 'communities':
          seenComm = true;
          if (this.communities === null) out.push(a);
          else if (this.communities.length > 0) out.push({ kind: a.kind, code: a.code, flags: a.flags, value: this.communities });
          break;
        case 'extendedCommunities':
          seenExt = true;
          if (this.extended === null) out.push(a);
          else if (this.extended.length > 0) out.push({ kind: a.kind, code: a.code, flags: a.flags, value: Buffer.from(this.extended.join(''), 'hex') });
          break;
        case 'largeCommunities':
          seenLarge = true;
          if (this.large === null) out.push(a);
          else if (this.large.length > 0) out.push({ kind: a.kind, code: a.code, flags: a.flags, value: this.large });
          break;
        case 'asPath':
          seenPath = true;
          out.push(this.asPath === null ? a : { kind: a.kind, code: a.code, flags: a.flags, value: this.asPath });
          break;
        case 'localPref':
          seenLp = true;
          out.push(this.localPref === null ? a : { kind: a.kind, code: a.code, flags: a.flags, value: this.localPref });
          break;
        case 'med':
          seenMed = true;
          out.push(this.med === null ? a : { kind: a.kind, code: a.code, flags: a.flags, value: this.med });
          break;
        case 'origin':
          seenOrigin = true;
          out.push(this.origin === null ? a : { kind: a.kind, code: a.code, flags: a.flags, value: this.origin });
          break;
        case 'nextHop':
          out.push(nhValue === null ? a : { kind: a.kind, code: a.code, flags: a.flags, value: nhValue });
          break;
        default:
          out.push(a);
      }
    }
    // Attributes an action created (RFC 4271 §4.3 / RFC 1997 / 4360 / 8092 flags).
    const OT = FLAG.OPTIONAL | FLAG.TRANSITIVE;
    if (this.communities !== null && this.communities.length > 0 && !seenComm) out.push({ kind: 'communities', code: 8, flags: OT, value: this.communities });
    if (this.extended !== null && this.extended.length > 0 && !seenExt) {
      out.push({ kind: 'extendedCommunities', code: 16, flags: OT, value: Buffer.from(this.extended.join(''), 'hex') });
    }
    if (this.large !== null && this.large.length > 0 && !seenLarge) out.push({ kind: 'largeCommunities', code: 32, flags: OT, value: this.large });
    if (this.asPath !== null && !seenPath) out.push({ kind: 'asPath', code: 2, flags: FLAG.TRANSITIVE, value: this.asPath });
    if (this.localPref !== null && !seenLp) out.push({ kind: 'localPref', code: 5, flags: FLAG.TRANSITIVE, value: this.localPref });
    if (this.med !== null && !seenMed) out.push({ kind: 'med', code: 4, flags: FLAG.OPTIONAL, value: this.med });
    if (this.origin !== null && !seenOrigin) out.push({ kind: 'origin', code: 1, flags: FLAG.TRANSITIVE, value: this.origin });
    // Usually in order already; Array.prototype.sort is stable, so equal codes keep their order.
    for (let i = 1; i < out.length; i++) {
      if ((out[i] as PathAttribute).code < (out[i - 1] as PathAttribute).code) {
        out.sort((x, y) => x.code - y.code);
        break;
      }
    }
    return out;
  }
}
