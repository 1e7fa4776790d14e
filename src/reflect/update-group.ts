/**
 * An update group (STYLE.md §5, FRR's bgp_updgrp): peers with the same role, cluster,
 * outbound policy and capabilities share one Adj-RIB-Out and one encoding of every UPDATE.
 *
 * - Adj-RIB-Out: per family and prefix id, the export entry the group advertises (-1 none)
 *   and the peer the route came from (so that peer is skipped: RFC 4456 "except the sender").
 * - Changes from the decision process are coalesced into per-entry prefix lists and packed
 *   into UPDATEs on `flush`; the Buffers go into a shared log that every in-sync member reads
 *   with its own cursor. A packet may name one member to skip (the route's sender) or the only
 *   member it is for (the withdrawal owed to a sender whose own route became best).
 * - Pull, don't push: a member is written to only while its socket takes more; a member that
 *   falls behind past the log limit stops holding the log: its backlog becomes a set of prefix
 *   ids to resend from the Adj-RIB-Out state (plus owed withdrawals), so a slow peer never
 *   makes the group buffer without bound.
 * - A new member (or a route refresh) catches up by walking the Adj-RIB-Out, then gets
 *   End-of-RIB per family (RFC 4724 §2), then follows the log.
 */
import { ROUTE_REFRESH_SUBTYPE } from '../wire/iana.js';
import { encodeRouteRefresh } from '../wire/route-refresh.js';
import type { AttrSet } from '../rib/attr-set.js';
import type { RankedPath } from '../rib/family-routes.js';
import { AddPathOut } from './add-path-out.js';
import type { ExportTarget } from './export-attrs.js';
import { ExportEntries, type ExportRule, type ExportSource } from './export-entries.js';
import { packAnnounce, packWithdraw } from './packer.js';
import { PendingAnnouncements } from './pending-announce.js';
import { advertisedCounts, growOut, type AdvertisedCounts } from './adj-rib-out.js';
import { catchUpStep, convertLagging, fullWalk, type CatchUpHost } from './catch-up.js';
import type { FamilyState, GroupFamily, Member, MemberPort, Packet } from './group-state.js';

export type { GroupFamily, MemberPort } from './group-state.js';

/** Log bytes above which lagging members are moved to state-based catch-up. */
const LOG_LIMIT_BYTES = 32 << 20;
/** Packets written per member per pump (bounded work per event-loop turn). */
const PACKETS_PER_PUMP = 512;

export class UpdateGroup implements CatchUpHost {
  readonly members = new Map<number, Member>();
  readonly fams: FamilyState[];
  readonly exports: ExportEntries;
  /** The prefix add-path is ranking (AddPathOut asks for entries without naming it). */
  private addPathPrefix = 0;
  private log: Packet[] = [];
  private logBase = 0;
  private logBytes = 0;
  private pumpScheduled = false;
  /** While set, nothing is written (RFC 4724 §4.1 selection deferral after our restart). */
  private held = false;
  /** Counters for status/metrics. */
  packetsBuilt = 0;
  prefixesPacked = 0;

  constructor(
    readonly key: string,
    readonly target: ExportTarget,
    families: readonly GroupFamily[],
    readonly maxLen: number,
    sourceOf: (peer: number) => ExportSource | undefined,
    rule: ExportRule,
  ) {
    this.exports = new ExportEntries(target, rule, sourceOf);
    this.fams = families.map((fam) => ({
      fam,
      out: new Int32Array(1024).fill(-1),
      outSource: new Int32Array(1024).fill(-1),
      pend: new PendingAnnouncements(),
      pendWd: [],
      pendWdOnly: new Map(),
      addPath:
        fam.addPath === 0
          ? null
          : new AddPathOut(fam.afi, fam.safi, fam.table, fam.addPath === 'all' ? Number.MAX_SAFE_INTEGER : fam.addPath, maxLen, {
              entryFor: (p: RankedPath) => this.exports.resolve(p.peer, p.set, fam.afi, fam.safi, fam.table, this.addPathPrefix),
              releaseEntry: (id: number) => this.exports.release(id),
              entry: (id: number) => this.exports.get(id),
              isMember: (peer: number) => this.members.has(peer),
              emit: (buf: Buffer, skip: number, only: number) => this.append({ buf, skip, only }),
            }),
    }));
  }

