/**
 * The route reflector process as a whole (composition root for `meshrr rr` and the meshrr
 * pod): a Speaker for sessions, a Reflector for routes, wired together from a RouterConfig.
 * It owns what needs both sides or a clock: peer indices, graceful restart timers (helper
 * mode, RFC 4724 §4.2), the R bit after our own restart, and max-prefix (RFC 4486 Cease 1).
 */
import type { Logger } from 'pino';
import { CEASE_SUB, ERR } from '../wire/iana.js';
import type { NotificationFields } from '../wire/errors.js';
import { Speaker, type ListenRange } from '../session/speaker.js';
import type { Peer, PeerHooks } from '../session/peer.js';
import { addressOctets } from '../session/cidr.js';
import { Reflector } from '../reflect/reflector.js';
import type { GroupConfig, RouterConfig } from '../config/router-config-types.js';
import type { Negotiated } from '../session/negotiate.js';
import { FAMILY, groupSessionConfig, localConfig } from './session-config.js';
import { observeHooks, RouterObservers } from './observe.js';

export interface RouteReflectorOptions {
  readonly config: RouterConfig;
  readonly log: Logger;
  /** ms since the process started (decides the graceful restart R bit). */
  readonly startedAt?: number;
  /**
   * This start is a restart (a previous instance ran with the same identity moments ago, as a
   * marker in the pod's state directory shows): set the R bit and defer route selection
   * (RFC 4724 §4.1). A cold start does neither, since no peer keeps routes from us.
   */
  readonly restarted?: boolean;
}

export class RouteReflector {
  readonly speaker: Speaker;
  readonly reflector: Reflector;
  private readonly indexOf = new Map<string, number>();
  private readonly groups = new Map<string, GroupConfig>();
  private readonly staleTimers = new Map<number, NodeJS.Timeout>();
  private readonly restartTimers = new Set<NodeJS.Timeout>();
  private nextIndex = 1;
  /** Selection deferral after our restart: peers whose End-of-RIB we still wait for, by family count. */
  private readonly awaitingEor = new Map<number, Set<string>>();
  private deferTimer: NodeJS.Timeout | null = null;
  private readonly config: RouterConfig;
  private readonly log: Logger;
  private readonly startedAt: number;
  private readonly restarted: boolean;

  constructor(opts: RouteReflectorOptions) {
    this.config = opts.config;
    this.log = opts.log;
    this.startedAt = opts.startedAt ?? Date.now();
    this.restarted = opts.restarted === true;
    const c = opts.config;
    for (const g of c.groups) this.groups.set(g.name, g);
    this.reflector = new Reflector({
      routerId: c.routerId,
      localAs: c.asn,
      clusterIds: [...new Set([c.routerId, ...c.groups.map((g) => g.clusterId)])],
      decision: { alwaysCompareMed: c.alwaysCompareMed, deterministicMed: c.deterministicMed },
    });
    this.speaker = new Speaker({
      local: localConfig(c),
      listen: c.listen,
      maxDynamicPeers: c.maxDynamicPeers,
      log: opts.log.child({ component: 'session' }),
      hooks: observeHooks(this.hooks, this.observers),
    });
    this.observers.setLogger(opts.log.child({ component: 'observe' }));
  }

  /** Binds the listeners, then starts every configured neighbour. */
  async start(): Promise<void> {
    const c = this.config;
    if (c.listen.length > 0) await this.speaker.listen();
    const restarting = this.restarting();
    const ranges: ListenRange[] = [];
    for (const g of c.groups) {
      for (const prefix of g.listenRanges) {
        ranges.push({ prefix, group: g.name, config: groupSessionConfig(c, g, restarting, g.peerAs, true), ...(g.maxDynamicPeers !== null ? { maxPeers: g.maxDynamicPeers } : {}) });
      }
      for (const n of g.neighbors) {
        this.speaker.addNeighbor({
          address: n.address,
          port: n.port,
          group: g.name,
          origin: 'static',
          config: groupSessionConfig(c, g, restarting, n.peerAs ?? g.peerAs, n.passive ?? g.passive),
          ...(n.localAddress !== null ? { localAddress: n.localAddress } : {}),
        });
      }
    }
    this.speaker.setListenRanges(ranges);
    if (restarting) {
      // RFC 4724 §4.1: we restarted; peers keep our routes as stale until our End-of-RIB, so
      // we first learn their tables (their End-of-RIBs) and only then advertise, complete.
      const wait = Math.min(c.gracefulRestart.restartTime, 120);
      this.reflector.setDeferred(true);
      this.deferTimer = setTimeout(() => this.endDeferral('timer'), wait * 1000);
      this.log.info({ waitSeconds: wait }, 'selectionDeferral');
    }
    this.log.info({ routerId: c.routerIdText, asn: c.asn, groups: c.groups.length, listen: c.listen }, 'configApplied');
  }

