/**
 * The routes view of the status API (`/v1/routes`, `meshrr show routes`): the unicast
 * families' paths by exact prefix or longest match, by community, received from or
 * advertised to a peer, each path with every attribute and the rule by which the best won.
 * The advertised view reads the update group's Adj-RIB-Out, so export policy shows as sent.
 *
 * Owns: the routes view. Must not: change the router.
 */
import type { RouteReflector } from '../rr/route-reflector.js';
import type { FamilyRoutes } from '../rib/family-routes.js';
import type { RankedPath } from '../rib/family-routes.js';
import { comparePaths, type DecisionRule } from '../rib/best-path.js';
import { eligible, nextHopSendable } from '../reflect/roles.js';
import { exportAttributes } from '../reflect/export-attrs.js';
import { familyLabel } from '../policy/family.js';
import { ipv4ToString, parseIpv4, parseIpv6, prefixToString } from '../wire/nlri.js';
import { decodeAttributes } from '../wire/attributes.js';
import { attributesJson, parseCommunity, type AttributesJson } from './attributes-json.js';
import { groupOfIndex, QueryError, sourceRole } from './view-helpers.js';

export interface PathView {
  readonly peer: string;
  readonly peerRouterId: string | null;
  /** Learned over eBGP (else iBGP: the `i` status code). */
  readonly external: boolean;
  readonly pathId: number;
  readonly best: boolean;
  /** For the best: the rule that made it beat the second; else the rule the path above beat it by. */
  readonly reason: DecisionRule;
  readonly attributes: AttributesJson;
}

export interface RouteView {
  readonly family: string;
  readonly prefix: string;
  readonly paths: readonly PathView[];
}

export interface RoutesView {
  readonly family: string | null;
  readonly view: 'rib' | 'received' | 'advertised';
  readonly peer: string | null;
  /** The query, when one was given: longest match for an address, exact for a prefix. */
  readonly query: string | null;
  readonly routes: readonly RouteView[];
}

export interface RoutesQuery {
  /** An exact prefix ("10.0.0.0/24") or an address for longest match ("10.0.0.1"). */
  readonly prefix?: string;
  readonly community?: string;
  readonly peer?: string;
  readonly view?: 'rib' | 'received' | 'advertised';
  readonly family?: string;
}

const UNICAST = new Set(['ipv4-unicast', 'ipv6-unicast']);

interface PrefixOfId {
  readonly bits: number;
  readonly bytes: Buffer;
}

function prefixOf(f: FamilyRoutes, id: number): PrefixOfId {
  const len = f.table.nlriLength(id);
  const buf = Buffer.alloc(len);
  f.table.writeNlri(id, buf, 0);
  return { bits: buf[0] as number, bytes: buf.subarray(1) };
}

/** Whether the first `bits` bits of a and b agree. */
function covers(bits: number, a: Buffer, b: Buffer): boolean {
  const whole = bits >> 3;
  for (let i = 0; i < whole; i++) if (a[i] !== b[i]) return false;
  const rest = bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (((a[whole] ?? 0) ^ (b[whole] ?? 0)) & mask) === 0;
}

type Matcher = { afi: number; exact: boolean; bits: number; octets: Buffer };

function parseQueryPrefix(q: string): Matcher {
  const slash = q.indexOf('/');
  const addr = slash < 0 ? q : q.slice(0, slash);
  const bitsText = slash < 0 ? null : q.slice(slash + 1);
  const v4 = parseIpv4(addr);
  if (v4 >= 0) {
    const o = Buffer.alloc(4);
    o.writeUInt32BE(v4, 0);
    const bits = bitsText === null ? 32 : Number(bitsText);
    if (!Number.isInteger(bits) || bits < 0 || bits > 32) throw new QueryError(`bad prefix length in ${q}`);
    return { afi: 1, exact: bitsText !== null, bits, octets: o };
  }
  const v6 = parseIpv6(addr);
  if (v6 === null) throw new QueryError(`${q} is neither a prefix nor an address`);
  const bits = bitsText === null ? 128 : Number(bitsText);
  if (!Number.isInteger(bits) || bits < 0 || bits > 128) throw new QueryError(`bad prefix length in ${q}`);
  return { afi: 2, exact: bitsText !== null, bits, octets: v6 };
}

function pathViews(rr: RouteReflector, ranked: readonly RankedPath[]): PathView[] {
  const decision = { alwaysCompareMed: rr.routerConfig.alwaysCompareMed, deterministicMed: rr.routerConfig.deterministicMed };
  const rib = rr.reflector.rib;
  const cand = (p: RankedPath) => {
    const source = rib.peerInfo(p.peer);
    return source === undefined ? null : { set: p.set, source, pathId: p.pathId };
  };
  return ranked.map((p, i) => {
    let reason: DecisionRule = 'onlyPath';
    const a = cand(i === 0 ? p : (ranked[i - 1] as RankedPath));
    const b = i === 0 ? (ranked[1] === undefined ? null : cand(ranked[1])) : cand(p);
    if (a !== null && b !== null) reason = comparePaths(a, b, decision).rule;
    const info = rib.peerInfo(p.peer);
    return {
      peer: rr.peerNameOf(p.peer) ?? `#${p.peer}`,
      peerRouterId: info === undefined ? null : ipv4ToString(info.bgpId),
      external: info?.external ?? false,
      pathId: p.pathId,
      best: i === 0,
      reason,
      attributes: attributesJson(p.set.attributes, p.set.nextHop),
    };
  });
}

