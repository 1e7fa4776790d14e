/**
 * Which of a mesh group's DNS answers become its peers (issue 7). Pure: the caller passes the
 * current peers, the answer, the session states and the clock, and gets the new selection, one
 * decision per address (for the log) and the state to pass next time.
 *
 * Without `max_peers` (a full mesh): every address in the answer is a peer; peers gone from
 * the answer are removed.
 *
 * With `max_peers` (upstream groups), as Juniper's meshrr does it plus session health:
 * 1. A current peer that left the answer is removed.
 * 2. A current peer that is Established is kept (sticky: no churn while nothing changes).
 * 3. A current peer that is not Established is kept for a grace period, counted from when it
 *    was added or last seen Established. After that it is replaced by a candidate (an answer
 *    address that is not a current peer) and remembered as failed. With no candidate at all
 *    it stays: tearing down the only upstream for nothing is worse than waiting.
 * 4. Candidates are drawn at random from those not failed within `failMemoryMs`; if every
 *    candidate failed recently, the one that failed longest ago is taken.
 * 5. Free places (below `max_peers`) are filled the same way, before any replacement, so a
 *    failing peer is only swapped out when a candidate is left for it. The selection never
 *    exceeds `max_peers` (if it shrank, not-Established peers go first, then the newest).
 *
 * Owns: the selection rules and their reasons. Must not: query DNS or sessions itself.
 */

/** Per-group memory between runs. */
export interface SelectionState {
  /** Selected peers not Established, with the time (ms) since when. */
  readonly downSince: ReadonlyMap<string, number>;
  /** Peers replaced for not getting Established, with the time (ms) they were replaced. */
  readonly failedAt: ReadonlyMap<string, number>;
}

export const EMPTY_SELECTION_STATE: SelectionState = { downSince: new Map(), failedAt: new Map() };

export interface SelectionInput {
  /** The group's peers now, in selection order. */
  readonly current: readonly string[];
  /** The DNS answer, without our own address and without addresses that belong elsewhere. */
  readonly answer: readonly string[];
  readonly maxPeers: number | null;
  readonly state: SelectionState;
  /** ms (any epoch, consistent between runs). */
  readonly now: number;
  readonly graceMs: number;
  readonly failMemoryMs: number;
  readonly isEstablished: (address: string) => boolean;
  /** Uniform in [0, 1). */
  readonly random: () => number;
}

export type DecisionAction = 'keep' | 'add' | 'remove';

/** One decision about one address, with the reason logged next to it. */
export interface Decision {
  readonly address: string;
  readonly action: DecisionAction;
  readonly reason: string;
}

export interface SelectionResult {
  readonly selected: readonly string[];
  readonly decisions: readonly Decision[];
  readonly state: SelectionState;
}

const secs = (ms: number): string => `${Math.round(ms / 1000)}s`;

/** Applies the rules in the module comment. */
export function selectPeers(input: SelectionInput): SelectionResult {
  return input.maxPeers === null ? fullMesh(input) : limited(input, input.maxPeers);
}

function fullMesh(input: SelectionInput): SelectionResult {
  const answer = new Set(input.answer);
  const decisions: Decision[] = [];
  const selected: string[] = [];
  for (const a of input.current) {
    if (answer.has(a)) {
      selected.push(a);
      decisions.push({ address: a, action: 'keep', reason: 'in DNS' });
    } else {
      decisions.push({ address: a, action: 'remove', reason: 'gone from DNS' });
    }
  }
  for (const a of input.answer) {
    if (selected.includes(a)) continue;
    selected.push(a);
    decisions.push({ address: a, action: 'add', reason: 'new in DNS' });
  }
  return { selected, decisions, state: EMPTY_SELECTION_STATE };
}

