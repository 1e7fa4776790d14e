/**
 * The route reflector process as a whole (composition root for `meshrr rr` and the meshrr
 * pod): a Speaker for sessions, a Reflector for routes, wired together from a RouterConfig.
 * It owns what needs both sides or a clock: peer indices, graceful restart timers (helper
 * mode, RFC 4724 §4.2), the R bit after our own restart, and max-prefix (RFC 4486 Cease 1).
 */
import type { Logger } from 'pino';
import { AFI, CEASE_SUB, ERR, SAFI } from '../wire/iana.js';
import { MeshrrError } from '../errors.js';
import { planReload, type ReloadPlan } from './reload.js';
import { MaxPrefixGuard } from './max-prefix.js';
import { GracefulRestartHelper } from './gr-helper.js';
import type { NotificationFields } from '../wire/errors.js';
import { Speaker, type ListenRange, type NeighborSpec } from '../session/speaker.js';
import type { Peer, PeerHooks } from '../session/peer.js';
import { addressOctets } from '../session/cidr.js';
import { Reflector } from '../reflect/reflector.js';
import { exportRuleFor, importRuleFor } from './policy-rules.js';
import type { GroupConfig, NeighborConfig, RouterConfig } from '../config/router-config-types.js';
import { groupSessionConfig, localConfig } from './session-config.js';
import { observeHooks, RouterObservers } from './observe.js';
import { PeerIndex } from './peer-index.js';

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
  private readonly peerIndex = new PeerIndex();
  private readonly groups = new Map<string, GroupConfig>();
  /** Selection deferral after our restart: peers whose End-of-RIB we still wait for, by family count. */
  private readonly awaitingEor = new Map<number, Set<string>>();
  private deferTimer: NodeJS.Timeout | null = null;
  private config: RouterConfig;
  private readonly log: Logger;
  private readonly maxPrefix: MaxPrefixGuard;
  private readonly grHelper: GracefulRestartHelper;
  private readonly startedAt: number;
  private readonly restarted: boolean;

  constructor(opts: RouteReflectorOptions) {
    this.config = opts.config;
    this.log = opts.log;
    this.startedAt = opts.startedAt ?? Date.now();
    this.maxPrefix = new MaxPrefixGuard(opts.log, {
      peerPaths: (index) => this.reflector.peerPathCount(index),
      totalPaths: () => {
        let total = 0;
        for (const f of this.reflector.rib.families.values()) total += f.pathCount;
        return total;
      },
      maxRoutes: () => this.config.maxRoutes,
      holdDown: (address, seconds, why) => this.speaker.holdDown(address, seconds, why),
    });
    this.restarted = opts.restarted === true;
    const c = opts.config;
    for (const g of c.groups) this.groups.set(g.name, g);
    this.reflector = new Reflector({
      now: () => performance.now(),
      routerId: c.routerId,
      localAs: c.asn,
      clusterIds: clusterIdsOf(c),
      decision: { alwaysCompareMed: c.alwaysCompareMed, deterministicMed: c.deterministicMed },
    });
    this.grHelper = new GracefulRestartHelper(this.reflector, opts.log, () => this.config.gracefulRestart.staleRoutesTime);
    this.speaker = new Speaker({
      local: localConfig(c),
      listen: c.listen,
      maxDynamicPeers: c.maxDynamicPeers,
      ...(c.connectionRate !== undefined ? { connectionRate: c.connectionRate } : {}),
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
        ranges.push({ prefix, group: g.name, config: groupSessionConfig(c, g, restarting, g.peerAs, true, { range: prefix }), ...(g.maxDynamicPeers !== null ? { maxPeers: g.maxDynamicPeers } : {}) });
      }
      for (const n of g.neighbors) this.speaker.addNeighbor(this.neighborSpec(g, n, restarting));
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

  private neighborSpec(g: GroupConfig, n: NeighborConfig, restarting: boolean): NeighborSpec {
    return {
      address: n.address,
      port: n.port,
      group: g.name,
      origin: 'static',
      config: groupSessionConfig(this.config, g, restarting, n.peerAs ?? g.peerAs, n.passive ?? g.passive, { neighbor: n }),
      ...(n.localAddress !== null ? { localAddress: n.localAddress } : {}),
    };
  }

  /** A configured neighbour's own import policy wins over its group's. */
  private importRule(g: GroupConfig, peerName: string): ReturnType<typeof importRuleFor> {
    const own = g.neighbors.find((n) => n.address === peerName)?.importPolicy ?? null;
    return importRuleFor(g, this.config.policySet, own);
  }

  /**
   * Applies a new router config live (src/rr/reload.ts says what each change does). Throws a
   * MeshrrError MESHRR_RELOAD_REFUSED, keeping the running config, when the change needs a
   * restart. Sessions whose settings did not change are not touched.
   */
  async reload(next: RouterConfig): Promise<ReloadPlan> {
    const plan = planReload(this.config, next);
    if (plan.refused.length > 0) {
      throw new MeshrrError('MESHRR_RELOAD_REFUSED', `the new router config needs a restart (${plan.refused.join('; ')}); the running config is kept`);
    }
    const c = plan.config;
    this.config = c;
    this.groups.clear();
    for (const g of c.groups) this.groups.set(g.name, g);
    this.reflector.rib.setClusterIds(clusterIdsOf(c));
    const restarting = this.restarting();
    const reset: NotificationFields = { code: ERR.CEASE, subcode: CEASE_SUB.OTHER_CONFIGURATION_CHANGE, data: Buffer.alloc(0) };
    const work: Promise<void>[] = [];
    const removed = new Set(plan.groupsRemoved);
    const resetGroups = new Set(plan.groupsReset);
    for (const peer of this.speaker.allPeers()) {
      if (removed.has(peer.group)) work.push(this.speaker.removeNeighbor(peer.remoteAddress));
      else if (resetGroups.has(peer.group)) {
        const g = this.groups.get(peer.group) as GroupConfig;
        const again = peer.origin === 'dns' ? { address: peer.remoteAddress, port: peer.remotePort } : null;
        work.push(
          this.speaker.removeNeighbor(peer.remoteAddress, reset).then(() => {
            if (again !== null) this.speaker.addNeighbor({ ...again, group: g.name, origin: 'dns', config: groupSessionConfig(c, g, restarting) });
          }),
        );
      }
    }
    await Promise.all(work);
    for (const name of [...plan.groupsAdded, ...plan.groupsReset]) {
      const g = this.groups.get(name) as GroupConfig;
      for (const n of g.neighbors) this.speaker.addNeighbor(this.neighborSpec(g, n, restarting));
    }
    for (const { address } of plan.neighborsRemoved) await this.speaker.removeNeighbor(address);
    for (const { group, neighbor } of plan.neighborsReset) {
      await this.speaker.removeNeighbor(neighbor.address, reset);
      this.speaker.addNeighbor(this.neighborSpec(this.groups.get(group) as GroupConfig, neighbor, restarting));
    }
    for (const { group, neighbor } of plan.neighborsAdded) {
      const existing = this.speaker.getPeer(neighbor.address);
      if (existing !== undefined && existing.origin !== 'static') await this.speaker.removeNeighbor(neighbor.address);
      this.speaker.addNeighbor(this.neighborSpec(this.groups.get(group) as GroupConfig, neighbor, restarting));
    }
    for (const name of plan.groupsRemoved) this.runtimeRanges.delete(name);
    this.applyListenRanges();
    const groupOf = (p: { group: string }): GroupConfig | undefined => this.groups.get(p.group);
    this.reflector.updateExportRules((p) => {
      const g = groupOf(p);
      return g === undefined ? undefined : exportRuleFor(g, c.policySet);
    });
    const reevaluated = this.reflector.updateImportRules((p) => {
      const g = groupOf(p);
      const name = this.peerIndex.nameOf(p.index);
      return g === undefined || name === undefined ? undefined : this.importRule(g, name);
    });
    this.log.info(
      {
        groupsAdded: plan.groupsAdded,
        groupsRemoved: plan.groupsRemoved,
        groupsReset: plan.groupsReset,
        neighborsAdded: plan.neighborsAdded.length,
        neighborsRemoved: plan.neighborsRemoved.length,
        neighborsReset: plan.neighborsReset.length,
        policiesChanged: plan.policiesChanged,
        pathsReevaluated: reevaluated,
      },
      'configApplied',
    );
    return plan;
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
    this.grHelper.stop();
    this.maxPrefix.stop();
    await this.speaker.shutdown(text);
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
    this.applyListenRanges();
  }

  private applyListenRanges(): void {
    const restarting = this.restarting();
    const ranges: ListenRange[] = [];
    for (const g of this.config.groups) {
      for (const prefix of this.runtimeRanges.get(g.name) ?? g.listenRanges) {
        ranges.push({ prefix, group: g.name, config: groupSessionConfig(this.config, g, restarting, g.peerAs, true, { range: prefix }), ...(g.maxDynamicPeers !== null ? { maxPeers: g.maxDynamicPeers } : {}) });
      }
    }
    this.speaker.setListenRanges(ranges);
  }

  isEstablished(address: string): boolean {
    return this.speaker.getPeer(address)?.state === 'Established';
  }

  /** Paths the named peer (its address) has in the RIB, all families; 0 when unknown. */
  peerPathCount(peerName: string): number {
    const i = this.peerIndex.get(peerName);
    return i === undefined ? 0 : this.reflector.peerPathCount(i);
  }

  private restarting(): boolean {
    const gr = this.config.gracefulRestart;
    return this.restarted && gr.enabled && Date.now() - this.startedAt < gr.restartTime * 1000;
  }

  private index(peer: Peer): number {
    return this.peerIndex.of(peer.name);
  }

  private readonly hooks: PeerHooks = {
    onEstablished: (peer, neg) => {
      const g = this.groups.get(peer.group);
      if (g === undefined) return;
      const index = this.index(peer);
      const address = addressOctets(peer.remoteAddress) ?? Buffer.alloc(4);
      const local = peer.session?.localSocketAddress ?? null;
      if (this.reflector.isDeferred && neg.gracefulRestart !== null) {
        this.awaitingEor.set(index, new Set(neg.families.map((f) => `${f.afi}/${f.safi}`)));
      }
      this.grHelper.established(index, peer.name, neg);
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
        // RFC 8950: IPv4 unicast routes with IPv6 next hops only to peers that negotiated 1/1/2.
        extendedNextHop: neg.extendedNextHop.some((e) => e.afi === AFI.IPV4 && e.safi === SAFI.UNICAST && e.nextHopAfi === AFI.IPV6),
        families: neg.families,
        encodeCtx: neg.encodeCtx,
        group: g.name,
        peerAs: neg.peerAs,
        localAddress: local === null ? null : addressOctets(local.startsWith('::ffff:') ? local.slice(7) : local),
        exportRule: exportRuleFor(g, this.config.policySet),
        importRule: this.importRule(g, peer.name),
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
      if (down.retainRoutes) this.grHelper.down(index, peer.name);
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
      this.maxPrefix.check(peer, index, this.groups.get(peer.group));
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
    return this.peerIndex.get(peerName);
  }

  /** The peer name behind a RIB peer index (O(1): status walks call it per path). */
  peerNameOf(index: number): string | undefined {
    return this.peerIndex.nameOf(index);
  }

  /** The group config of a group name. */
  groupConfig(name: string): GroupConfig | undefined {
    return this.groups.get(name);
  }
}

/** Every cluster ID this router uses: loop detection (RFC 4456 §8) checks them all. */
function clusterIdsOf(c: RouterConfig): number[] {
  return [...new Set([c.routerId, ...c.groups.map((g) => g.clusterId)])];
}
