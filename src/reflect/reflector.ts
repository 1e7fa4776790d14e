/**
 * The route reflector core: the RIB plus the update groups, driven by typed calls from the
 * session side (peer up/down, received UPDATEs, ROUTE-REFRESH, socket drain). Work is done in
 * bounded slices: received UPDATEs only mark prefixes dirty; one scheduled decision run per
 * turn handles at most DECIDE_PER_TURN prefixes, feeds every group, then the groups pack and
 * write; the rest continues on the next turn, so no session misses a KEEPALIVE.
 *
 * Groups are keyed by what changes the bytes on the wire: role, cluster ID, route-server
 * flag, 4-octet AS, extended message, the families both sides carry, and the export rule
 * (the policy name, or the default: accept for iBGP, nothing for eBGP per RFC 8212; with a
 * `nextHop: self` policy also the local address).
 *
 * Config reload (`updateExportRules`): a group whose policy keeps its name but changed
 * re-evaluates its Adj-RIB-Out and sends only the differences; a peer whose group now names
 * another policy moves to the matching update group and is sent that group's table (a
 * soft reset out, as FRR does when a peer changes update group).
 */
import type { CodecCtx } from '../wire/context.js';
import { ATTR } from '../wire/iana.js';
import type { UpdateMessage } from '../wire/attribute-types.js';
import { Rib } from '../rib/rib.js';
import type { BestChange, FamilyRoutes } from '../rib/family-routes.js';
import type { DecisionOptions } from '../rib/best-path.js';
import { UpdateGroup, type MemberPort } from './update-group.js';
import type { PeerRole } from './roles.js';
import type { ExportRule, ExportSource } from './export-entries.js';
import { ImportPolicies, type ImportRule } from './import-policy.js';
import { familyLabel } from '../policy/family.js';

/** Prefixes decided per event-loop turn. */
export const DECIDE_PER_TURN = 50_000;
/**
 * Pending decisions at which a received UPDATE runs a decision slice at once instead of
 * waiting for the scheduled one: the event loop may read dozens of 64 KiB socket chunks
 * before it gets to its check phase, and deciding each chunk's prefixes while their RIB
 * entries are still in cache, and packing them while the receivers are idle, beats one
 * large batch per loop turn.
 */
export const EAGER_DECIDE_AT = 16_384;

export interface ReflectorPeer {
  readonly index: number;
  readonly role: PeerRole;
  /** Cluster ID of the peer's group (RFC 4456); for clients, the cluster it belongs to. */
  readonly clusterId: number;
  readonly clientToClient: boolean;
  readonly routeServer: boolean;
  readonly bgpId: number;
  /** Remote address octets (4 or 16), for the last decision tie-break. */
  readonly address: Buffer;
  /** Negotiated on the session. */
  readonly as4: boolean;
  readonly extendedMessage: boolean;
  /**
   * RFC 8950 extended next hop negotiated for IPv4 unicast with next-hop AFI 2: the peer may
   * be sent IPv4 routes with IPv6 next hops (roles.ts rule 5). Absent: false.
   */
  readonly extendedNextHop?: boolean;
  readonly families: readonly { readonly afi: number; readonly safi: number }[];
  readonly encodeCtx: CodecCtx;
  readonly port: MemberPort;
  /** Name of the peer's config group (policy `match.group`, status). */
  readonly group: string;
  /** The peer's AS (policy `match.neighborAs`). */
  readonly peerAs: number;
  /** Local address of the session (4 or 16 octets): policy `nextHop: self`. */
  readonly localAddress: Buffer | null;
  /** What the peer's group exports (issue 6); peers with different rules never share an update group. */
  readonly exportRule: ExportRule;
  /** What is accepted from the peer into the Loc-RIB (its neighbour's or group's import policy, or the default). */
  readonly importRule: ImportRule;
  /** Configured add-path send (0, N or 'all') and the families where the session negotiated it. */
  readonly addPathSend: number | 'all';
  readonly addPathFamilies: readonly { readonly afi: number; readonly safi: number }[];
}

export interface ReflectorOptions {
  /** A monotonic clock in ms (the composition root passes performance.now), for run durations. */
  readonly now?: () => number;
  readonly routerId: number;
  readonly localAs: number;
  readonly clusterIds: readonly number[];
  readonly decision?: DecisionOptions;
}

export interface ReflectorStats {
  readonly prefixes: Record<string, number>;
  readonly paths: Record<string, number>;
  readonly attributeSets: number;
  readonly groups: number;
  readonly decisionRuns: number;
}