/**
 * Routes of the unicast families. `view`: 'rib' every path with the best marked; 'received'
 * only the paths from `peer`; 'advertised' what `peer` is sent, with the attributes as sent.
 */
export function routesView(rr: RouteReflector, q: RoutesQuery): RoutesView {
  const view = q.view ?? 'rib';
  if (view !== 'rib' && q.peer === undefined) throw new QueryError(`--${view} needs --peer`);
  const community = q.community === undefined ? null : parseCommunity(q.community);
  if (q.community !== undefined && community === null) throw new QueryError(`bad community ${q.community}`);
  const peerIndex = q.peer === undefined ? undefined : rr.peerIndexOf(rr.speaker.getPeer(q.peer)?.name ?? q.peer);
  if (q.peer !== undefined && peerIndex === undefined && rr.speaker.getPeer(q.peer) === undefined) throw new QueryError(`no neighbour ${q.peer}`);
  const m = q.prefix === undefined ? null : parseQueryPrefix(q.prefix);
  const routes: RouteView[] = [];
  for (const f of rr.reflector.rib.families.values()) {
    const fam = familyLabel(f.afi, f.safi);
    if (!UNICAST.has(fam)) continue;
    if (q.family !== undefined && q.family !== fam) continue;
    if (m !== null && m.afi !== f.afi) continue;
    let ids: number[] = [];
    if (m === null) f.forEachPrefix((id) => ids.push(id));
    else {
      // Exact prefix, or the longest prefix holding the address (one walk: status is not a hot path).
      let bestBits = -1;
      f.forEachPrefix((id) => {
        const p = prefixOf(f, id);
        if (m.exact) {
          if (p.bits === m.bits && covers(p.bits, p.bytes, m.octets)) ids.push(id);
        } else if (p.bits > bestBits && covers(p.bits, p.bytes, m.octets)) {
          bestBits = p.bits;
          ids = [id];
        }
      });
    }
    for (const id of ids) {
      const ranked = f.rank(id);
      if (ranked.length === 0) continue;
      let paths = pathViews(rr, ranked);
      if (view === 'received') paths = paths.filter((_, i) => ranked[i]?.peer === peerIndex);
      if (view === 'advertised') {
        const adv = advertisedPath(rr, f, id, ranked, peerIndex);
        paths = adv === null ? [] : [adv];
      }
      if (community !== null) {
        const c = `${(community >>> 16) & 0xffff}:${community & 0xffff}`;
        paths = paths.filter((p) => p.attributes.communities.includes(c));
      }
      if (paths.length === 0) continue;
      const p = prefixOf(f, id);
      routes.push({ family: fam, prefix: prefixToString(f.afi, p.bits, p.bytes, 0), paths });
    }
  }
  routes.sort((a, b) => (a.family !== b.family ? (a.family < b.family ? -1 : 1) : comparePrefixText(a.prefix, b.prefix)));
  return { family: q.family ?? null, view, peer: q.peer ?? null, query: q.prefix ?? null, routes };
}

/** The path `peer` is sent for a prefix, with the attributes as exported; null when none. */
function advertisedPath(rr: RouteReflector, f: FamilyRoutes, id: number, ranked: readonly RankedPath[], peerIndex: number | undefined): PathView | null {
  if (peerIndex === undefined) return null;
  const g = groupOfIndex(rr, peerIndex);
  const best = ranked[0];
  if (g === undefined || best === undefined || best.peer === peerIndex) return null;
  const view = pathViews(rr, ranked)[0];
  if (view === undefined) return null;
  const fi = g.familyIndex(f.afi, f.safi);
  if (g.needsRanking(fi)) {
    // Add-path groups: recompute the export of the best path (their Adj-RIB-Out is per path).
    const src = sourceRole(rr, best.peer);
    if (src === undefined || !eligible(src, best.set, g.target) || !nextHopSendable(best.set, f.afi, f.safi, g.target)) return null;
    return { ...view, attributes: attributesJson(exportAttributes(best.set, src, g.target), best.set.nextHop) };
  }
  // The group's Adj-RIB-Out: what was really sent, export policy included.
  const out = g.advertisedRoute(fi, id);
  if (out === null || out.source === peerIndex) return null;
  const decoded = decodeAttributes(out.attrs, g.target.ctx);
  if (!decoded.ok) return null;
  return { ...view, attributes: attributesJson(decoded.attributes, out.nextHop) };
}

function comparePrefixText(a: string, b: string): number {
  const key = (p: string): string => {
    const [addr = '', bits = '0'] = p.split('/');
    const v4 = parseIpv4(addr);
    const hex = v4 >= 0 ? v4.toString(16).padStart(8, '0') : (parseIpv6(addr)?.toString('hex') ?? addr);
    return `${hex}/${bits.padStart(3, '0')}`;
  };
  const x = key(a);
  const y = key(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
