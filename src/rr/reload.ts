/**
 * Config reload planning (STYLE.md §1: build, validate, then swap): what a new router config
 * changes against the running one, and how each change is applied without touching what did
 * not change. Pure: the RouteReflector applies the plan.
 *
 * What each change does (docs/router-config.md "Reloading"):
 * - routerId, asn, listen addresses, decision options, the global dynamic-peer cap and the
 *   connection rate limit: refused, the running config is kept
 *   (they change every session or every best path; restart the process, FRR and BIRD reset
 *   everything for these too).
 * - a group added: its neighbours start, its listen ranges accept connections.
 * - a group removed: every session of it (configured, discovered, dynamic) gets Cease / Peer
 *   De-configured (RFC 4486).
 * - a group whose session settings changed (role, cluster ID, client-to-client, route server,
 *   peer AS, passive, families, timers, multihop, add-path, TCP-MD5 keys, GTSM, limits): its
 *   sessions are reset with Cease
 *   / Other Configuration Change and come back with the new settings.
 * - neighbours added / removed / changed in a group: started / de-configured / reset.
 * - policies, max-prefix, listen ranges, dynamic peer caps, graceful-restart timers: applied
 *   live, no session is reset; policy changes re-evaluate routes (only the differences go out).
 * A policy whose definition (and the prefix lists) did not change keeps its compiled object,
 * so groups using it are not re-evaluated at all.
 *
 * Owns: the diff. Must not: do I/O.
 */
import type { GroupConfig, NeighborConfig, RouterConfig } from '../config/router-config-types.js';
import { PREFIX_LISTS_KEY } from '../policy/compile.js';
import type { Policy, PolicySet } from '../policy/types.js';

export interface ReloadPlan {
  /** Why the new config cannot be applied live; empty when it can. */
  readonly refused: readonly string[];
  readonly groupsAdded: readonly string[];
  readonly groupsRemoved: readonly string[];
  /** Groups whose sessions must be reset to take new session settings. */
  readonly groupsReset: readonly string[];
  readonly neighborsAdded: readonly { readonly group: string; readonly neighbor: NeighborConfig }[];
  readonly neighborsRemoved: readonly { readonly group: string; readonly address: string }[];
  readonly neighborsReset: readonly { readonly group: string; readonly neighbor: NeighborConfig }[];
  /** The new config, its unchanged policies keeping their compiled objects. */
  readonly config: RouterConfig;
  /** Names of policies whose definition changed (or are new). */
  readonly policiesChanged: readonly string[];
}

/** The session settings of a group: a change in any resets the group's sessions. */
function sessionKey(g: GroupConfig): string {
  return JSON.stringify([
    g.role,
    g.clusterId,
    g.clientToClient,
    g.routeServer,
    g.peerAs,
    g.passive,
    g.families,
    g.holdTime,
    g.keepaliveTime,
    g.connectRetryTime,
    g.multihopTtl,
    g.addPathSend,
    g.addPathReceive,
    g.extendedNextHop === true,
    g.md5 ?? null,
    g.listenRangeMd5 ?? null,
    g.ttlSecurityHops ?? null,
    g.limits ?? null,
  ]);
}

const neighborKey = (n: NeighborConfig): string => JSON.stringify([n.port, n.localAddress, n.peerAs, n.passive, n.md5 ?? null, n.ttlSecurityHops ?? null]);

export function planReload(old: RouterConfig, next: RouterConfig): ReloadPlan {
  const refused: string[] = [];
  if (old.routerId !== next.routerId) refused.push(`routerId changes from ${old.routerIdText} to ${next.routerIdText}`);
  if (old.asn !== next.asn) refused.push(`asn changes from ${old.asn} to ${next.asn}`);
  if (JSON.stringify(old.listen) !== JSON.stringify(next.listen)) refused.push('the listen addresses change');
  if (old.alwaysCompareMed !== next.alwaysCompareMed || old.deterministicMed !== next.deterministicMed) refused.push('the decision options change');
  if (old.maxDynamicPeers !== next.maxDynamicPeers) refused.push(`the global maxDynamicPeers changes from ${old.maxDynamicPeers} to ${next.maxDynamicPeers}`);
  if (JSON.stringify(old.connectionRate ?? null) !== JSON.stringify(next.connectionRate ?? null)) refused.push('the connection rate limit changes');

  const oldGroups = new Map(old.groups.map((g) => [g.name, g]));
  const nextGroups = new Map(next.groups.map((g) => [g.name, g]));
  const groupsAdded = next.groups.filter((g) => !oldGroups.has(g.name)).map((g) => g.name);
  const groupsRemoved = old.groups.filter((g) => !nextGroups.has(g.name)).map((g) => g.name);
  const groupsReset: string[] = [];
  const neighborsAdded: { group: string; neighbor: NeighborConfig }[] = [];
  const neighborsRemoved: { group: string; address: string }[] = [];
  const neighborsReset: { group: string; neighbor: NeighborConfig }[] = [];
  for (const g of next.groups) {
    const o = oldGroups.get(g.name);
    if (o === undefined) continue;
    if (sessionKey(o) !== sessionKey(g)) {
      groupsReset.push(g.name);
      continue;
    }
    const before = new Map(o.neighbors.map((n) => [n.address, n]));
    const after = new Map(g.neighbors.map((n) => [n.address, n]));
    for (const n of g.neighbors) {
      const b = before.get(n.address);
      if (b === undefined) neighborsAdded.push({ group: g.name, neighbor: n });
      else if (neighborKey(b) !== neighborKey(n)) neighborsReset.push({ group: g.name, neighbor: n });
    }
    for (const n of o.neighbors) if (!after.has(n.address)) neighborsRemoved.push({ group: g.name, address: n.address });
  }
  // A neighbour that moved from one group to another: removed from the old, added to the new.
  const { set, changed } = stablePolicies(old, next);
  return {
    refused,
    groupsAdded,
    groupsRemoved,
    groupsReset,
    neighborsAdded,
    neighborsRemoved,
    neighborsReset,
    config: { ...next, policySet: set },
    policiesChanged: changed,
  };
}

/** The new policy set, where every policy whose definition did not change is the old object. */
function stablePolicies(old: RouterConfig, next: RouterConfig): { set: PolicySet; changed: string[] } {
  const sameLists = JSON.stringify(old.policies[PREFIX_LISTS_KEY] ?? null) === JSON.stringify(next.policies[PREFIX_LISTS_KEY] ?? null);
  const policies = new Map<string, Policy>();
  const changed: string[] = [];
  for (const [name, compiled] of next.policySet.policies) {
    const before = old.policySet.policies.get(name);
    const same = before !== undefined && sameLists && JSON.stringify(old.policies[name]) === JSON.stringify(next.policies[name]);
    policies.set(name, same ? before : compiled);
    if (!same) changed.push(name);
  }
  return { set: { ...next.policySet, policies }, changed };
}
