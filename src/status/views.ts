/**
 * The JSON views of the status API (issue 9), built from a running RouteReflector on
 * request: summary, neighbours, routes, discovery and config. Read-only: nothing here
 * changes the router, and every view is built in one synchronous pass, so it is a
 * consistent snapshot of one event-loop turn.
 *
 * Prefix counts per neighbour and family:
 * 1. received: paths the peer has in the RIB (Adj-RIB-In, after RFC 4456 §8 loop drops and
 *    RFC 7606 treat-as-withdraw, which remove a route instead of storing it);
 * 2. accepted: the same until import policy (issue 6) lands, then what the policy kept;
 * 3. advertised: what the peer's update group holds in its Adj-RIB-Out, less the routes whose
 *    best path came from the peer itself (an RR never sends a route back to its sender).
 * "Why the best won": the decision process ranks the paths (rib/best-path.ts); each path
 * carries the rule by which the one ranked just above it beat it, the best the rule by which
 * it beat the second (`onlyPath` when alone).
 */
import type { RouteReflector } from '../rr/route-reflector.js';
import type { Peer } from '../session/peer.js';
import type { PeerStatus } from '../session/peer-status.js';
import type { FamilyRoutes } from '../rib/family-routes.js';
import type { RankedPath } from '../rib/family-rib.js';
import { comparePaths, type DecisionRule } from '../rib/best-path.js';
import { eligible, type SourceRole } from '../reflect/roles.js';
import { exportAttributes } from '../reflect/export-attrs.js';
import type { UpdateGroup } from '../reflect/update-group.js';
import { familyName } from '../reflect/reflector.js';
import { ipv4ToString, parseIpv4, parseIpv6, prefixToString } from '../wire/nlri.js';
import { decodeAttributes } from '../wire/attributes.js';
import { attributesJson, parseCommunity, type AttributesJson } from './attributes-json.js';

/** How a neighbour was found, in the words of the issue. */
export type FoundBy = 'static' | 'discovery' | 'listenRange' | 'kubernetes';

export interface FamilyCounts {
  received: number;
  accepted: number;
  advertised: number;
}

export interface NeighborView extends PeerStatus {
  readonly foundBy: FoundBy;
  readonly role: string | null;
  readonly remoteAs: number | null;
  readonly configuredHoldTime: number | null;
  readonly description: string | null;
  readonly prefixes: Readonly<Record<string, FamilyCounts>>;
}

export interface SummaryView {
  readonly routerId: string;
  readonly asn: number;
  readonly hostname: string;
  readonly clusterIds: readonly string[];
  readonly startedAt: string;
  readonly uptimeSeconds: number;
  readonly families: readonly { family: string; prefixes: number; paths: number }[];
  readonly attributeSets: number;
  readonly updateGroups: number;
  readonly decisionRuns: number;
  readonly pendingDecisions: number;
  readonly memory: { rssBytes: number; heapUsedBytes: number };
  readonly peers: { total: number; established: number; dynamic: number; byState: Record<string, number> };
  readonly neighbors: readonly NeighborView[];
}

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

/** A bad query parameter; the server answers 400 with the message. */
export class QueryError extends Error {
  readonly code = 'MESHRR_STATUS_QUERY' as const;
}

const UNICAST = new Set(['ipv4-unicast', 'ipv6-unicast']);

function foundBy(origin: string): FoundBy {
  if (origin === 'dns') return 'discovery';
  if (origin === 'listenRange' || origin === 'kubernetes') return origin;
  return 'static';
}

/** The update group a peer (RIB index) is a member of. */
function groupOfIndex(rr: RouteReflector, index: number): UpdateGroup | undefined {
  for (const g of rr.reflector.groups.values()) if (g.members.has(index)) return g;
  return undefined;
}

/** The RFC 4456 role of the peer behind a RIB index (for eligibility and export). */
function sourceRole(rr: RouteReflector, index: number): SourceRole | undefined {
  const name = rr.peerNameOf(index);
  const peer = name === undefined ? undefined : rr.speaker.getPeer(name);
  const g = peer === undefined ? undefined : rr.groupConfig(peer.group);
  const info = rr.reflector.rib.peerInfo(index);
  if (g === undefined || info === undefined) return undefined;
  return { role: g.role, clusterId: g.clusterId, bgpId: info.bgpId };
}

/**
 * Per peer index and family: routes whose best path came from that peer and that its own
 * group would export (so the group's count includes them but the peer is skipped).
 */
function ownBestCounts(rr: RouteReflector, f: FamilyRoutes): Map<number, number> {
  const counts = new Map<number, number>();
  const roles = new Map<number, SourceRole | undefined>();
  f.forEachPrefix((id) => {
    const best = f.bestRanked(id)[0];
    if (best === undefined) return;
    const g = groupOfIndex(rr, best.peer);
    if (g === undefined) return;
    let src = roles.get(best.peer);
    if (!roles.has(best.peer)) roles.set(best.peer, (src = sourceRole(rr, best.peer)));
    if (src !== undefined && eligible(src, best.set, g.target)) counts.set(best.peer, (counts.get(best.peer) ?? 0) + 1);
  });
  return counts;
}

/**
 * The per-family table walk behind the advertised counts, kept `maxAgeMs` by a caller that
 * asks often (the metrics scrape), so a full table is not walked on every scrape.
 */
export class OwnBestCache {
  private at = -Infinity;
  private own = new Map<FamilyRoutes, Map<number, number>>();
  constructor(private readonly maxAgeMs: number) {}

