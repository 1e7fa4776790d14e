/**
 * Public types of the policy engine (issue 6): what a caller hands to `evaluate` (a route:
 * interned attribute set, prefix, where it came from, family), what it gets back (accept or
 * reject, the term that decided, the changed attributes), and the compiled `Policy` /
 * `PolicySet` that `compilePolicies` builds from the router config's `policies:` mapping.
 * The grammar is documented in docs/policy.md.
 *
 * Owns: the shapes shared by compile, evaluate, cache and explain. Must not: hold logic.
 */
import type { AttrSet } from '../rib/attr-set.js';
import type { PathAttribute } from '../wire/attribute-types.js';
import type { CompiledTerm } from './term.js';

/** Address families a policy can name (the router config's family names). */
export type PolicyFamily =
  | 'ipv4-unicast'
  | 'ipv6-unicast'
  | 'l2vpn-evpn'
  | 'ipv4-vpn'
  | 'ipv6-vpn'
  | 'ipv4-flowspec'
  | 'ipv6-flowspec'
  | 'ipv4-labeled-unicast'
  | 'ipv6-labeled-unicast';

/** How the route entered this router: the role of the peer group it came from, or local. */
export type SourceRole = 'client' | 'nonClient' | 'ebgp' | 'local';

/** Where a route came from. */
export interface RouteSource {
  /** Peer group name (for `local` routes whatever name the caller uses, e.g. ''). */
  readonly group: string;
  readonly role: SourceRole;
  /** The sending peer's AS (our own AS for iBGP and local routes). */
  readonly peerAs: number;
}

/** A prefix as the RIB keeps it: AFI (1 IPv4, 2 IPv6), length, and at least ceil(bits/8) octets. */
export interface PolicyPrefix {
  readonly afi: number;
  readonly bits: number;
  readonly octets: Uint8Array;
}

/** One route as policy sees it. */
export interface PolicyRoute {
  readonly set: AttrSet;
  /** null for families without a plain prefix (EVPN, flowspec): prefix conditions never match. */
  readonly prefix: PolicyPrefix | null;
  readonly source: RouteSource;
  readonly family: PolicyFamily;
}

/** The term that decided, `index` -1 for the policy's `default`. One frozen object per term. */
export interface TermRef {
  readonly policy: string;
  readonly index: number;
  readonly name: string;
}

/**
 * What the next hop should become. Not applied to `attributes` except for an IPv4 address
 * on a route that carries a NEXT_HOP attribute (which is rewritten, so the list stays
 * self-consistent); `self` needs the session's local address, which only the caller knows.
 */
export type NextHopChange = { readonly kind: 'self' } | { readonly kind: 'unchanged' } | { readonly kind: 'address'; readonly octets: Buffer };

export type PolicyOutcome =
  | { readonly accept: false; readonly term: TermRef }
  | {
      readonly accept: true;
      readonly term: TermRef;
      /** null: unchanged (keep the interned set); else the new list (MP_* excluded), in type-code order. */
      readonly attributes: readonly PathAttribute[] | null;
      /** null: no next-hop action ran. */
      readonly nextHop: NextHopChange | null;
      /**
       * Bit i set: the actions of term i ran (terms 0..30; bit 31 stands for every later term).
       * Together with the attribute set and the source key it determines the changes exactly,
       * so callers may key the result of a prefix-dependent policy on it. 0 when unchanged.
       */
      readonly applied: number;
    };

export type PolicyDefault = 'accept' | 'reject';

/** A compiled policy; immutable, shareable between update groups. */
export interface Policy {
  readonly name: string;
  readonly default: PolicyDefault;
  /** Our AS, for `asPathPrepend {asn: own}` and the origin AS of an empty path. */
  readonly localAs: number;
  readonly terms: readonly CompiledTerm[];
  /**
   * True when some term has a prefix-list condition: results then depend on the prefix and
   * must not be cached per attribute set. (Next-hop conditions do not count: the next hop is
   * part of the interned set's key.)
   */
  readonly usesPrefix: boolean;
  /** Which parts of `route.source`/`family` some condition reads (the cache keys on these only). */
  readonly usesGroup: boolean;
  readonly usesRole: boolean;
  readonly usesFamily: boolean;
  /** Some term sets `nextHop: self`: outcomes then depend on the session's local address. */
  readonly setsNextHopSelf: boolean;
  /** Refs used for outcomes decided by the default. */
  readonly defaultRef: TermRef;
}

/** Every policy of one router config. */
export interface PolicySet {
  readonly file: string;
  readonly localAs: number;
  readonly policies: ReadonlyMap<string, Policy>;
  /** Names of the prefix lists under `policies.prefixLists`. */
  readonly prefixLists: readonly string[];
}