  private endDeferral(why: string): void {
    if (!this.reflector.isDeferred) return;
    if (this.deferTimer !== null) clearTimeout(this.deferTimer);
    this.deferTimer = null;
    this.awaitingEor.clear();
    this.reflector.setDeferred(false);
    this.log.info({ why }, 'selectionDeferralEnded');
  }

  /** Cease / Administrative Shutdown with `text` to every peer (RFC 9003), then stop. */
  async stop(text: string): Promise<void> {
    if (this.deferTimer !== null) clearTimeout(this.deferTimer);
    for (const t of this.staleTimers.values()) clearTimeout(t);
    for (const t of this.restartTimers) clearTimeout(t);
    await this.speaker.shutdown(text);
  }

  /** The Restart Time each peer advertised on its last session (RFC 4724 §3). */
  private readonly peerRestartTime = new Map<number, number>();
  /** The families each peer listed in its graceful restart capability on its last session. */
  private readonly peerGrFamilies = new Map<number, readonly { readonly afi: number; readonly safi: number }[]>();

  private startStaleTimer(index: number, name: string, seconds: number, why: string): void {
    const old = this.staleTimers.get(index);
    if (old !== undefined) clearTimeout(old);
    this.staleTimers.set(
      index,
      setTimeout(() => {
        this.staleTimers.delete(index);
        const n = this.reflector.sweepStale(index);
        this.log.info({ peer: name, swept: n, reason: why }, 'staleRoutesSwept');
      }, seconds * 1000),
    );
  }

  /**
   * A peer whose routes we keep as stale is back (RFC 4724 §4.2): without graceful restart on
   * the new session, or for a family whose F bit is now clear, the stale routes go at once;
   * the rest wait for its End-of-RIB, at most our stale-routes time.
   */
  private peerReturned(index: number, name: string, neg: Negotiated): void {
    const gr = neg.gracefulRestart;
    if (gr === null) {
      const old = this.staleTimers.get(index);
      if (old !== undefined) clearTimeout(old);
      this.staleTimers.delete(index);
      const n = this.reflector.sweepStale(index);
      this.log.info({ peer: name, swept: n, reason: 'peer came back without graceful restart' }, 'staleRoutesSwept');
      return;
    }
    for (const f of this.reflector.rib.families.values()) {
      const kept = gr.families.some((x) => x.afi === f.afi && x.safi === f.safi && x.forwardingPreserved);
      if (!kept) this.reflector.sweepStaleFamily(index, f.afi, f.safi);
    }
    this.startStaleTimer(index, name, this.config.gracefulRestart.staleRoutesTime, 'no End-of-RIB within the stale-routes time');
  }

  /** Per group listen ranges set at run time (the pod's allow ranges), replacing the config's. */
  private readonly runtimeRanges = new Map<string, readonly string[]>();

  /**
   * Adds a discovered neighbour to a group of the config (the meshrr pod, issue 7). A dynamic
   * session from that address, if any, is closed first: an explicit neighbour always wins.
   */
  async addDiscoveredNeighbor(group: string, address: string, port = 179): Promise<void> {
    const g = this.groups.get(group);
    if (g === undefined) throw new Error(`no group ${group} in the router config`);
    const existing = this.speaker.getPeer(address);
    if (existing !== undefined && existing.origin === 'listenRange') await this.speaker.removeNeighbor(address);
    this.speaker.addNeighbor({ address, port, group, origin: 'dns', config: groupSessionConfig(this.config, g, this.restarting()) });
  }

  async removeNeighbor(address: string, notification?: NotificationFields): Promise<void> {
    await this.speaker.removeNeighbor(address, ...(notification !== undefined ? [notification] : []));
  }

