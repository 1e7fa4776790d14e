/**
 * The JSON views of the status API (issue 9), built from a running RouteReflector on
 * request: summary, neighbours, routes (routes-view.ts), discovery and config. Read-only: nothing here
 * changes the router, and every view is built in one synchronous pass, so it is a
 * consistent snapshot of one event-loop turn.
 *
 * Prefix counts per neighbour and family:
 * 1. received: paths the peer has in the RIB (Adj-RIB-In, after RFC 4456 §8 loop drops and
 *    RFC 7606 treat-as-withdraw, which remove a route instead of storing it);
 * 2. accepted: of those, what import policy kept (Rib.peerCounts);
 * 3. advertised: what the peer's update group holds in its Adj-RIB-Out, less the routes whose
 *    best path came from the peer itself (an RR never sends a route back to its sender).
 * "Why the best won": the decision process ranks the paths (rib/best-path.ts); each path
 * carries the rule by which the one ranked just above it beat it, the best the rule by which
 * it beat the second (`onlyPath` when alone).
 */
import type { RouteReflector } from '../rr/route-reflector.js';
import type { Peer } from '../session/peer.js';
import type { PeerStatus } from '../session/peer-status.js';
import type { UpdateGroup } from '../reflect/update-group.js';
import type { AdvertisedCounts } from '../reflect/adj-rib-out.js';
import { familyLabel } from '../policy/family.js';
import { ipv4ToString, parseIpv4, parseIpv6 } from '../wire/nlri.js';
import { groupOfIndex } from './view-helpers.js';

export { QueryError } from './view-helpers.js';
export { routesView } from './routes-view.js';
export type { PathView, RouteView, RoutesQuery, RoutesView } from './routes-view.js';

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


function foundBy(origin: string): FoundBy {
  if (origin === 'dns') return 'discovery';
  if (origin === 'listenRange' || origin === 'kubernetes') return origin;
  return 'static';
}

/** Prefix counts per family for every peer with a RIB index (one Adj-RIB-Out walk per group and family). */
export function prefixCounts(rr: RouteReflector, peers: readonly Peer[]): Map<string, Record<string, FamilyCounts>> {
  const out = new Map<string, Record<string, FamilyCounts>>();
  const fams = [...rr.reflector.rib.families.values()];
  const walked = new Map<UpdateGroup, Map<number, AdvertisedCounts>>();
  for (const peer of peers) {
    const index = rr.peerIndexOf(peer.name);
    const counts: Record<string, FamilyCounts> = {};
    const negotiated = peer.negotiated?.families ?? [];
    for (const f of fams) {
      const name = familyLabel(f.afi, f.safi);
      const carried = negotiated.some((x) => x.afi === f.afi && x.safi === f.safi);
      const received = index === undefined ? 0 : f.peerPathCount(index);
      if (!carried && received === 0) continue;
      let advertised = 0;
      const g = index === undefined || peer.state !== 'Established' ? undefined : groupOfIndex(rr, index);
      const fi = g === undefined ? -1 : g.familyIndex(f.afi, f.safi);
      if (g !== undefined && fi >= 0 && index !== undefined) {
        let byFamily = walked.get(g);
        if (byFamily === undefined) walked.set(g, (byFamily = new Map()));
        let c = byFamily.get(fi);
        if (c === undefined) byFamily.set(fi, (c = g.advertisedCounts(fi)));
        advertised = c.total - (c.onlyFrom.get(index) ?? 0);
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