  /** Whether the family needs every path ranked (add-path), not only the best. */
  needsRanking(fi: number): boolean {
    return this.fams[fi]?.addPath != null;
  }

  familyIndex(afi: number, safi: number): number {
    return this.fams.findIndex((f) => f.fam.afi === afi && f.fam.safi === safi);
  }

  /** Packets and bytes waiting in the shared log (queue depth for metrics). */
  get logDepth(): { packets: number; bytes: number } {
    return { packets: this.log.length, bytes: this.logBytes };
  }

  /**
   * The decision process changed a prefix: `ranked` holds its paths best first (empty: gone).
   * Without add-path the group advertises the best path when eligible, else withdraws what it
   * advertised; with add-path, the first N eligible paths.
   */
  onBestChange(fi: number, prefixId: number, ranked: readonly RankedPath[]): void {
    const f = this.fams[fi];
    if (f === undefined) return;
    if (f.addPath !== null) {
      this.addPathPrefix = prefixId;
      f.addPath.onRanked(prefixId, ranked, this.members.size > 0);
      return;
    }
    const first = ranked[0];
    const best: { set: AttrSet; peer: number } | null = first === undefined ? null : first;
    if (prefixId >= f.out.length) growOut(f, prefixId + 1);
    const prevEntry = f.out[prefixId] as number;
    const prevSource = f.outSource[prefixId] as number;
    const { afi, safi, table } = f.fam;
    const entry = best === null ? null : this.exports.resolve(best.peer, best.set, afi, safi, table, prefixId);
    const source = entry === null || best === null ? -1 : best.peer;
    const nextEntry = entry === null ? -1 : entry.id;
    if (nextEntry === prevEntry && source === prevSource) return;
    if (entry !== null) entry.refs++;
    if (prevEntry >= 0) this.exports.release(prevEntry);
    f.out[prefixId] = nextEntry;
    f.outSource[prefixId] = source;
    // Without members there is nobody to tell: the Adj-RIB-Out alone is kept, and a member
    // that joins walks it.
    if (this.members.size === 0) return;
    if (entry === null) {
      // Withdraw what the group had (encode the prefix now: its id may be recycled).
      if (prevEntry >= 0) f.pendWd.push(this.prefixBytes(f, prefixId));
      return;
    }
    if (this.members.has(source)) {
      // The sender is a member: everyone but it gets the route; it gets a withdrawal if it
      // had been sent another path for this prefix.
      f.pend.add(nextEntry, source, prefixId);
      if (prevEntry >= 0 && prevSource !== source) {
        const list = f.pendWdOnly.get(source);
        const bytes = this.prefixBytes(f, prefixId);
        if (list === undefined) f.pendWdOnly.set(source, [bytes]);
        else list.push(bytes);
      }
      return;
    }
    f.pend.add(nextEntry, -1, prefixId);
  }

  /**
   * Packs pending changes into the shared log and starts writing: on the next turn, or at
   * once with `writeNow` (a decision slice run from a receive callback: the members' sockets
   * get the UPDATEs while the event loop is still reading).
   */
  flush(writeNow = false): void {
    for (const f of this.fams) {
      const { afi, safi } = f.fam;
      if (f.addPath !== null) {
        f.addPath.flush();
        continue;
      }
      if (f.pendWd.length > 0) {
        const bufs: Buffer[] = [];
        packWithdraw(afi, safi, Buffer.concat(f.pendWd), false, this.maxLen, bufs);
        for (const b of bufs) this.append({ buf: b, skip: -1, only: -1 });
        f.pendWd = [];
      }
      for (const [member, list] of f.pendWdOnly) {
        const bufs: Buffer[] = [];
        packWithdraw(afi, safi, Buffer.concat(list), false, this.maxLen, bufs);
        for (const b of bufs) this.append({ buf: b, skip: -1, only: member });
      }
      f.pendWdOnly.clear();
      f.pend.drain((entryId, skip, ids, start, count) => this.packEntry(f, entryId, ids, start, count, skip));
    }
    if (writeNow && !this.pumpScheduled && !this.pumpAll()) return;
    this.schedulePump();
  }

