/**
 * The demo mesh in one process: six RouteReflectors (the real composition root of `meshrr
 * rr`, each from its own router config) and four DemoRouters, started tier by tier (core,
 * regional, routers) so that most first connections find a listener; a connection that does
 * not is retried after the 1 s connect retry / idle hold time of the demo configs.
 *
 * It reads state only through public status (Peer.status(), Reflector.stats(), the routers'
 * Adj-RIB-In) and turns it into a typed, JSON-ready DemoSnapshot for the renderer.
 *
 * Owns: start order, convergence, the snapshot, and the shutdown report (every session must
 * end with Cease / Administrative Shutdown, RFC 4486 + RFC 9003). Must not: print.
 */
import type { Logger } from 'pino';
import { CEASE_SUB, ERR } from '../wire/iana.js';
import { ipv4ToString } from '../wire/nlri.js';
import type { Peer } from '../session/peer.js';
import type { StateName } from '../session/fsm.js';
import type { Speaker } from '../session/speaker.js';
import type { LastNotification } from '../session/stats.js';
import type { RouterConfig } from '../config/router-config.js';
import { RouteReflector } from '../rr/route-reflector.js';
import { reflectorConfigs } from './configs.js';
import { DemoRouter, type RouterPath } from './router.js';
import { COMMUNITY_LOW_PREF_UPSTREAM, COMMUNITY_REGION_ONLY, expectedSessions, REFLECTORS, REGIONS, regionalReflectors, ROUTERS, type Announcement, type ReflectorNode, type Tier } from './topology.js';

export interface SessionRow {
  readonly peer: string;
  readonly peerName: string;
  readonly group: string;
  readonly role: 'client' | 'non-client' | 'ebgp';
  readonly state: StateName;
  readonly uptimeMs: number | null;
  readonly updatesReceived: number;
  readonly updatesSent: number;
  readonly lastDownReason: string | null;
}

export interface ReflectorView {
  readonly name: string;
  readonly tier: Tier;
  readonly region: string | null;
  readonly address: string;
  /** Cluster ID of its MESHRR-CLIENTS group. */
  readonly clusterId: string;
  readonly locRib: { readonly prefixes: number; readonly paths: number };
  readonly sessions: readonly SessionRow[];
}

export interface RouterView {
  readonly name: string;
  readonly region: string;
  readonly address: string;
  readonly announces: readonly Announcement[];
  readonly paths: readonly RouterPath[];
  readonly loopsDropped: number;
}

export interface DemoSnapshot {
  readonly type: 'snapshot';
  /** ms since start() was called. */
  readonly elapsedMs: number;
  readonly port: number;
  readonly sessionsUp: number;
  readonly sessionsExpected: number;
  readonly reflectors: readonly ReflectorView[];
  readonly routers: readonly RouterView[];
  /** The regional policy at work (configs.ts REGIONAL_POLICIES), from what the routers hold. */
  readonly policy: {
    readonly active: true;
    /** Paths of 65000:101 routes held by routers of another region (the policy keeps it 0). */
    readonly regionOnlyLeaked: number;
    /** LOCAL_PREF of every 65000:102 path held outside its region (20 by the policy). */
    readonly lowPrefAbroad: readonly (number | null)[];
    /** LOCAL_PREF of every 65000:102 path held inside its region (unchanged). */
    readonly lowPrefAtHome: readonly (number | null)[];
    readonly note: string;
  };
}

export interface StopReport {
  readonly type: 'stopped';
  readonly sessions: number;
  /** Sessions whose end carried Cease / Administrative Shutdown (either direction). */
  readonly closedWithCease: number;
  /** Peers with a connection still open after shutdown (must be 0). */
  readonly sessionsLeft: number;
  readonly stopMs: number;
}

interface RunningReflector {
  readonly node: ReflectorNode;
  readonly config: RouterConfig;
  readonly yaml: string;
  readonly rr: RouteReflector;
}

const ROLE_TEXT = { client: 'client', nonClient: 'non-client', ebgp: 'ebgp' } as const;

export class DemoMesh {
  readonly reflectors: readonly RunningReflector[];
  readonly routers: readonly DemoRouter[];
  private startedAt = 0;