function limited(input: SelectionInput, maxPeers: number): SelectionResult {
  const { now, graceMs } = input;
  const answer = new Set(input.answer);
  const current = new Set(input.current);
  const downSince = new Map([...input.state.downSince].filter(([a]) => current.has(a)));
  const failedAt = new Map([...input.state.failedAt].filter(([, t]) => now - t < input.failMemoryMs));
  const decisions: Decision[] = [];
  /** Kept peers in order, with whether each is Established (for the max_peers cut). */
  const kept: { address: string; up: boolean; reason: string }[] = [];
  const overdue: { address: string; downMs: number }[] = [];

  for (const a of input.current) {
    if (!answer.has(a)) {
      downSince.delete(a);
      decisions.push({ address: a, action: 'remove', reason: 'gone from DNS' });
    } else if (input.isEstablished(a)) {
      downSince.delete(a);
      kept.push({ address: a, up: true, reason: 'Established' });
    } else {
      const since = downSince.get(a) ?? now;
      downSince.set(a, since);
      if (now - since >= graceMs) overdue.push({ address: a, downMs: now - since });
      else kept.push({ address: a, up: false, reason: `not Established for ${secs(now - since)}, within the grace period of ${secs(graceMs)}` });
    }
  }

  // Candidates never include a current peer, so a replaced peer cannot be picked back now.
  const candidates = input.answer.filter((a) => !current.has(a));
  const pick = (): { address: string; reason: string } | null => {
    if (candidates.length === 0) return null;
    const fresh = candidates.filter((a) => !failedAt.has(a));
    let chosen: string;
    let reason: string;
    if (fresh.length > 0) {
      chosen = fresh[Math.min(fresh.length - 1, Math.floor(input.random() * fresh.length))] as string;
      reason = `random pick among ${fresh.length} candidate(s) not failed recently`;
    } else {
      chosen = candidates.reduce((best, a) => ((failedAt.get(a) ?? 0) < (failedAt.get(best) ?? 0) ? a : best));
      reason = `every candidate failed recently; took the one that failed longest ago (${secs(now - (failedAt.get(chosen) ?? now))} ago)`;
    }
    candidates.splice(candidates.indexOf(chosen), 1);
    return { address: chosen, reason };
  };

  // Rule 5: never more than max_peers; drop overdue, then not-Established, then the newest.
  let excess = kept.length + overdue.length - maxPeers;
  const dropOrder = [...[...overdue].reverse().map((o) => o.address), ...kept.filter((k) => !k.up).reverse().map((k) => k.address), ...kept.filter((k) => k.up).reverse().map((k) => k.address)];
  const dropped = new Set<string>();
  for (const a of dropOrder) {
    if (excess <= 0) break;
    dropped.add(a);
    downSince.delete(a);
    decisions.push({ address: a, action: 'remove', reason: `over max_peers ${maxPeers}` });
    excess--;
  }
  const selected = kept.filter((k) => !dropped.has(k.address)).map((k) => k.address);
  for (const k of kept) if (!dropped.has(k.address)) decisions.push({ address: k.address, action: 'keep', reason: k.reason });
  const stillOverdue = overdue.filter((o) => !dropped.has(o.address));

  // Free places first: a failing peer is only replaced when a candidate is left for it.
  const added: { address: string; reason: string }[] = [];
  while (selected.length + stillOverdue.length + added.length < maxPeers) {
    const p = pick();
    if (p === null) break;
    added.push({ address: p.address, reason: `fills a free place (${selected.length + stillOverdue.length + added.length + 1}/${maxPeers}): ${p.reason}` });
  }
  for (const o of stillOverdue) {
    const p = pick();
    if (p === null) {
      selected.push(o.address);
      decisions.push({ address: o.address, action: 'keep', reason: `not Established for ${secs(o.downMs)} (grace ${secs(graceMs)}), but no other candidate in DNS` });
      continue;
    }
    downSince.delete(o.address);
    failedAt.set(o.address, now);
    decisions.push({ address: o.address, action: 'remove', reason: `not Established for ${secs(o.downMs)} (grace ${secs(graceMs)}); replaced by ${p.address}` });
    added.push({ address: p.address, reason: `replaces ${o.address}: ${p.reason}` });
  }
  for (const a of added) selected.push(a.address);
  for (const a of added) {
    // A new peer has the grace period to get Established, counted from now.
    downSince.set(a.address, now);
    decisions.push({ address: a.address, action: 'add', reason: a.reason });
  }
  return { selected, decisions, state: { downSince, failedAt } };
}