  /** Adds a member; it first receives the whole Adj-RIB-Out, then End-of-RIB per family. */
  addMember(port: MemberPort): void {
    const m: Member = { port, cursor: this.logBase + this.log.length, catchUp: this.fams.map((f) => fullWalk(f)) };
    this.members.set(port.index, m);
    this.schedulePump();
  }

  /**
   * Resends the whole table of one family to a member (ROUTE-REFRESH, RFC 2918). With
   * enhanced route refresh the resend is framed by BoRR and EoRR (RFC 7313 §4), so the peer
   * can drop what was not resent; without it, nothing frames it.
   */
  refresh(index: number, fi: number, enhanced: boolean): void {
    const m = this.members.get(index);
    const f = this.fams[fi];
    if (m === undefined || f === undefined) return;
    const { afi, safi } = f.fam;
    m.catchUp[fi] = {
      ...fullWalk(f),
      start: enhanced ? encodeRouteRefresh({ afi, safi, subtype: ROUTE_REFRESH_SUBTYPE.BORR, orf: Buffer.alloc(0) }) : null,
      end: enhanced ? encodeRouteRefresh({ afi, safi, subtype: ROUTE_REFRESH_SUBTYPE.EORR, orf: Buffer.alloc(0) }) : null,
    };
    this.schedulePump();
  }

  removeMember(index: number): void {
    this.members.delete(index);
    this.compact();
  }

  /** Holds or releases all writing (graceful restart selection deferral). */
  setHeld(held: boolean): void {
    this.held = held;
    if (!held) this.schedulePump();
  }

  /** The member's socket drained: continue writing. */
  onDrain(index: number): void {
    const m = this.members.get(index);
    // A pump that spent its budget with the socket still writable gets no 'drain' later:
    // continue on the next turn.
    if (m !== undefined && this.pump(m)) this.schedulePump();
  }

  /** What one family advertises (adj-rib-out.ts): member m is sent `total - onlyFrom.get(m)` prefixes. */
  advertisedCounts(fi: number): AdvertisedCounts {
    const f = this.fams[fi];
    return f === undefined ? { total: 0, onlyFrom: new Map() } : advertisedCounts(f);
  }

  /** What the group advertises for a prefix (attributes as encoded for the group, next hop, source peer); null when nothing. */
  advertisedRoute(fi: number, prefixId: number): { attrs: Buffer; nextHop: Buffer; source: number } | null {
    const f = this.fams[fi];
    if (f === undefined || f.addPath !== null || prefixId >= f.out.length) return null;
    const e = this.exports.get(f.out[prefixId] as number);
    return e === undefined ? null : { attrs: e.attrs, nextHop: e.nextHop, source: f.outSource[prefixId] as number };
  }

  /**
   * Switches the export rule (config reload). The caller then re-runs the decision output for
   * every prefix (Reflector.seedGroup), flushes, and calls `endRuleChange`: outcomes that
   * encode as before keep their entries, so only real differences are sent.
   */
  setRule(rule: ExportRule): void {
    this.exports.setRule(rule);
  }

  endRuleChange(): void {
    this.exports.endReuse();
  }

  /** A peer's session ended: its cached outcomes go (its attribute sets may be recycled). */
  forgetSource(peer: number): void {
    this.exports.forgetPeer(peer);
  }

