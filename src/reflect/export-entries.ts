/**
 * The export entries of one update group: for a route (source peer, attribute set, prefix)
 * the attribute bytes and next hop the group sends, or nothing. Encoded once per distinct
 * outcome and shared by every prefix and member that uses it (STYLE.md §5).
 *
 * Order at the group boundary (docs/policy.md "Where policies run"):
 * 1. RFC 4456 / RFC 1997 eligibility (`eligible`): NO_ADVERTISE, NO_EXPORT, reflection rules.
 *    A policy cannot override these.
 * 2. The export policy, or the default without one: iBGP groups accept, eBGP groups accept
 *    nothing (RFC 8212 §3).
 * 3. The export rewrite (export-attrs.ts): ORIGINATOR_ID, CLUSTER_LIST, eBGP rules.
 *
 * Caching: without a policy, or with one that reads no prefix, the outcome depends only on
 * (source peer, set), so it is cached per set. A policy with prefix conditions depends on the
 * prefix only through those conditions (actions never read it): per prefix only they are
 * tested (`prefixMask`), and the outcome is cached per (set, mask). Changed outcomes of such
 * a policy are keyed on the set and the terms whose actions ran (`applied`), which determine
 * the change, so prefixes with the same change share one encoding.
 *
 * Entries are kept by the source set object, not only its id: the RIB recycles the ids of
 * released sets, and an entry must never answer for another set.
 *
 * Owns: outcome → entry. Must not: know members, packets or the Adj-RIB-Out.
 */
import type { AttrSet } from '../rib/attr-set.js';
import type { NlriTable } from '../rib/nlri-table.js';
import type { PathAttribute } from '../wire/attribute-types.js';
import { SAFI } from '../wire/iana.js';
import { evaluate } from '../policy/evaluate.js';
import { familyName } from '../policy/family.js';
import { prefixMask } from '../policy/prefix-mask.js';
import type { Policy, PolicyFamily, PolicyOutcome, PolicyPrefix, PolicyRoute, RouteSource } from '../policy/types.js';
import { encodeExportList, type ExportTarget } from './export-attrs.js';
import { eligible, nextHopSendable, type SourceRole } from './roles.js';

export interface ExportEntry {
  readonly id: number;
  readonly attrs: Buffer;
  readonly nextHop: Buffer;
  refs: number;
}

/** What a group knows of a route's sender. */
export interface ExportSource extends SourceRole {
  /** Peer group name of the sender (policy `match.group`). */
  readonly group: string;
  /** The sender's AS (policy `match.neighborAs`). */
  readonly peerAs: number;
}

/** How a group decides: `accept` (iBGP without policy), `reject` (eBGP without policy, RFC 8212), or its policy. */
export type ExportRule = { readonly kind: 'accept' } | { readonly kind: 'reject' } | { readonly kind: 'policy'; readonly policy: Policy };

export const ACCEPT_ALL: ExportRule = Object.freeze({ kind: 'accept' });
export const REJECT_ALL: ExportRule = Object.freeze({ kind: 'reject' });

/** Per (source peer, set): the entries made from it. */
interface SetRecord {
  readonly set: AttrSet;
  /** The set exported as it is (no policy change). */
  plain: ExportEntry | null;
  /** Outcome for policies that read no prefix: the entry, null (rejected), undefined (not yet). */
  resolved: ExportEntry | null | undefined;
  /** Changed outcomes of a prefix-reading policy, by `applied` mask. */
  byMask: Map<number, ExportEntry> | null;
  /** Outcomes of a prefix-reading policy, by prefix mask (null: rejected). */
  byPrefix: Map<number, ExportEntry | null> | null;
}

/** Reused: the route a policy evaluation sees (evaluation is synchronous). */
class ScratchRoute implements PolicyRoute {
  set!: AttrSet;
  prefix: PolicyPrefix | null = null;
  source: RouteSource = { group: '', role: 'local', peerAs: 0 };
  family: PolicyFamily = 'ipv4-unicast';
}

/** Reused: the prefix a policy evaluation sees. */
class ScratchPrefix implements PolicyPrefix {
  afi = 1;
  bits = 0;
  readonly buf = Buffer.alloc(17);
  /** The prefix octets (a fixed view: conditions read only the first ceil(bits/8)). */
  readonly octets: Uint8Array = this.buf.subarray(1);
}

