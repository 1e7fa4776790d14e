/**
 * The decision process: RFC 4271 §9.1.2.2 with the route reflection tie-breaks of RFC 4456
 * §9. Every comparison names the rule that decided it, so "why is this best" is answerable
 * from state and logs (STYLE.md §6).
 *
 * Order, first difference wins:
 * 1. Higher LOCAL_PREF (absent: 100; RFC 4271 §5.1.5).
 * 2. Shorter AS_PATH (an AS_SET counts 1, confederation segments 0; §9.1.2.2 a).
 * 3. Lower ORIGIN (IGP < EGP < INCOMPLETE; §9.1.2.2 b).
 * 4. Lower MULTI_EXIT_DISC, only between paths from the same neighbour AS unless
 *    `alwaysCompareMed`; a missing MED is 0 (§9.1.2.2 c; FRR and BIRD default).
 * 5. eBGP-learned over iBGP-learned (§9.1.2.2 d).
 * 6. Lower IGP cost to the next hop: meshrr installs no routes and runs no IGP, so every next
 *    hop is reachable at equal cost and this step never decides (§9.1.2.2 e; documented
 *    departure: an RR pod is off the forwarding path).
 * 7. Lower BGP Identifier, using ORIGINATOR_ID in its place when present (RFC 4456 §9).
 * 8. Shorter CLUSTER_LIST (RFC 4456 §9).
 * 9. Lower peer address (§9.1.2.2 g); IPv4 sorts before IPv6.
 * With `deterministicMed` (default on, as Junos always does) paths are first grouped by
 * neighbour AS, the best of each group found with the full order, then the group winners
 * compared: the result no longer depends on arrival order.
 */
import type { AttrSet } from './attr-set.js';

export type DecisionRule =
  | 'onlyPath'
  | 'localPref'
  | 'asPathLength'
  | 'origin'
  | 'med'
  | 'ebgpOverIbgp'
  | 'routerId'
  | 'clusterListLength'
  | 'peerAddress'
  | 'pathId';

export interface DecisionOptions {
  readonly alwaysCompareMed: boolean;
  readonly deterministicMed: boolean;
}

export const DEFAULT_DECISION: DecisionOptions = { alwaysCompareMed: false, deterministicMed: true };

/** What the decision process needs to know about the peer a path came from. */
export interface PathSource {
  readonly bgpId: number;
  readonly external: boolean;
  /** Peer address octets (4 or 16) for the last tie-break. */
  readonly address: Buffer;
}

export interface Candidate {
  readonly set: AttrSet;
  readonly source: PathSource;
  readonly pathId: number;
}

function compareAddress(a: Buffer, b: Buffer): number {
  if (a.length !== b.length) return a.length - b.length;
  return a.compare(b);
}

/** Rules by code: `compareCode` returns ±code, the sign saying which path wins. */
const RULES: readonly DecisionRule[] = ['onlyPath', 'localPref', 'asPathLength', 'origin', 'med', 'ebgpOverIbgp', 'routerId', 'clusterListLength', 'peerAddress', 'pathId'];

/**
 * The comparison itself, without allocating (it runs for every pair a sort compares):
 * negative when `a` is better, positive when `b` is; the magnitude is the index in RULES of
 * the rule that decided. Never 0 for two different candidates: the path id breaks a last tie
 * between paths of one peer.
 */
function compareCode(a: Candidate, b: Candidate, opts: DecisionOptions): number {
  const x = a.set;
  const y = b.set;
  if (x.localPref !== y.localPref) return y.localPref < x.localPref ? -1 : 1;
  if (x.asPathLength !== y.asPathLength) return x.asPathLength < y.asPathLength ? -2 : 2;
  if (x.origin !== y.origin) return x.origin < y.origin ? -3 : 3;
  if ((opts.alwaysCompareMed || x.neighborAs === y.neighborAs) && x.med !== y.med) return x.med < y.med ? -4 : 4;
  if (a.source.external !== b.source.external) return a.source.external ? -5 : 5;
  const ida = (x.originatorId ?? a.source.bgpId) >>> 0;
  const idb = (y.originatorId ?? b.source.bgpId) >>> 0;
  if (ida !== idb) return ida < idb ? -6 : 6;
  if (x.clusterList.length !== y.clusterList.length) return x.clusterList.length < y.clusterList.length ? -7 : 7;
  const addr = compareAddress(a.source.address, b.source.address);
  if (addr !== 0) return addr < 0 ? -8 : 8;
  if (a.pathId !== b.pathId) return a.pathId < b.pathId ? -9 : 9;
  return 0;
}

