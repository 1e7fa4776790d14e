/**
 * One discovery run (issue 7): resolve every mesh group's hostname as a headless Service,
 * drop our own address, select peers (peer-selection.ts) and return the new `DesiredPeers`
 * snapshot with its diff against the current one. The pod schedules runs and applies diffs;
 * this module only decides, and logs every decision with the group, the answer and the reason.
 *
 * DNS failures (issue 7):
 * 1. NXDOMAIN or NODATA for a group: that group keeps its current peers; the state change is
 *    logged at warn once (not at every run), its recovery at info.
 * 2. A timeout, SERVFAIL/REFUSED or unreachable nameserver for any group: the whole run
 *    changes nothing (every group keeps its peers, no replacement is made) and the next run
 *    tries again. Sessions are never torn down because DNS was unavailable.
 *
 * Addresses belong to one group only: static neighbours of the rendered router config and our
 * own address are never discovered, and an address already selected by an earlier group (in
 * meshrr config order) is skipped by later ones, with a warning.
 *
 * Session state ("is X Established?") comes in through an injected function, so this layer
 * never imports the session layer (STYLE.md §1). Time and randomness are injected too.
 *
 * Owns: the run, per-group DNS state and selection memory. Must not: touch the router.
 */
import type { Logger } from 'pino';
import type { DnsError, DnsLookup, ResolveHost } from './dns-resolver.js';
import { diffDesiredPeers } from './desired-peers.js';
import type { DesiredPeers, PeersDiff } from './desired-peers.js';
import { EMPTY_SELECTION_STATE, selectPeers } from './peer-selection.js';
import type { Decision, SelectionState } from './peer-selection.js';

/** A mesh group as discovery needs it. */
export interface MeshGroupSpec {
  readonly name: string;
  /** `source.hostname`, resolved with the search list. */
  readonly hostname: string;
  /** null: full mesh. */
  readonly maxPeers: number | null;
}

export interface DiscoveryOptions {
  /** In meshrr config order: earlier groups win an address both resolve to. */
  readonly groups: readonly MeshGroupSpec[];
  /** Our own address (canonical text), removed from every answer. */
  readonly podIp: string;
  /** Addresses that are static neighbours: never discovered. */
  readonly reserved?: ReadonlySet<string>;
  readonly resolve: ResolveHost;
  readonly isEstablished: (address: string) => boolean;
  /** The run interval (UPDATE_SECONDS), for the defaults below. */
  readonly intervalMs: number;
  /** Grace period before a not-Established limited peer is replaced; default 2 intervals. */
  readonly graceMs?: number;
  /** How long a replaced peer counts as recently failed; default 10 intervals. */
  readonly failMemoryMs?: number;
  readonly now?: () => number;
  readonly random?: () => number;
  readonly log: Logger;
}

/** What one group's run found, for status and tests. */
export interface GroupReport {
  readonly group: string;
  readonly hostname: string;
  readonly dns: DnsLookup['kind'];
  /** The answer after removing our address and addresses owned elsewhere. */
  readonly answer: readonly string[];
  readonly decisions: readonly Decision[];
}

export type RunOutcome =
  | { readonly kind: 'updated'; readonly desired: DesiredPeers; readonly diff: PeersDiff; readonly groups: readonly GroupReport[] }
  | { readonly kind: 'dnsFailed'; readonly desired: DesiredPeers; readonly group: string; readonly error: DnsError };

type DnsState = 'ok' | 'nxdomain' | 'nodata' | 'failed';

export class Discovery {
  private readonly opts: DiscoveryOptions;
  private readonly graceMs: number;
  private readonly failMemoryMs: number;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly selection = new Map<string, SelectionState>();
  private readonly dnsState = new Map<string, DnsState>();

  constructor(opts: DiscoveryOptions) {
    this.opts = opts;
    this.graceMs = opts.graceMs ?? 2 * opts.intervalMs;
    this.failMemoryMs = opts.failMemoryMs ?? 10 * opts.intervalMs;
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
  }

  get groups(): readonly MeshGroupSpec[] {
    return this.opts.groups;
  }