export class ExportEntries {
  private readonly entries: (ExportEntry | undefined)[] = [];
  private readonly free: number[] = [];
  private records = new Map<number, Map<number, SetRecord>>();
  /** After a rule change: live entries by encoded content, so unchanged outcomes keep their ids. */
  private reuse: Map<string, ExportEntry> | null = null;
  private rule: ExportRule;
  private readonly scratch = new ScratchPrefix();
  private readonly route = new ScratchRoute();
  /** Source objects per sender, so the scratch route does not allocate per prefix. */
  private readonly sources = new Map<number, RouteSource>();
  /** Policy evaluations (for metrics). */
  evaluations = 0;

  constructor(
    private readonly target: ExportTarget,
    rule: ExportRule,
    private readonly sourceOf: (peer: number) => ExportSource | undefined,
  ) {
    this.rule = rule;
  }

  get currentRule(): ExportRule {
    return this.rule;
  }

  /**
   * Switches the rule (config reload). Cached outcomes are dropped; entries still advertised
   * stay, and a new outcome encoding to the same bytes reuses the old entry, so the caller's
   * re-run of the decision output sends only what really changed. Call `endReuse` after it.
   */
  setRule(rule: ExportRule): void {
    this.forgetLast();
    this.rule = rule;
    this.records = new Map();
    const reuse = new Map<string, ExportEntry>();
    for (const e of this.entries) if (e !== undefined) reuse.set(contentKey(e.attrs, e.nextHop), e);
    this.reuse = reuse;
  }

  endReuse(): void {
    this.reuse = null;
  }

  get(id: number): ExportEntry | undefined {
    return this.entries[id];
  }

  /**
   * The entry for a route from `peer` with `set`, for prefix `prefixId` of `table` (read only
   * when the policy has prefix conditions), or null when the group must not receive it.
   */
  resolve(peer: number, set: AttrSet, afi: number, safi: number, table: NlriTable, prefixId: number): ExportEntry | null {
    // Runs of prefixes from one UPDATE share (peer, set): reuse the last lookup.
    if (set !== this.lastSet || peer !== this.lastPeer || afi !== this.lastAfi || safi !== this.lastSafi) {
      this.lastSet = set;
      this.lastPeer = peer;
      this.lastAfi = afi;
      this.lastSafi = safi;
      const src = this.sourceOf(peer);
      this.lastSrc = src !== undefined && eligible(src, set, this.target) && nextHopSendable(set, afi, safi, this.target) && this.rule.kind !== 'reject' ? src : null;
      this.lastRec = this.lastSrc === null ? null : this.record(peer, set);
    }
    const src = this.lastSrc;
    const rec = this.lastRec;
    if (src === null || rec === null) return null;
    const rule = this.rule;
    if (rule.kind === 'accept') return this.plainEntry(rec, src);
    if (rule.kind !== 'policy') return null;
    const policy = rule.policy;
    if (!policy.usesPrefix) {
      if (rec.resolved !== undefined && (rec.resolved === null || this.entries[rec.resolved.id] === rec.resolved)) return rec.resolved;
      const o = this.evaluate(policy, this.routeOf(peer, src, set, afi, safi, null));
      rec.resolved = this.fromOutcome(rec, src, afi, o);
      return rec.resolved;
    }
    const route = this.routeOf(peer, src, set, afi, safi, safi === SAFI.UNICAST ? this.prefixOf(afi, table, prefixId) : null);
    const mask = prefixMask(policy, route);
    if (mask < 0) return this.fromOutcome(rec, src, afi, this.evaluate(policy, route));
    let byPrefix = rec.byPrefix;
    if (byPrefix === null) rec.byPrefix = byPrefix = new Map();
    const hit = byPrefix.get(mask);
    if (hit === null) return null;
    if (hit !== undefined && this.entries[hit.id] === hit) return hit;
    const e = this.fromOutcome(rec, src, afi, this.evaluate(policy, route));
    byPrefix.set(mask, e);
    return e;
  }

  /** The last (peer, set) looked up, its source if the group may receive it, and its record. */
  private lastSet: AttrSet | null = null;
  private lastPeer = -1;
  private lastAfi = 0;
  private lastSafi = 0;
  private lastSrc: ExportSource | null = null;
  private lastRec: SetRecord | null = null;

  private forgetLast(): void {
    this.lastSet = null;
    this.lastSrc = null;
    this.lastRec = null;
  }

  release(id: number): void {
    const e = this.entries[id];
    if (e === undefined) return;
    if (--e.refs > 0) return;
    // Records may still name it; lookups check `entries[id] === entry` before use.
    this.entries[id] = undefined;
    this.free.push(id);
  }

  /** Forgets every cached outcome of a peer (its session went down; its sets may be recycled). */
  forgetPeer(peer: number): void {
    this.forgetLast();
    this.records.delete(peer);
    this.sources.delete(peer);
  }

