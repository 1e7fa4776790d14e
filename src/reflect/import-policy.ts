/**
 * Import policy (issue 6) as the RIB's import filter: between Adj-RIB-In and Loc-RIB, per
 * peer, the rule of its group (or neighbour): the named policy, or the default without one:
 * iBGP accept, eBGP nothing (RFC 8212 §3).
 *
 * Outcomes of a policy without prefix conditions are kept per (peer, received set): a set
 * reused by many UPDATEs (the common case) is evaluated once. The cache is a WeakMap keyed by
 * the set objects and holds no references: a cached result is used only while it is still
 * live (refs > 0; the RIB recycles ids, never objects), so the cache keeps nothing alive.
 *
 * Next hop actions on import: an address replaces the next hop (when of the route's address
 * family); `self` has no meaning for a route we receive and is ignored (as FRR ignores
 * `set ip next-hop peer-address`-style actions it cannot apply), `unchanged` likewise.
 *
 * Owns: policy outcome → effective attribute set. Must not: touch paths (the RIB does).
 */
import type { AttrSet, AttrSetTable } from '../rib/attr-set.js';
import type { ImportFilter } from '../rib/import-filter.js';
import { SAFI } from '../wire/iana.js';
import { evaluate } from '../policy/evaluate.js';
import { familyName } from '../policy/family.js';
import type { PolicyOutcome, PolicyPrefix, RouteSource } from '../policy/types.js';
import type { ExportRule } from './export-entries.js';

/** The same three cases as export: accept, reject, or a policy. */
export type ImportRule = ExportRule;

interface PeerImport {
  readonly rule: ImportRule;
  readonly source: RouteSource;
  /** received set → effective set or null; only for policies without prefix conditions. */
  cache: WeakMap<AttrSet, AttrSet | null>;
}

/** Reused: the prefix an evaluation sees. */
class PrefixView implements PolicyPrefix {
  afi = 1;
  bits = 0;
  octets: Uint8Array = new Uint8Array(0);
}

export class ImportPolicies implements ImportFilter {
  private readonly peers = new Map<number, PeerImport>();
  /** Peers whose policy reads the prefix (kept as a count: no walk over every peer per session). */
  private perPrefixPeers = 0;
  private readonly view = new PrefixView();
  /** Policy evaluations (metrics). */
  evaluations = 0;

  constructor(private readonly sets: AttrSetTable) {}

  get perPrefix(): boolean {
    return this.perPrefixPeers > 0;
  }

  /** The rule of a peer (on session up, and after a reload). Returns whether it changed. */
  setPeer(index: number, rule: ImportRule, source: RouteSource): boolean {
    const old = this.peers.get(index);
    if (old !== undefined && old.rule === rule && sameSource(old.source, source)) return false;
    if (old !== undefined && readsPrefix(old.rule)) this.perPrefixPeers--;
    if (readsPrefix(rule)) this.perPrefixPeers++;
    this.peers.set(index, { rule, source, cache: new WeakMap() });
    return true;
  }

  /** The peer's session ended for good: forget its cache. */
  removePeer(index: number): void {
    const old = this.peers.get(index);
    if (old !== undefined && readsPrefix(old.rule)) this.perPrefixPeers--;
    this.peers.delete(index);
  }

  ruleOf(index: number): ImportRule | undefined {
    return this.peers.get(index)?.rule;
  }

  apply(peer: number, afi: number, safi: number, inSet: AttrSet, prefix: Buffer | null): AttrSet | null {
    const p = this.peers.get(peer);
    // A peer without a registered rule is not Established yet: nothing can arrive from it.
    if (p === undefined) return null;
    const rule = p.rule;
    if (rule.kind === 'accept') return this.sets.retain(inSet);
    if (rule.kind === 'reject') return null;
    const policy = rule.policy;
    if (!policy.usesPrefix) {
      const hit = p.cache.get(inSet);
      if (hit === null) return null;
      if (hit !== undefined && hit.refs > 0) return this.sets.retain(hit);
      const eff = this.outcome(p, afi, safi, inSet, null);
      p.cache.set(inSet, eff);
      return eff;
    }
    let view: PolicyPrefix | null = null;
    if (prefix !== null && safi === SAFI.UNICAST && prefix.length >= 1) {
      this.view.afi = afi;
      this.view.bits = prefix[0] as number;
      this.view.octets = prefix.subarray(1);
      view = this.view;
    }
    return this.outcome(p, afi, safi, inSet, view);
  }

  /** Evaluates; returns the effective set carrying one reference (for the caller), or null. */
  private outcome(p: PeerImport, afi: number, safi: number, inSet: AttrSet, prefix: PolicyPrefix | null): AttrSet | null {
    if (p.rule.kind !== 'policy') throw new Error('outcome() without a policy');
    this.evaluations++;
    const o: PolicyOutcome = evaluate(p.rule.policy, { set: inSet, prefix, source: p.source, family: familyName(afi, safi) ?? 'ipv4-unicast' });
    if (!o.accept) return null;
    if (o.attributes === null && (o.nextHop === null || o.nextHop.kind !== 'address')) return this.sets.retain(inSet);
    let nextHop = inSet.nextHop;
    if (o.nextHop !== null && o.nextHop.kind === 'address' && o.nextHop.octets.length === (afi === 2 ? 16 : 4)) nextHop = o.nextHop.octets;
    return this.sets.intern(o.attributes ?? inSet.attributes, nextHop);
  }

}

function readsPrefix(r: ImportRule): boolean {
  return r.kind === 'policy' && r.policy.usesPrefix;
}

function sameSource(a: RouteSource, b: RouteSource): boolean {
  return a.group === b.group && a.role === b.role && a.peerAs === b.peerAs;
}