function ruleOf(code: number): DecisionRule {
  return RULES[code < 0 ? -code : code] ?? 'pathId';
}

/**
 * Negative when `a` is better, positive when `b` is, with the rule that decided. Never 0
 * for two different candidates: the path id breaks a last tie between paths of one peer.
 */
export function comparePaths(a: Candidate, b: Candidate, opts: DecisionOptions): { order: number; rule: DecisionRule } {
  const code = compareCode(a, b, opts);
  return { order: code < 0 ? -1 : code > 0 ? 1 : 0, rule: code === 0 ? 'pathId' : ruleOf(code) };
}

/** Stable insertion sort, best first: candidate lists are short (a handful of paths). */
function sortRange(cands: Candidate[], from: number, to: number, opts: DecisionOptions): void {
  for (let i = from + 1; i < to; i++) {
    const c = cands[i] as Candidate;
    let j = i - 1;
    while (j >= from && compareCode(cands[j] as Candidate, c, opts) > 0) {
      cands[j + 1] = cands[j] as Candidate;
      j--;
    }
    cands[j + 1] = c;
  }
}

/**
 * Sorts candidates best first (in place) and returns the rule that made the first beat the
 * second ('onlyPath' for one candidate). With deterministic MED the order is: group winners
 * ranked against each other, then the rest of each group after its winner's rank.
 */
export function rankPaths(cands: Candidate[], opts: DecisionOptions = DEFAULT_DECISION): DecisionRule {
  const n = cands.length;
  if (n <= 1) return 'onlyPath';
  if (!opts.deterministicMed || opts.alwaysCompareMed || !mixedNeighbourAs(cands)) {
    // One neighbour AS (MED applies to every pair) or all different (it applies to none):
    // the order is transitive as it is, and grouping would change nothing.
    if (n > 16) cands.sort((a, b) => compareCode(a, b, opts));
    else sortRange(cands, 0, n, opts);
    return ruleOf(compareCode(cands[0] as Candidate, cands[1] as Candidate, opts));
  }
  // Group by neighbour AS; within a group MED applies, so the full order is transitive.
  const groups = new Map<number, Candidate[]>();
  for (const c of cands) {
    const g = groups.get(c.set.neighborAs);
    if (g === undefined) groups.set(c.set.neighborAs, [c]);
    else g.push(c);
  }
  const lists = [...groups.values()];
  for (const g of lists) g.sort((a, b) => compareCode(a, b, opts));
  // Group winners differ in neighbour AS, so MED never applies between them.
  lists.sort((ga, gb) => compareCode(ga[0] as Candidate, gb[0] as Candidate, opts));
  let i = 0;
  for (const g of lists) for (const c of g) cands[i++] = c;
  return ruleOf(compareCode(cands[0] as Candidate, cands[1] as Candidate, opts));
}

/** Whether some neighbour AS has two or more paths and some other AS has a path too. */
function mixedNeighbourAs(cands: readonly Candidate[]): boolean {
  const n = cands.length;
  if (n === 2) return false;
  let repeated = false;
  let distinct = false;
  const first = (cands[0] as Candidate).set.neighborAs;
  for (let i = 0; i < n && !(repeated && distinct); i++) {
    const asn = (cands[i] as Candidate).set.neighborAs;
    if (asn !== first) distinct = true;
    for (let j = 0; j < i; j++) {
      if ((cands[j] as Candidate).set.neighborAs === asn) {
        repeated = true;
        break;
      }
    }
  }
  return repeated && distinct;
}
