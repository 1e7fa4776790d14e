/**
 * `DesiredPeers`: the snapshot discovery produces (STYLE.md §1): for each mesh group of the
 * meshrr config, the peer addresses it should have now. The pod diffs the new snapshot against
 * the one it applied last and turns the difference into router operations (add a neighbour,
 * shut one down with Cease / Peer De-configured, leave the rest alone so their sessions keep
 * their uptime).
 *
 * Owns: the snapshot type, its canonical form and the diff. Must not: do I/O or know how the
 * router applies a diff. Pure functions only, so every case is a table test.
 */

/** Group name -> peer addresses (canonical text: dotted quad, RFC 5952 IPv6). */
export interface DesiredPeers {
  /** Groups in meshrr config order; addresses in selection order (sticky peers first). */
  readonly groups: ReadonlyMap<string, readonly string[]>;
}

/** One neighbour of one group. */
export interface GroupPeer {
  readonly group: string;
  readonly address: string;
}

/** What changed between two snapshots. An address that moves group is removed, then added. */
export interface PeersDiff {
  readonly added: readonly GroupPeer[];
  readonly removed: readonly GroupPeer[];
  readonly unchanged: readonly GroupPeer[];
}

export const EMPTY_DESIRED_PEERS: DesiredPeers = { groups: new Map() };

/** Builds a snapshot from plain data (group order kept). */
export function desiredPeers(groups: Iterable<readonly [string, readonly string[]]>): DesiredPeers {
  return { groups: new Map([...groups].map(([g, a]) => [g, [...a]] as const)) };
}

/** Every address of every group (each once), in group then selection order. */
export function allAddresses(d: DesiredPeers): string[] {
  const out = new Set<string>();
  for (const addrs of d.groups.values()) for (const a of addrs) out.add(a);
  return [...out];
}

/** The group an address belongs to, or undefined. */
export function groupOf(d: DesiredPeers, address: string): string | undefined {
  for (const [g, addrs] of d.groups) if (addrs.includes(address)) return g;
  return undefined;
}

/**
 * The changes that turn `prev` into `next`. Order inside each list: group order of the
 * snapshot they come from, then address order, so logs and router calls are deterministic.
 */
export function diffDesiredPeers(prev: DesiredPeers, next: DesiredPeers): PeersDiff {
  const key = (p: GroupPeer): string => `${p.group}\u0000${p.address}`;
  const flat = (d: DesiredPeers): GroupPeer[] => [...d.groups].flatMap(([group, addrs]) => addrs.map((address) => ({ group, address })));
  const before = flat(prev);
  const after = flat(next);
  const beforeKeys = new Set(before.map(key));
  const afterKeys = new Set(after.map(key));
  return {
    added: after.filter((p) => !beforeKeys.has(key(p))),
    removed: before.filter((p) => !afterKeys.has(key(p))),
    unchanged: after.filter((p) => beforeKeys.has(key(p))),
  };
}

/** True when the diff changes nothing. */
export function isEmptyDiff(d: PeersDiff): boolean {
  return d.added.length === 0 && d.removed.length === 0;
}

/** Same groups with the same addresses (order ignored). */
export function sameDesiredPeers(a: DesiredPeers, b: DesiredPeers): boolean {
  return isEmptyDiff(diffDesiredPeers(a, b));
}