  private record(peer: number, set: AttrSet): SetRecord {
    let bySet = this.records.get(peer);
    if (bySet === undefined) this.records.set(peer, (bySet = new Map()));
    let rec = bySet.get(set.id);
    if (rec === undefined || rec.set !== set) {
      rec = { set, plain: null, resolved: undefined, byMask: null, byPrefix: null };
      bySet.set(set.id, rec);
    }
    return rec;
  }

  private plainEntry(rec: SetRecord, src: ExportSource): ExportEntry {
    const hit = rec.plain;
    if (hit !== null && this.entries[hit.id] === hit) return hit;
    const e = this.make(encodeExportList(rec.set.attributes, src, this.target), rec.set.nextHop);
    rec.plain = e;
    return e;
  }

  private routeOf(peer: number, src: ExportSource, set: AttrSet, afi: number, safi: number, prefix: PolicyPrefix | null): PolicyRoute {
    let source = this.sources.get(peer);
    if (source === undefined || source.group !== src.group || source.role !== src.role || source.peerAs !== src.peerAs) {
      source = { group: src.group, role: src.role, peerAs: src.peerAs };
      this.sources.set(peer, source);
    }
    const r = this.route;
    r.set = set;
    r.prefix = prefix;
    r.source = source;
    // A family policies cannot name (familyName null) is given as ipv4-unicast: such routes
    // never have a prefix, and a `family` condition naming ipv4-unicast is the only one
    // that could then be wrong; policies are written for the families they name.
    r.family = familyName(afi, safi) ?? 'ipv4-unicast';
    return r;
  }

  private evaluate(policy: Policy, route: PolicyRoute): PolicyOutcome {
    this.evaluations++;
    return evaluate(policy, route);
  }

  private fromOutcome(rec: SetRecord, src: ExportSource, afi: number, o: PolicyOutcome): ExportEntry | null {
    if (!o.accept) return null;
    if (o.attributes === null && o.nextHop === null) return this.plainEntry(rec, src);
    if (this.rule.kind === 'policy' && this.rule.policy.usesPrefix) {
      let byMask = rec.byMask;
      if (byMask === null) rec.byMask = byMask = new Map();
      const hit = byMask.get(o.applied);
      if (hit !== undefined && this.entries[hit.id] === hit) return hit;
      const e = this.changedEntry(rec, src, afi, o);
      byMask.set(o.applied, e);
      return e;
    }
    return this.changedEntry(rec, src, afi, o);
  }

  private changedEntry(rec: SetRecord, src: ExportSource, afi: number, o: PolicyOutcome & { accept: true }): ExportEntry {
    let attrs: readonly PathAttribute[] = o.attributes ?? rec.set.attributes;
    let nextHop = rec.set.nextHop;
    const nh = o.nextHop;
    if (nh !== null && nh.kind !== 'unchanged') {
      const octets = nh.kind === 'self' ? (afi === 2 ? this.target.localV6 : this.target.localV4) : nh.octets;
      // A next hop of the other address family is ignored (an IPv4 address for an IPv6
      // route): FRR keeps `set ip next-hop` and `set ipv6 next-hop` apart the same way.
      if (octets !== null && octets.length === (afi === 2 ? 16 : 4)) {
        attrs = withNextHopAttr(attrs, octets);
        nextHop = octets;
      }
    }
    return this.make(encodeExportList(attrs, src, this.target), nextHop);
  }

  private make(attrs: Buffer, nextHop: Buffer): ExportEntry {
    if (this.reuse !== null) {
      const old = this.reuse.get(contentKey(attrs, nextHop));
      if (old !== undefined && this.entries[old.id] === old) return old;
    }
    const id = this.free.pop() ?? this.entries.length;
    const e: ExportEntry = { id, attrs, nextHop, refs: 0 };
    this.entries[id] = e;
    return e;
  }

  private prefixOf(afi: number, table: NlriTable, prefixId: number): PolicyPrefix {
    const s = this.scratch;
    table.writeNlri(prefixId, s.buf, 0);
    s.afi = afi;
    s.bits = s.buf[0] as number;
    return s;
  }
}

function contentKey(attrs: Buffer, nextHop: Buffer): string {
  return `${nextHop.toString('hex')}/${attrs.toString('latin1')}`;
}

/** Rewrites an IPv4 NEXT_HOP attribute, when the list has one. */
function withNextHopAttr(attrs: readonly PathAttribute[], octets: Buffer): readonly PathAttribute[] {
  if (octets.length !== 4) return attrs;
  return attrs.map((a) => (a.kind === 'nextHop' ? { ...a, value: octets.readUInt32BE(0) } : a));
}