  /**
   * Resolves every group, then selects. `current` is what the router has now (the last
   * snapshot the pod applied). Never throws for DNS trouble: see the module comment.
   */
  async run(current: DesiredPeers): Promise<RunOutcome> {
    const { groups, log } = this.opts;
    const lookups = await Promise.all(groups.map(async (g) => ({ g, r: await this.opts.resolve(g.hostname) })));

    const failed = lookups.find((l) => l.r.kind === 'failed');
    if (failed !== undefined && failed.r.kind === 'failed') {
      for (const { g, r } of lookups) if (r.kind === 'failed') this.noteDnsState(g, r);
      log.warn({ group: failed.g.name, hostname: failed.g.hostname, code: failed.r.error.code, reason: failed.r.error.message, tried: failed.r.tried }, 'discoveryKeptEverything');
      return { kind: 'dnsFailed', desired: current, group: failed.g.name, error: failed.r.error };
    }

    const now = this.now();
    const claimed = new Map<string, string>();
    for (const a of this.opts.reserved ?? []) claimed.set(a, 'a static neighbour');
    claimed.set(this.opts.podIp, 'our own address');
    const next = new Map<string, readonly string[]>();
    const reports: GroupReport[] = [];

    for (const { g, r } of lookups) {
      this.noteDnsState(g, r);
      const cur = current.groups.get(g.name) ?? [];
      if (r.kind !== 'answer') {
        // Rule 1: keep the group's peers as they are.
        next.set(g.name, cur);
        for (const a of cur) claimed.set(a, `group ${g.name}`);
        reports.push({ group: g.name, hostname: g.hostname, dns: r.kind, answer: [], decisions: cur.map((address) => ({ address, action: 'keep', reason: `DNS ${r.kind}: keeping current peers` })) });
        continue;
      }
      const answer: string[] = [];
      for (const a of r.addresses) {
        const owner = claimed.get(a);
        if (owner === undefined) answer.push(a);
        else if (owner !== 'our own address') log.warn({ group: g.name, peer: a, owner, hostname: g.hostname }, 'discoveredAddressOwnedElsewhere');
      }
      const sel = selectPeers({
        current: cur,
        answer,
        maxPeers: g.maxPeers,
        state: this.selection.get(g.name) ?? EMPTY_SELECTION_STATE,
        now,
        graceMs: this.graceMs,
        failMemoryMs: this.failMemoryMs,
        isEstablished: this.opts.isEstablished,
        random: this.random,
      });
      this.selection.set(g.name, sel.state);
      next.set(g.name, sel.selected);
      for (const a of sel.selected) claimed.set(a, `group ${g.name}`);
      for (const d of sel.decisions) {
        const fields = { group: g.name, peer: d.address, action: d.action, reason: d.reason, hostname: g.hostname, name: r.name, answer: r.addresses };
        if (d.action === 'keep') log.debug(fields, 'peerDecision');
        else log.info(fields, 'peerDecision');
      }
      reports.push({ group: g.name, hostname: g.hostname, dns: 'answer', answer, decisions: sel.decisions });
    }

    const desired: DesiredPeers = { groups: next };
    return { kind: 'updated', desired, diff: diffDesiredPeers(current, desired), groups: reports };
  }

  /** Logs a group's DNS state when it changes (warn into trouble, info out of it). */
  private noteDnsState(g: MeshGroupSpec, r: DnsLookup): void {
    const state: DnsState = r.kind === 'answer' ? 'ok' : r.kind;
    const prev = this.dnsState.get(g.name);
    if (prev === state) return;
    this.dnsState.set(g.name, state);
    const base = { group: g.name, hostname: g.hostname, from: prev ?? 'none', to: state, tried: r.tried };
    if (r.kind === 'answer') {
      if (prev !== undefined) this.opts.log.info({ ...base, answer: r.addresses }, 'dnsRecovered');
    } else if (r.kind === 'failed') {
      this.opts.log.warn({ ...base, code: r.error.code, reason: r.error.message }, 'dnsFailed');
    } else {
      this.opts.log.warn({ ...base, reason: `DNS ${r.kind === 'nxdomain' ? 'NXDOMAIN' : 'NODATA'}: keeping the group's current peers` }, 'dnsNoAnswer');
    }
  }
}