export class Reflector {
  readonly rib: Rib;
  readonly groups = new Map<string, UpdateGroup>();
  private readonly peers = new Map<number, ReflectorPeer>();
  private readonly groupOf = new Map<number, UpdateGroup>();
  private scheduled = false;
  private deferred = false;
  decisionRuns = 0;
  /** Told after every decision run: its duration in seconds and the prefixes it decided (metrics). */
  decisionObserver: ((seconds: number, prefixes: number) => void) | null = null;

  readonly imports: ImportPolicies;

  constructor(private readonly opts: ReflectorOptions) {
    this.rib = new Rib({ routerId: opts.routerId, clusterIds: opts.clusterIds, ...(opts.decision !== undefined ? { decision: opts.decision } : {}) });
    this.imports = new ImportPolicies(this.rib.sets);
    this.rib.setImportFilter(this.imports);
  }

  /**
   * Graceful restart selection deferral (RFC 4724 §4.1): after our own restart, routes are
   * collected but nothing is advertised until the peers' End-of-RIBs are in (or a timer, the
   * caller's choice, gives up waiting). Then every group sends its full table and End-of-RIB.
   */
  setDeferred(deferred: boolean): void {
    this.deferred = deferred;
    for (const g of this.groups.values()) g.setHeld(deferred);
  }

  get isDeferred(): boolean {
    return this.deferred;
  }

  /** A session reached Established: register the peer and join (or create) its update group. */
  peerUp(p: ReflectorPeer): void {
    this.peers.set(p.index, p);
    this.rib.setPeer(p.index, { bgpId: p.bgpId, external: p.role === 'ebgp', address: p.address, as4: p.as4 });
    // Cached export outcomes of this index were made for its previous session (role, group).
    for (const g of this.groups.values()) g.forgetSource(p.index);
    // Stale paths kept across a graceful restart are re-evaluated if the rule changed meanwhile.
    if (this.imports.setPeer(p.index, p.importRule, { group: p.group, role: p.role, peerAs: p.peerAs }) && this.rib.reimport(p.index) > 0) this.schedule();
    this.joinGroup(p);
  }

  /**
   * The import rule of every peer after a config reload (undefined: unchanged). Paths held
   * from peers whose rule changed are re-evaluated from the Adj-RIB-In as received: no
   * ROUTE-REFRESH, no session reset; only prefixes whose outcome changed are re-decided and
   * sent. Returns the number of paths whose effective attributes changed.
   */
  updateImportRules(ruleFor: (p: ReflectorPeer) => ImportRule | undefined): number {
    let changed = 0;
    for (const [index, p] of this.peers) {
      const rule = ruleFor(p);
      if (rule === undefined || rule === p.importRule) continue;
      this.peers.set(index, { ...p, importRule: rule });
      // Per peer (not reimport(null)): each peer's outcome is its own.
      if (this.imports.setPeer(index, rule, { group: p.group, role: p.role, peerAs: p.peerAs })) changed += this.rib.reimport(index);
    }
    if (changed > 0) this.schedule();
    return changed;
  }

  /** The export rule of every peer after a config reload (undefined: unchanged). */
  updateExportRules(ruleFor: (p: ReflectorPeer) => ExportRule | undefined): void {
    const moved: ReflectorPeer[] = [];
    const changed = new Set<UpdateGroup>();
    for (const [index, p] of this.peers) {
      const rule = ruleFor(p);
      if (rule === undefined || rule === p.exportRule) continue;
      const next: ReflectorPeer = { ...p, exportRule: rule };
      this.peers.set(index, next);
      const g = this.groupOf.get(index);
      if (g === undefined) continue;
      if (groupKey(next) === g.key) changed.add(g);
      else moved.push(next);
    }
    for (const g of changed) {
      const first = [...g.members.keys()][0];
      const rule = first === undefined ? undefined : this.peers.get(first)?.exportRule;
      if (rule === undefined) continue;
      g.setRule(rule);
      this.seedGroup(g);
      g.flush();
      g.endRuleChange();
    }
    for (const p of moved) {
      this.leaveGroup(p.index);
      this.joinGroup(p);
    }
  }

  private leaveGroup(index: number): void {
    const g = this.groupOf.get(index);
    if (g === undefined) return;
    g.removeMember(index);
    this.groupOf.delete(index);
    if (g.members.size === 0) this.groups.delete(g.key);
  }