  constructor(private readonly opts: { readonly port: number; readonly log: Logger }) {
    this.reflectors = reflectorConfigs(opts.port).map(({ node, config, yaml }) => ({
      node,
      config,
      yaml,
      rr: new RouteReflector({ config, log: opts.log.child({ node: node.name }) }),
    }));
    this.routers = ROUTERS.map((node) => {
      const region = REGIONS.find((r) => r.name === node.region);
      const rrs = region === undefined ? [] : regionalReflectors(region);
      return new DemoRouter(node, { port: opts.port, reflectors: rrs, log: opts.log.child({ node: node.name }) });
    });
  }

  /** Starts every node. @throws the listen error (EADDRINUSE, EADDRNOTAVAIL...) after stopping what started. */
  async start(): Promise<void> {
    this.startedAt = Date.now();
    const started: RunningReflector[] = [];
    try {
      for (const tier of ['core', 'regional'] as const) {
        const batch = this.reflectors.filter((r) => r.node.tier === tier);
        await Promise.all(
          batch.map(async (r) => {
            await r.rr.start();
            started.push(r);
          }),
        );
      }
    } catch (err) {
      await Promise.all(started.map((r) => r.rr.stop('meshrr demo could not start')));
      throw err;
    }
    for (const r of this.routers) r.start();
  }

  private speakerAt(address: string): Speaker | undefined {
    return this.reflectors.find((r) => r.node.address === address)?.rr.speaker ?? this.routers.find((r) => r.node.address === address)?.speaker;
  }

  /** Expected sessions that are Established (seen from the side listed first). */
  sessionsUp(): number {
    return expectedSessions().filter((s) => this.speakerAt(s.a)?.getPeer(s.b)?.state === 'Established').length;
  }

  /** Every session is up and every router holds each other router's prefixes from each of its reflectors. */
  converged(): boolean {
    if (this.sessionsUp() !== expectedSessions().length) return false;
    return this.routers.every((r) => {
      const have = new Set(r.paths().map((p) => `${p.prefix} ${p.from}`));
      const region = REGIONS.find((g) => g.name === r.node.region);
      const rrs = region === undefined ? [] : regionalReflectors(region);
      // The regional policy keeps 65000:101 routes of other regions away.
      const expected = (o: (typeof ROUTERS)[number], a: (typeof ROUTERS)[number]['announces'][number]): boolean => o.region === r.node.region || !a.communities.includes(COMMUNITY_REGION_ONLY);
      return ROUTERS.filter((o) => o !== r.node).every((o) => o.announces.every((a) => !expected(o, a) || rrs.every((rr) => have.has(`${a.prefix} ${rr.address}`))));
    });
  }

  /** A number that changes whenever a router's received routes change. */
  routesVersion(): number {
    return this.routers.reduce((n, r) => n + r.version, 0);
  }

  snapshot(): DemoSnapshot {
    return {
      type: 'snapshot',
      elapsedMs: Date.now() - this.startedAt,
      port: this.opts.port,
      sessionsUp: this.sessionsUp(),
      sessionsExpected: expectedSessions().length,
      reflectors: this.reflectors.map((r) => this.reflectorView(r)),
      routers: this.routers.map((r) => ({
        name: r.node.name,
        region: r.node.region,
        address: r.node.address,
        announces: r.node.announces,
        paths: r.paths(),
        loopsDropped: r.loopsDropped,
      })),
      policy: this.policyView(),
    };
  }

  private policyView(): DemoSnapshot['policy'] {
    let regionOnlyLeaked = 0;
    const lowPrefAbroad: (number | null)[] = [];
    const lowPrefAtHome: (number | null)[] = [];
    for (const r of this.routers) {
      for (const p of r.paths()) {
        const origin = ROUTERS.find((o) => o.announces.some((a) => a.prefix === p.prefix));
        if (origin === undefined) continue;
        const home = origin.region === r.node.region;
        if (p.communities.includes(COMMUNITY_REGION_ONLY) && !home) regionOnlyLeaked++;
        if (p.communities.includes(COMMUNITY_LOW_PREF_UPSTREAM)) (home ? lowPrefAtHome : lowPrefAbroad).push(p.localPref);
      }
    }
    const values = (l: readonly (number | null)[]): string => [...new Set(l.map((v) => String(v ?? 'none')))].join('/');
    const note =
      `policy to-upstream at each region's boundary with the core: ${COMMUNITY_REGION_ONLY} routes stayed in their region ` +
      `(${regionOnlyLeaked} paths seen in the other region); ${COMMUNITY_LOW_PREF_UPSTREAM} routes reached the other region with LOCAL_PREF ${values(lowPrefAbroad)} ` +
      `(${lowPrefAbroad.length} paths) and kept LOCAL_PREF ${values(lowPrefAtHome)} at home`;
    return { active: true, regionOnlyLeaked, lowPrefAbroad, lowPrefAtHome, note };
  }