  /** Replaces one group's listen ranges (every other group keeps its own). */
  setGroupListenRanges(group: string, prefixes: readonly string[]): void {
    this.runtimeRanges.set(group, prefixes);
    const restarting = this.restarting();
    const ranges: ListenRange[] = [];
    for (const g of this.config.groups) {
      for (const prefix of this.runtimeRanges.get(g.name) ?? g.listenRanges) {
        ranges.push({ prefix, group: g.name, config: groupSessionConfig(this.config, g, restarting, g.peerAs, true), ...(g.maxDynamicPeers !== null ? { maxPeers: g.maxDynamicPeers } : {}) });
      }
    }
    this.speaker.setListenRanges(ranges);
  }

  isEstablished(address: string): boolean {
    return this.speaker.getPeer(address)?.state === 'Established';
  }

  /** Paths the named peer (its address) has in the RIB, all families; 0 when unknown. */
  peerPathCount(peerName: string): number {
    const i = this.indexOf.get(peerName);
    return i === undefined ? 0 : this.reflector.peerPathCount(i);
  }

  private restarting(): boolean {
    const gr = this.config.gracefulRestart;
    return this.restarted && gr.enabled && Date.now() - this.startedAt < gr.restartTime * 1000;
  }

  private index(peer: Peer): number {
    let i = this.indexOf.get(peer.name);
    if (i === undefined) {
      i = this.nextIndex++;
      this.indexOf.set(peer.name, i);
    }
    return i;
  }

  private readonly hooks: PeerHooks = {
    onEstablished: (peer, neg) => {
      const g = this.groups.get(peer.group);
      if (g === undefined) return;
      const index = this.index(peer);
      const address = addressOctets(peer.remoteAddress) ?? Buffer.alloc(4);
      if (this.reflector.isDeferred && neg.gracefulRestart !== null) {
        this.awaitingEor.set(index, new Set(neg.families.map((f) => `${f.afi}/${f.safi}`)));
      }
      this.peerRestartTime.set(index, neg.gracefulRestart?.restartTime ?? 0);
      this.peerGrFamilies.set(index, neg.gracefulRestart?.families ?? []);
      if (this.staleTimers.has(index)) this.peerReturned(index, peer.name, neg);
      this.reflector.peerUp({
        index,
        role: g.role,
        clusterId: g.clusterId,
        clientToClient: g.clientToClient,
        routeServer: g.routeServer,
        bgpId: neg.peerBgpId,
        address,
        as4: neg.as4,
        extendedMessage: neg.extendedMessage,
        families: neg.families,
        encodeCtx: neg.encodeCtx,
        exportPolicy: g.exportPolicy ?? '',
        addPathSend: g.addPathSend,
        addPathFamilies: neg.addPath.send,
        port: {
          index,
          write: (msg: Buffer) => peer.write(msg),
          cork: () => peer.cork(),
          uncork: () => peer.uncork(),
          get writable() {
            return peer.writable;
          },
        },
      });
    },
    onDown: (peer, down) => {
      const index = this.index(peer);
      if (this.awaitingEor.delete(index) && this.awaitingEor.size === 0) this.endDeferral('the last awaited peer went down');
      this.reflector.peerDown(index, down.retainRoutes);
      if (down.retainRoutes) {
        // RFC 4724 §4.2: only the families the peer listed in its capability are kept; a
        // helper-only peer (no family listed) loses its routes at once.
        const listed = this.peerGrFamilies.get(index) ?? [];
        for (const f of this.reflector.rib.families.values()) {
          if (!listed.some((x) => x.afi === f.afi && x.safi === f.safi)) this.reflector.sweepStaleFamily(index, f.afi, f.safi);
        }
        // RFC 4724 §4.2: keep the routes as stale while the peer restarts; if the session is not
        // back within the peer's Restart Time (capped by our stale-routes time), they go.
        const restart = Math.min(this.peerRestartTime.get(index) ?? 0, this.config.gracefulRestart.staleRoutesTime);
        this.startStaleTimer(index, peer.name, restart, 'peer did not come back within its restart time');
      }
    },
    onUpdate: (peer, u) => {
      const index = this.index(peer);
      const eor = this.reflector.onUpdate(index, u.update, u.action === 'treatAsWithdraw');
      if (eor !== null) {
        const waiting = this.awaitingEor.get(index);
        if (waiting !== undefined) {
          waiting.delete(`${eor.afi}/${eor.safi}`);
          if (waiting.size === 0) this.awaitingEor.delete(index);
          if (this.awaitingEor.size === 0) this.endDeferral('every peer sent End-of-RIB');
        }
        const swept = this.reflector.sweepStaleFamily(index, eor.afi, eor.safi);
        if (swept > 0) this.log.info({ peer: peer.name, afi: eor.afi, safi: eor.safi, swept }, 'staleRoutesSwept');
        return;
      }
      this.checkMaxPrefix(peer, index);
    },
    onRouteRefresh: (peer, rr) => {
      const index = this.index(peer);
      const enhanced = peer.negotiated?.enhancedRouteRefresh === true;
      // RFC 7313 §4: a request (0) asks for our table; BoRR (1) / EoRR (2) frame the peer's resend.
      if (rr.subtype === 0) this.reflector.onRouteRefresh(index, rr.afi, rr.safi, enhanced);
      else if (rr.subtype === 1 && enhanced) this.reflector.beginOfRefresh(index, rr.afi, rr.safi);
      else if (rr.subtype === 2 && enhanced) this.reflector.endOfRefresh(index, rr.afi, rr.safi);
    },
    onDrain: (peer) => this.reflector.onDrain(this.index(peer)),
    onIdle: () => undefined,
  };