  private packEntry(f: FamilyState, entryId: number, ids: Int32Array, start: number, count: number, skip: number): void {
    const e = this.exports.get(entryId);
    if (e === undefined) return;
    // Keep only prefixes still advertised with this entry (later changes superseded the rest).
    const out = f.out;
    const outSource = f.outSource;
    let n = start;
    for (let i = start; i < start + count; i++) {
      const id = ids[i] as number;
      if (out[id] === entryId && outSource[id] !== -1 && (skip < 0 || outSource[id] === skip)) ids[n++] = id;
    }
    n -= start;
    if (n === 0) return;
    const bufs: Buffer[] = [];
    packAnnounce(f.fam.afi, f.fam.safi, e.attrs, e.nextHop, ids.subarray(start, start + n), n, f.fam.table, this.maxLen, null, bufs);
    this.prefixesPacked += n;
    for (const b of bufs) this.append({ buf: b, skip, only: -1 });
  }

  private append(p: Packet): void {
    this.log.push(p);
    this.logBytes += p.buf.length;
    this.packetsBuilt++;
  }

  prefixBytes(f: FamilyState, id: number): Buffer {
    const t = f.fam.table;
    const b = Buffer.allocUnsafe(t.nlriLength(id));
    t.writeNlri(id, b, 0);
    return b;
  }

  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      if (this.pumpAll()) this.schedulePump();
    });
  }

  /** Writes to every member while it takes more, then drops what all have read; true when work remains. */
  private pumpAll(): boolean {
    let more = false;
    for (const m of this.members.values()) if (this.pump(m)) more = true;
    this.compact();
    return more;
  }

  /** Writes to one member while it takes more; returns true when work remains that is not waiting on 'drain'. */
  private pump(m: Member): boolean {
    if (this.held) return false;
    m.port.cork?.();
    try {
      return this.pumpCorked(m);
    } finally {
      m.port.uncork?.();
    }
  }

  private pumpCorked(m: Member): boolean {
    let budget = PACKETS_PER_PUMP;
    // 1. Catch-up from the Adj-RIB-Out state, family by family.
    for (let fi = 0; fi < this.fams.length; fi++) {
      const c = m.catchUp[fi];
      if (c === null || c === undefined) continue;
      const f = this.fams[fi] as FamilyState;
      if (c.start !== null) {
        if (!m.port.writable) return false;
        m.port.write(c.start);
        c.start = null;
      }
      while (budget > 0) {
        if (!m.port.writable) return false;
        const bufs = catchUpStep(this, f, c, m.port.index);
        if (bufs === null) break;
        for (const b of bufs) {
          m.port.write(b);
          budget--;
        }
      }
      if (budget <= 0) return true;
      if (c.end !== null) {
        if (!m.port.writable) return false;
        m.port.write(c.end);
      }
      m.catchUp[fi] = null;
    }
    // 2. The shared log.
    const end = this.logBase + this.log.length;
    while (m.cursor < end && budget > 0) {
      if (!m.port.writable) return false;
      const p = this.log[m.cursor - this.logBase] as Packet;
      m.cursor++;
      if (p.skip === m.port.index || (p.only >= 0 && p.only !== m.port.index)) continue;
      m.port.write(p.buf);
      budget--;
    }
    return m.cursor < end;
  }

  /**
   * Drops log packets every member has read. If the log is still over its limit, members
   * still behind are moved to state-based catch-up: the prefixes of the packets they missed
   * become dirty (resent from the Adj-RIB-Out), withdrawals of prefixes no longer in the table
   * are owed as bytes.
   */
  private compact(): void {
    let min = this.logBase + this.log.length;
    for (const m of this.members.values()) if (m.cursor < min) min = m.cursor;
    if (this.logBytes > LOG_LIMIT_BYTES) {
      const end = this.logBase + this.log.length;
      for (const m of this.members.values()) {
        if (m.cursor >= end) continue;
        convertLagging(this, m, this.log, this.logBase, end);
      }
      min = end;
    }
    const drop = min - this.logBase;
    if (drop <= 0) return;
    for (let i = 0; i < drop; i++) this.logBytes -= (this.log[i] as Packet).buf.length;
    this.log = this.log.slice(drop);
    this.logBase = min;
  }
}
