/**
 * The meshrr pod's live loop (issue 7): every UPDATE_SECONDS, run discovery, diff the new
 * `DesiredPeers` against what the router has, and apply the difference incrementally through
 * a `RouterControl`:
 * 1. peers that left: `removeNeighbor` (the session closes with Cease / Peer De-configured,
 *    RFC 4486 §4 subcode 3);
 * 2. each subtractive group's listen ranges: its prefixes minus every static and discovered
 *    peer address (allow-range.ts), set only when they changed, and set before new peers are
 *    added so a new peer's connection can never land in a client group;
 * 3. new peers: `addNeighbor`;
 * 4. unchanged peers: nothing, so their sessions keep their uptime.
 * A router call that throws is logged and not recorded as done, so the next run retries it.
 *
 * Runs are scheduled with node-cron and never overlap (node-cron's `noOverlap`, plus a guard
 * here). UPDATE_SECONDS that cron expresses evenly (a divisor of 60 s, of 60 min or of 24 h)
 * map to a cron expression; any other value runs on a one-second cron tick gated by elapsed
 * time.
 *
 * The router side is the composition root's: it implements `RouterControl` over the running
 * route reflector (src/rr). This module never imports the session layer (STYLE.md §1).
 *
 * Owns: scheduling, applying diffs, allow ranges. Must not: decide peers (discovery does).
 */