  private checkMaxPrefix(peer: Peer, index: number): void {
    const g = this.groups.get(peer.group);
    const mp = g?.maxPrefix ?? null;
    if (mp === null) return;
    const n = this.reflector.peerPathCount(index);
    if (n <= mp.limit) {
      if (n * 100 >= mp.limit * mp.warningPercent) this.log.warn({ peer: peer.name, prefixes: n, limit: mp.limit }, 'maxPrefixWarning');
      return;
    }
    // RFC 4486 §4: Cease / Maximum Number of Prefixes Reached, data AFI, SAFI, upper bound.
    const fam = FAMILY[g?.families[0] ?? 'ipv4-unicast'];
    const data = Buffer.alloc(7);
    data.writeUInt16BE(fam.afi, 0);
    data[2] = fam.safi;
    data.writeUInt32BE(mp.limit >>> 0, 3);
    const n2: NotificationFields = { code: ERR.CEASE, subcode: CEASE_SUB.MAX_PREFIXES_REACHED, data };
    this.log.warn({ peer: peer.name, prefixes: n, limit: mp.limit }, 'maxPrefixExceeded');
    void peer.stop(n2).then(() => {
      if (mp.restartSeconds > 0) {
        const t = setTimeout(() => {
          this.restartTimers.delete(t);
          peer.start();
        }, mp.restartSeconds * 1000);
        this.restartTimers.add(t);
      }
    });
  }

  // ===== observation (issue 9): read-only accessors and the session event hook =====

  /** Session events (peer up/down, received UPDATEs) for status, metrics, BMP and k8s Events. */
  readonly observers = new RouterObservers();

  /** The router config this instance runs with. */
  get routerConfig(): RouterConfig {
    return this.config;
  }

  /** Wall-clock ms when this instance was created (or the process start it was given). */
  get startTime(): number {
    return this.startedAt;
  }

  /** The RIB peer index of a peer (by name, its address), if it ever had a session. */
  peerIndexOf(peerName: string): number | undefined {
    return this.indexOf.get(peerName);
  }

  /** index -> name, rebuilt when indexOf grew (it never shrinks: an index is kept for good). */
  private namesByIndex: string[] = [];
  private namesKnown = 0;

  /** The peer name behind a RIB peer index (O(1): status walks call it per path). */
  peerNameOf(index: number): string | undefined {
    if (this.namesKnown !== this.indexOf.size) {
      this.namesByIndex = [];
      for (const [name, i] of this.indexOf) this.namesByIndex[i] = name;
      this.namesKnown = this.indexOf.size;
    }
    return this.namesByIndex[index];
  }

  /** The group config of a group name. */
  groupConfig(name: string): GroupConfig | undefined {
    return this.groups.get(name);
  }
}
