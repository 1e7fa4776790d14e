/**
 * The hook between Adj-RIB-In and Loc-RIB (RFC 4271 §9.1.1): import policy (issue 6) is
 * applied here, after the RIB's own ingress rules (treat-as-withdraw, RFC 4456 §8 loop
 * detection; rib.ts). The RIB keeps every received path with its received attribute set
 * (`inSet`, the Adj-RIB-In "as received") and its effective set (what the filter returned)
 * or a "filtered" mark, so a policy change is applied with `Rib.reimport` and never needs
 * the peer to resend (no ROUTE-REFRESH, RFC 2918, unless the peer's own state changed).
 *
 * A filtered path stays in the Adj-RIB-In (counted as received, not accepted) and never
 * takes part in the decision process, so it can never reach export.
 *
 * Reference ownership (AttrSetTable, attr-set.ts):
 * - `inSet` is lent for the duration of the call: the filter must not release it, and must
 *   take its own reference (`sets.retain`) if it keeps it past the call.
 * - A non-null result always hands the RIB exactly one reference, whatever set it is:
 *   - unchanged: `return sets.retain(inSet)`;
 *   - modified: `return sets.intern(attrs, nextHop)` (intern gives the caller one
 *     reference, which passes to the RIB as is; intern may return `inSet` itself when the
 *     change was a no-op: that is fine, the reference it took is the one handed over);
 *   - any other live set: `return sets.retain(other)`.
 * - null (filtered) hands over nothing.
 * The RIB releases the handed reference once it has taken its own for each path it
 * installs, so a filter never releases anything it returned.
 */
import type { AttrSet } from './attr-set.js';

export interface ImportFilter {
  /**
   * false: the outcome depends only on (peer, afi, safi, inSet), so the RIB calls `apply`
   * once per attribute set per UPDATE block (and once per set per `reimport` run), with
   * `prefix` null. true: once per route.
   */
  readonly perPrefix: boolean;
  /**
   * Returns the set to install in the Loc-RIB, carrying one reference for the RIB (see the
   * module comment: `sets.retain(inSet)` to accept unchanged, a set from `sets.intern` to
   * modify), or null to filter the route out. `prefix`, when `perPrefix`: the NLRI in wire
   * form (prefix-length octet, then the significant octets; no path identifier; for the
   * opaque families their NLRI octets as received), a view valid only during the call
   * (copy it to keep it); else null. Must not call back into the RIB except `sets`.
   */
  apply(peer: number, afi: number, safi: number, inSet: AttrSet, prefix: Buffer | null): AttrSet | null;
}

/** Per-peer, per-family counts for the status API. */
export interface PeerFamilyCounts {
  readonly afi: number;
  readonly safi: number;
  /** Paths in the Adj-RIB-In (as received, before import policy). */
  readonly received: number;
  /** Of those, paths the import filter accepted (they take part in the decision process). */
  readonly accepted: number;
}