  private joinGroup(p: ReflectorPeer): void {
    const key = groupKey(p);
    let g = this.groups.get(key);
    if (g === undefined) {
      const fams = p.families
        .map((f) => ({ afi: f.afi, safi: f.safi, rib: this.rib.familyOrCreate(f.afi, f.safi) }))
        .map((f) => ({
          afi: f.afi,
          safi: f.safi,
          table: f.rib.table,
          // Add-path send only where the peer negotiated receiving path identifiers (RFC 7911 §4).
          // Opaque families (not IPv4/IPv6 unicast) are sent without path identifiers.
          addPath: p.addPathSend !== 0 && (f.safi === 1 && (f.afi === 1 || f.afi === 2)) && p.addPathFamilies.some((a) => a.afi === f.afi && a.safi === f.safi) ? p.addPathSend : 0,
        }));
      g = new UpdateGroup(
        key,
        {
          role: p.role,
          clusterId: p.clusterId,
          clientToClient: p.clientToClient,
          ctx: p.encodeCtx,
          localAs: this.opts.localAs,
          routeServer: p.routeServer,
          extendedNextHop: p.extendedNextHop === true,
          localV4: p.localAddress !== null && p.localAddress.length === 4 ? p.localAddress : null,
          localV6: p.localAddress !== null && p.localAddress.length === 16 ? p.localAddress : null,
        },
        fams,
        p.extendedMessage ? 65535 : 4096,
        (peer) => this.exportSource(peer),
        p.exportRule,
      );
      this.groups.set(key, g);
      if (this.deferred) g.setHeld(true);
      this.seedGroup(g);
    }
    this.groupOf.set(p.index, g);
    g.addMember(p.port);
  }

  /**
   * A session ended. Without graceful restart its routes are withdrawn everywhere; with it
   * they stay, marked stale, until `sweepStale` (End-of-RIB or the restart timer).
   */
  peerDown(index: number, retainStale: boolean): void {
    this.leaveGroup(index);
    if (!retainStale) {
      for (const g of this.groups.values()) g.forgetSource(index);
      this.imports.removePeer(index);
    }
    if (retainStale) this.rib.markPeerStale(index);
    else this.rib.dropPeer(index);
    this.schedule();
  }

  /** Stale routes of a peer go (its End-of-RIB arrived, or its restart time ran out). */
  sweepStale(index: number): number {
    const n = this.rib.sweepStale(index);
    this.schedule();
    return n;
  }

  /** Stale routes of one family of a peer go (its End-of-RIB for that family, RFC 4724 §4.2). */
  sweepStaleFamily(index: number, afi: number, safi: number): number {
    const n = this.rib.family(afi, safi)?.dropPeer(index, true) ?? 0;
    this.schedule();
    return n;
  }

  /** Paths a peer has in the RIB (all families), for max-prefix. */
  peerPathCount(index: number): number {
    let n = 0;
    for (const f of this.rib.families.values()) n += f.peerPathCount(index);
    return n;
  }

  /** A received UPDATE (after both RFC 7606 passes). Returns the families it ended (End-of-RIB). */
  onUpdate(index: number, u: UpdateMessage, treatAsWithdraw: boolean): { afi: number; safi: number } | null {
    const eor = endOfRibFamily(u);
    if (eor !== null) return eor;
    this.rib.importUpdate(index, u, treatAsWithdraw);
    if (this.rib.pendingDecisions >= EAGER_DECIDE_AT) {
      if (this.runSlice(true) === 0) return null;
    }
    this.schedule();
    return null;
  }

  /** ROUTE-REFRESH from a member: resend the family from its group's Adj-RIB-Out (BoRR/EoRR when enhanced). */
  onRouteRefresh(index: number, afi: number, safi: number, enhanced: boolean): void {
    const g = this.groupOf.get(index);
    if (g === undefined) return;
    const fi = g.familyIndex(afi, safi);
    if (fi >= 0) g.refresh(index, fi, enhanced);
  }

  /**
   * The peer starts re-sending a family (BoRR, RFC 7313 §4): its current paths of the family
   * become stale; `endOfRefresh` (EoRR) removes those it did not send again.
   */
  beginOfRefresh(index: number, afi: number, safi: number): number {
    const f = this.rib.family(afi, safi);
    return f === undefined ? 0 : f.markStale(index);
  }

  endOfRefresh(index: number, afi: number, safi: number): number {
    return this.sweepStaleFamily(index, afi, safi);
  }

  onDrain(index: number): void {
    this.groupOf.get(index)?.onDrain(index);
  }