  get(now: number): Map<FamilyRoutes, Map<number, number>> {
    if (now - this.at > this.maxAgeMs) {
      this.own = new Map();
      this.at = now;
    }
    return this.own;
  }
}

/** Prefix counts per family for every peer with a RIB index (one table walk per family). */
export function prefixCounts(rr: RouteReflector, peers: readonly Peer[], cache?: OwnBestCache): Map<string, Record<string, FamilyCounts>> {
  const out = new Map<string, Record<string, FamilyCounts>>();
  const fams = [...rr.reflector.rib.families.values()];
  const own = cache?.get(performance.now()) ?? new Map<FamilyRoutes, Map<number, number>>();
  for (const peer of peers) {
    const index = rr.peerIndexOf(peer.name);
    const counts: Record<string, FamilyCounts> = {};
    const negotiated = peer.negotiated?.families ?? [];
    for (const f of fams) {
      const name = familyName(f.afi, f.safi);
      const carried = negotiated.some((x) => x.afi === f.afi && x.safi === f.safi);
      const received = index === undefined ? 0 : f.peerPathCount(index);
      if (!carried && received === 0) continue;
      let advertised = 0;
      const g = index === undefined || peer.state !== 'Established' ? undefined : groupOfIndex(rr, index);
      const fi = g === undefined ? -1 : g.familyIndex(f.afi, f.safi);
      if (g !== undefined && fi >= 0 && index !== undefined) {
        if (g.needsRanking(fi)) {
          // Add-path: the Adj-RIB-Out is per path; count as before (one best per prefix).
          let o = own.get(f);
          if (o === undefined) own.set(f, (o = ownBestCounts(rr, f)));
          advertised = Math.max(0, g.advertisedCount(fi) - (o.get(index) ?? 0));
        } else advertised = g.advertisedCountFor(fi, index);
      }
      const accepted = index === undefined ? 0 : (rr.reflector.rib.peerCounts(index).find((c) => c.afi === f.afi && c.safi === f.safi)?.accepted ?? received);
      counts[name] = { received, accepted, advertised };
    }
    out.set(peer.name, counts);
  }
  return out;
}

function neighborViews(rr: RouteReflector, peers: readonly Peer[]): NeighborView[] {
  const counts = prefixCounts(rr, peers);
  return peers.map((p) => {
    const g = rr.groupConfig(p.group);
    const n = g?.neighbors.find((x) => x.address === p.name) ?? null;
    const status = p.status();
    const pa = n?.peerAs ?? g?.peerAs;
    return {
      ...status,
      foundBy: foundBy(p.origin),
      role: g?.role ?? null,
      remoteAs: status.negotiated?.peerAs ?? (pa?.kind === 'exact' ? pa.asn : pa?.kind === 'internal' ? rr.routerConfig.asn : null),
      configuredHoldTime: g?.holdTime ?? null,
      description: n?.description ?? null,
      prefixes: counts.get(p.name) ?? {},
    };
  });
}

/** Peers sorted the way `show bgp summary` lists them: IPv4 before IPv6, numerically. */
export function sortedPeers(rr: RouteReflector): Peer[] {
  const key = (a: string): string => {
    const v4 = parseIpv4(a);
    if (v4 >= 0) return `4${v4.toString(16).padStart(8, '0')}`;
    return `6${parseIpv6(a)?.toString('hex') ?? a}`;
  };
  return rr.speaker.allPeers().sort((a, b) => (key(a.name) < key(b.name) ? -1 : key(a.name) > key(b.name) ? 1 : 0));
}

export function neighborsView(rr: RouteReflector, address?: string): NeighborView[] {
  const peers = address === undefined ? sortedPeers(rr) : [rr.speaker.getPeer(address)].filter((p): p is Peer => p !== undefined);
  return neighborViews(rr, peers);
}

export function summaryView(rr: RouteReflector, now = Date.now()): SummaryView {
  const c = rr.routerConfig;
  const stats = rr.reflector.stats();
  const peers = sortedPeers(rr);
  const byState: Record<string, number> = {};
  for (const p of peers) byState[p.state] = (byState[p.state] ?? 0) + 1;
  const mem = process.memoryUsage();
  const clusterIds = [...new Set([c.routerId, ...c.groups.map((g) => g.clusterId)].map((x) => x >>> 0))].map(ipv4ToString);
  return {
    routerId: c.routerIdText,
    asn: c.asn,
    hostname: c.hostname,
    clusterIds,
    startedAt: new Date(rr.startTime).toISOString(),
    uptimeSeconds: Math.max(0, Math.floor((now - rr.startTime) / 1000)),
    families: Object.keys(stats.prefixes)
      .sort()
      .map((family) => ({ family, prefixes: stats.prefixes[family] ?? 0, paths: stats.paths[family] ?? 0 })),
    attributeSets: stats.attributeSets,
    updateGroups: stats.groups,
    decisionRuns: stats.decisionRuns,
    pendingDecisions: rr.reflector.rib.pendingDecisions,
    memory: { rssBytes: mem.rss, heapUsedBytes: mem.heapUsed },
    peers: { total: peers.length, established: byState['Established'] ?? 0, dynamic: rr.speaker.dynamicPeerCount(), byState },
    neighbors: neighborViews(rr, peers),
  };
}

// ===== routes =====

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
    const fam = familyName(f.afi, f.safi);
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
    if (src === undefined || !eligible(src, best.set, g.target)) return null;
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