import { createTask } from 'node-cron';
import type { ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import type { RouterConfig } from '../config/router-config-types.js';
import { subtractAddresses } from '../discovery/allow-range.js';
import { allAddresses, EMPTY_DESIRED_PEERS } from '../discovery/desired-peers.js';
import type { DesiredPeers, GroupPeer } from '../discovery/desired-peers.js';
import { Discovery, type GroupReport } from '../discovery/discovery.js';
import type { ResolveHost } from '../discovery/dns-resolver.js';
import { meshGroups, subtractiveGroups } from './meshrr-conf-types.js';
import type { MeshrrConf } from './meshrr-conf-types.js';

/** NOTIFICATION Cease (6) / Peer De-configured (3), RFC 4486 §4. */
export const CEASE_PEER_DECONFIGURED = { code: 6, subcode: 3 } as const;

/** What the pod needs from the running router; implemented by the composition root. */
export interface RouterControl {
  /** Adds `address` as a static-like neighbour of `group` (a group of the rendered config), with the group's settings. */
  addNeighbor(group: string, address: string): void | Promise<void>;
  /** Removes the neighbour; an open session is closed with `notification` (Cease / Peer De-configured). */
  removeNeighbor(address: string, notification: typeof CEASE_PEER_DECONFIGURED): void | Promise<void>;
  /** Replaces the group's listen ranges: connections from inside join the group as dynamic peers. */
  setListenRanges(group: string, prefixes: readonly string[]): void | Promise<void>;
  /** True while the session with `address` is Established. */
  isEstablished(address: string): boolean;
}

export interface PodOptions {
  readonly conf: MeshrrConf;
  /** The rendered router config the router runs from: its static neighbours are never discovered. */
  readonly routerConfig: RouterConfig;
  readonly podIp: string;
  readonly updateSeconds: number;
  /** Grace before a not-Established limited peer is replaced (default 2 × updateSeconds). */
  readonly graceSeconds?: number;
  readonly router: RouterControl;
  readonly resolve: ResolveHost;
  readonly log: Logger;
  readonly now?: () => number;
  readonly random?: () => number;
}

export interface PodRunResult {
  readonly kind: 'applied' | 'unchanged' | 'dnsFailed' | 'skipped';
  readonly added: readonly GroupPeer[];
  readonly removed: readonly GroupPeer[];
  /** Groups whose listen ranges were set in this run. */
  readonly rangesSet: readonly string[];
  /** Router calls that failed (retried next run). */
  readonly failures: number;
}

/** The cron expression for an interval, and whether runs must be gated by elapsed time. */
export function cronFor(seconds: number): { expression: string; gated: boolean } {
  if (seconds < 60 && 60 % seconds === 0) return { expression: `*/${seconds} * * * * *`, gated: false };
  if (seconds % 60 === 0 && seconds < 3600 && 60 % (seconds / 60) === 0) return { expression: `0 */${seconds / 60} * * * *`, gated: false };
  if (seconds % 3600 === 0 && 24 % (seconds / 3600) === 0) return { expression: `0 0 */${seconds / 3600} * * *`, gated: false };
  return { expression: '* * * * * *', gated: true };
}

/** The last discovery run, as the status API shows it. */
export interface LastRun {
  readonly at: string;
  readonly kind: 'updated' | 'dnsFailed';
  readonly groups: readonly GroupReport[];
  /** DNS failure that kept everything, or null. */
  readonly error: string | null;
}

export class Pod {
  private opts: PodOptions;
  private discovery: Discovery;
  private staticPeers: readonly string[];
  private readonly now: () => number;
  private applied: DesiredPeers = EMPTY_DESIRED_PEERS;
  private readonly ranges = new Map<string, readonly string[]>();
  private task: ScheduledTask | null = null;
  private running = false;
  private rerun = false;
  private lastStart = -Infinity;

  constructor(opts: PodOptions) {
    this.opts = opts;
    this.now = opts.now ?? Date.now;
    this.staticPeers = staticPeersOf(opts.routerConfig);
    this.discovery = this.makeDiscovery();
  }

  private makeDiscovery(): Discovery {
    const opts = this.opts;
    return new Discovery({
      groups: meshGroups(opts.conf).map((g) => ({ name: g.name, hostname: g.hostname, maxPeers: g.maxPeers })),
      podIp: opts.podIp,
      reserved: new Set(this.staticPeers),
      resolve: opts.resolve,
      isEstablished: (a) => opts.router.isEstablished(a),
      intervalMs: opts.updateSeconds * 1000,
      graceMs: (opts.graceSeconds ?? 2 * opts.updateSeconds) * 1000,
      now: this.now,
      ...(opts.random !== undefined ? { random: opts.random } : {}),
      log: opts.log.child({ component: 'discovery' }),
    });
  }

  /**
   * A reloaded meshrr.conf.yml / template, already applied to the router (build, validate,
   * swap: the caller did the first two). Mesh groups that are gone lose their discovered
   * peers (the router de-configured their sessions); the others keep theirs, and a discovery
   * run follows at once, so a new hostname or `max_peers` takes effect now, and the allow
   * ranges are recomputed from the new subtractive prefixes.
   */
  async reconfigure(conf: MeshrrConf, routerConfig: RouterConfig): Promise<PodRunResult> {
    this.opts = { ...this.opts, conf, routerConfig };
    this.staticPeers = staticPeersOf(routerConfig);
    const mesh = new Set(meshGroups(conf).map((g) => g.name));
    this.applied = { groups: new Map([...this.applied.groups].filter(([g]) => mesh.has(g))) };
    this.discovery = this.makeDiscovery();
    this.ranges.clear();
    return this.runOnce();
  }

  /** The last discovery run: when, and per group the answer and every decision with its reason (status API). */
  get lastRun(): LastRun | null {
    return this.last;
  }

  private last: LastRun | null = null;

  /** The peers the router has (as far as the pod applied them). */
  get peers(): DesiredPeers {
    return this.applied;
  }

  /** The listen ranges last set per subtractive group. */
  get listenRanges(): ReadonlyMap<string, readonly string[]> {
    return this.ranges;
  }

  /** The allow ranges for `peers`: each subtractive group's prefixes minus every peer address. */
  allowRanges(peers: DesiredPeers): Map<string, string[]> {
    const exclude = [...this.staticPeers, ...allAddresses(peers)];
    return new Map(subtractiveGroups(this.opts.conf).map((g) => [g.name, subtractAddresses(g.prefixes, exclude)]));
  }

  /** Sets the initial listen ranges, runs discovery once, then every UPDATE_SECONDS. */
  async start(): Promise<void> {
    await this.applyRanges(this.applied, []);
    await this.runOnce();
    const { expression, gated } = cronFor(this.opts.updateSeconds);
    const log = this.opts.log;
    this.task = createTask(
      expression,
      async () => {
        if (gated && this.now() - this.lastStart < this.opts.updateSeconds * 1000 - 500) return;
        await this.runOnce();
      },
      {
        name: 'meshrr-discovery',
        noOverlap: true,
        logger: { info: (m) => log.debug({ cron: m }, 'cron'), warn: (m) => log.warn({ cron: m }, 'cron'), error: (m) => log.error({ cron: String(m) }, 'cron'), debug: (m) => log.trace({ cron: String(m) }, 'cron') },
      },
    );
    await this.task.start();
    log.info({ updateSeconds: this.opts.updateSeconds, cron: expression, gated }, 'discoveryScheduled');
  }

  /** Stops the schedule (a run in progress finishes). */
  async stop(): Promise<void> {
    const t = this.task;
    this.task = null;
    if (t !== null) await t.destroy();
  }

  /**
   * A run now, or right after the run in progress if there is one (a watched source,
   * `sourcetype: kubernetes`, saw its peers change): never overlaps, and a change seen
   * while a run is under way is not left for the next scheduled run.
   */
  async runSoon(): Promise<void> {
    if (this.running) {
      this.rerun = true;
      return;
    }
    await this.runOnce();
  }

  /** One discovery run and its application. Never throws for DNS or router trouble. */
  async runOnce(): Promise<PodRunResult> {
    const log = this.opts.log;
    if (this.running) {
      log.warn('discoverySkippedOverlap');
      return { kind: 'skipped', added: [], removed: [], rangesSet: [], failures: 0 };
    }
    this.running = true;
    this.lastStart = this.now();
    try {
      const outcome = await this.discovery.run(this.applied);
      if (outcome.kind === 'dnsFailed') {
        this.last = { at: new Date(this.now()).toISOString(), kind: 'dnsFailed', groups: [], error: `${outcome.group}: ${outcome.error.message}` };
        return { kind: 'dnsFailed', added: [], removed: [], rangesSet: [], failures: 0 };
      }
      this.last = { at: new Date(this.now()).toISOString(), kind: 'updated', groups: outcome.groups, error: null };
      const { diff, desired } = outcome;
      let failures = 0;
      const groups = new Map([...this.applied.groups].map(([g, a]) => [g, [...a]]));
      for (const g of desired.groups.keys()) if (!groups.has(g)) groups.set(g, []);

      for (const p of diff.removed) {
        if (await this.call(() => this.opts.router.removeNeighbor(p.address, CEASE_PEER_DECONFIGURED), 'removeNeighbor', { group: p.group, peer: p.address })) {
          const list = groups.get(p.group) ?? [];
          list.splice(list.indexOf(p.address), 1);
        } else failures++;
      }
      // Ranges exclude the peers about to be added, so their connections match them, not a range.
      const intended: DesiredPeers = { groups: new Map([...groups].map(([g, a]) => [g, [...a, ...diff.added.filter((x) => x.group === g).map((x) => x.address)]])) };
      const rangesSet: string[] = [];
      failures += await this.applyRanges(intended, rangesSet);
      for (const p of diff.added) {
        if (await this.call(() => this.opts.router.addNeighbor(p.group, p.address), 'addNeighbor', { group: p.group, peer: p.address })) groups.get(p.group)?.push(p.address);
        else failures++;
      }
      // Keep the snapshot's order for the peers that made it.
      this.applied = { groups: new Map([...desired.groups].map(([g, addrs]) => [g, [...addrs.filter((a) => groups.get(g)?.includes(a)), ...(groups.get(g) ?? []).filter((a) => !addrs.includes(a))]])) };
      if (failures > 0) failures += await this.applyRanges(this.applied, rangesSet);

      const changed = diff.added.length + diff.removed.length > 0 || rangesSet.length > 0;
      const summary = { added: diff.added.length, removed: diff.removed.length, unchanged: diff.unchanged.length, rangesSet, failures };
      if (changed) log.info(summary, 'discoveryApplied');
      else log.debug(summary, 'discoveryUnchanged');
      return { kind: changed ? 'applied' : 'unchanged', added: diff.added, removed: diff.removed, rangesSet, failures };
    } catch (e) {
      // A bug (discovery never throws for DNS trouble): log it and keep the loop alive.
      log.error({ err: e }, 'discoveryRunFailed');
      return { kind: 'skipped', added: [], removed: [], rangesSet: [], failures: 1 };
    } finally {
      this.running = false;
      if (this.rerun) {
        this.rerun = false;
        void this.runOnce();
      }
    }
  }

  /** Sets the listen ranges that differ from the last ones set; returns the number of failures. */
  private async applyRanges(peers: DesiredPeers, setOut: string[]): Promise<number> {
    let failures = 0;
    for (const [group, prefixes] of this.allowRanges(peers)) {
      const prev = this.ranges.get(group);
      if (prev !== undefined && prev.length === prefixes.length && prev.every((p, i) => p === prefixes[i])) continue;
      if (await this.call(() => this.opts.router.setListenRanges(group, prefixes), 'setListenRanges', { group, prefixes: prefixes.length <= 16 ? prefixes : `${prefixes.length} prefixes` })) {
        this.ranges.set(group, prefixes);
        if (!setOut.includes(group)) setOut.push(group);
        this.opts.log.info({ group, count: prefixes.length, prefixes }, 'listenRangesSet');
      } else failures++;
    }
    return failures;
  }

  private async call(fn: () => void | Promise<void>, op: string, fields: Readonly<Record<string, unknown>>): Promise<boolean> {
    try {
      await fn();
      return true;
    } catch (e) {
      this.opts.log.error({ ...fields, op, err: e }, 'routerCallFailed');
      return false;
    }
  }
}

function staticPeersOf(c: RouterConfig): string[] {
  return c.groups.flatMap((g) => g.neighbors.map((n) => n.address));
}