  stats(): ReflectorStats {
    const prefixes: Record<string, number> = {};
    const paths: Record<string, number> = {};
    for (const f of this.rib.families.values()) {
      const name = familyLabel(f.afi, f.safi);
      prefixes[name] = f.size;
      paths[name] = f.pathCount;
    }
    return { prefixes, paths, attributeSets: this.rib.sets.size, groups: this.groups.size, decisionRuns: this.decisionRuns };
  }

  private exportSource(peer: number): ExportSource | undefined {
    const p = this.peers.get(peer);
    return p === undefined ? undefined : { role: p.role, clusterId: p.clusterId, bgpId: p.bgpId, group: p.group, peerAs: p.peerAs };
  }

  /**
   * A new group starts from the current Loc-RIB: its Adj-RIB-Out is filled from every best
   * path before its first member joins, so that member's initial walk (and its End-of-RIB)
   * covers the whole table. Prefixes still waiting for a decision reach it through the log.
   */
  private seedGroup(g: UpdateGroup): void {
    for (const f of this.rib.families.values()) {
      const fi = g.familyIndex(f.afi, f.safi);
      if (fi < 0) continue;
      f.forEachPrefix((id) => {
        const ranked = g.needsRanking(fi) ? f.rank(id) : f.bestRanked(id);
        if (ranked.length > 0) g.onBestChange(fi, id, ranked);
      });
    }
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.runSlice() > 0) this.schedule();
    });
  }

  /** One decision run of at most DECIDE_PER_TURN prefixes, fed to every group, then flushed. Returns how many remain. */
  private runSlice(writeNow = false): number {
    this.decisionRuns++;
    const observer = this.decisionObserver;
    const now = this.opts.now;
    const started = observer !== null && now !== undefined ? now() : 0;
    let decided = 0;
    const groups = [...this.groups.values()];
    // Family index per group, looked up once per run and family (not per prefix).
    let lastFamily: FamilyRoutes | null = null;
    const indices: number[] = new Array<number>(groups.length).fill(-1);
    const remaining = this.rib.decide(DECIDE_PER_TURN, (f: FamilyRoutes, c: BestChange) => {
      if (f !== lastFamily) {
        lastFamily = f;
        for (let i = 0; i < groups.length; i++) indices[i] = (groups[i] as UpdateGroup).familyIndex(f.afi, f.safi);
      }
      decided++;
      for (let i = 0; i < groups.length; i++) {
        const fi = indices[i] as number;
        if (fi >= 0) (groups[i] as UpdateGroup).onBestChange(fi, c.prefixId, c.ranked);
      }
    });
    for (const g of groups) g.flush(writeNow);
    if (observer !== null && now !== undefined) observer((now() - started) / 1000, decided);
    return remaining;
  }
}

function groupKey(p: ReflectorPeer): string {
  const fams = p.families.map((f) => `${f.afi}/${f.safi}`).join(',');
  const ap = p.addPathSend === 0 ? '' : `ap${String(p.addPathSend)}:${p.addPathFamilies.map((f) => `${f.afi}/${f.safi}`).join(',')}`;
  return [p.role, p.clusterId >>> 0, p.clientToClient ? 'c2c' : 'noc2c', p.routeServer ? 'rs' : '', p.as4 ? 'as4' : 'as2', p.extendedMessage ? 'ext' : '', p.extendedNextHop === true ? 'enh' : '', fams, ap, ruleKey(p)].join('|');
}

/** The export rule as a group key: default verdict or policy name (plus the local address for `nextHop: self`). */
function ruleKey(p: ReflectorPeer): string {
  const r = p.exportRule;
  if (r.kind !== 'policy') return r.kind;
  const self = r.policy.setsNextHopSelf && p.localAddress !== null ? `@${p.localAddress.toString('hex')}` : '';
  return `policy:${r.policy.name}${self}`;
}

/** The family an End-of-RIB marker ends (RFC 4724 §2), or null for any other UPDATE. */
export function endOfRibFamily(u: UpdateMessage): { afi: number; safi: number } | null {
  if (u.withdrawn.bytes.length !== 0 || u.nlri.bytes.length !== 0) return null;
  if (u.attributes.length === 0) return { afi: 1, safi: 1 };
  const only = u.attributes[0];
  if (u.attributes.length === 1 && only !== undefined && only.code === ATTR.MP_UNREACH_NLRI && only.kind === 'mpUnreach' && only.value.withdrawn.bytes.length === 0) {
    return { afi: only.value.afi, safi: only.value.safi };
  }
  return null;
}