  private reflectorView(r: RunningReflector): ReflectorView {
    const clients = r.config.groups.find((g) => g.role === 'client');
    const stats = r.rr.reflector.stats();
    const sessions = r.rr.speaker
      .allPeers()
      .map((p): SessionRow => {
        const st = p.status();
        const role = r.config.groups.find((g) => g.name === p.group)?.role ?? 'nonClient';
        return {
          peer: p.name,
          peerName: REFLECTORS.find((n) => n.address === p.name)?.name ?? ROUTERS.find((n) => n.address === p.name)?.name ?? p.name,
          group: p.group,
          role: ROLE_TEXT[role],
          state: st.state,
          uptimeMs: st.uptimeMs,
          updatesReceived: st.messagesReceived.update,
          updatesSent: st.messagesSent.update,
          lastDownReason: st.lastDownReason,
        };
      })
      .sort((a, b) => groupOrder(a.group) - groupOrder(b.group) || a.peer.localeCompare(b.peer, 'en', { numeric: true }));
    return {
      name: r.node.name,
      tier: r.node.tier,
      region: r.node.region,
      address: r.node.address,
      clusterId: clients === undefined ? r.node.address : ipv4ToString(clients.clusterId),
      // Summed over families: the demo carries IPv4 unicast only, and the keys' spelling is not ours.
      locRib: { prefixes: sum(stats.prefixes), paths: sum(stats.paths) },
      sessions,
    };
  }

  /**
   * Administrative shutdown of every node at once: each peer gets Cease / Administrative
   * Shutdown with `text` (RFC 9003). Resolves with what happened to every expected session.
   */
  async stop(text: string): Promise<StopReport> {
    const t0 = Date.now();
    const peers = new Map<string, Peer>();
    for (const s of expectedSessions()) {
      for (const [owner, other] of [
        [s.a, s.b],
        [s.b, s.a],
      ] as const) {
        const p = this.speakerAt(owner)?.getPeer(other);
        if (p !== undefined) peers.set(`${owner}>${other}`, p);
      }
    }
    const all = [...this.reflectors.map((r) => r.rr.speaker), ...this.routers.map((r) => r.speaker)].flatMap((s) => s.allPeers());
    await Promise.all([...this.routers.map((r) => r.stop(text)), ...this.reflectors.map((r) => r.rr.stop(text))]);
    const sessions = expectedSessions();
    const closedWithCease = sessions.filter((s) => {
      const ends = [peers.get(`${s.a}>${s.b}`), peers.get(`${s.b}>${s.a}`)];
      return ends.some((p) => p !== undefined && (isAdminShutdown(p.stats.lastNotificationSent, t0) || isAdminShutdown(p.stats.lastNotificationReceived, t0)));
    }).length;
    const sessionsLeft = all.filter((p) => p.connectionStates().length > 0 || p.state === 'Established').length;
    return { type: 'stopped', sessions: sessions.length, closedWithCease, sessionsLeft, stopMs: Date.now() - t0 };
  }
}

/** Cease / Administrative Shutdown (possibly inside a Cease / Hard Reset, RFC 8538) sent or received since `since`. */
function isAdminShutdown(n: LastNotification | null, since: number): boolean {
  if (n === null || n.at < since || n.code !== ERR.CEASE) return false;
  if (n.subcode === CEASE_SUB.ADMINISTRATIVE_SHUTDOWN) return true;
  // The received side records the Hard Reset wrapper; its text names the inner NOTIFICATION.
  return n.subcode === CEASE_SUB.HARD_RESET && n.text.includes('Administrative Shutdown');
}

function sum(byFamily: Readonly<Record<string, number>>): number {
  return Object.values(byFamily).reduce((a, b) => a + b, 0);
}

function groupOrder(g: string): number {
  return g === 'MESHRR-MESH' ? 0 : g === 'MESHRR-UPSTREAM' ? 1 : g === 'MESHRR-CLIENTS' ? 2 : 3;
}
