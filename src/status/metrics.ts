/**
 * Prometheus metrics (issue 9) with prom-client, on one registry per router. Gauges are
 * computed at scrape time from the router's own state (nothing is counted twice); counters
 * that mirror per-peer counters (messages, NOTIFICATIONs) advance by the difference since
 * the last scrape, so a peer whose counters restart (a new Peer object) never makes a
 * counter go down. Labels are bounded: `peer` is a neighbour address (configured, or
 * dynamic within the listen ranges and their limits), `family` an AFI/SAFI name, `state`
 * an RFC 4271 state, `type` a message type, `code`/`subcode` NOTIFICATION numbers; there
 * is no per-prefix label.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RouteReflector } from '../rr/route-reflector.js';
import type { StateName } from '../session/fsm.js';
import type { LastNotification, MessageCounters } from '../session/stats.js';
import type { LagMonitor } from './health.js';
import { prefixCounts } from './views.js';

const STATES: readonly StateName[] = ['Idle', 'Connect', 'Active', 'OpenSent', 'OpenConfirm', 'Established'];
const TYPES: readonly (keyof MessageCounters)[] = ['open', 'update', 'notification', 'keepalive', 'routeRefresh'];

export interface MetricsOptions {
  readonly rr: RouteReflector;
  readonly lag?: LagMonitor;
  /** Include prom-client's process_* and nodejs_* metrics (default true). */
  readonly defaultMetrics?: boolean;
}

/** The discovery and config hooks the composition root calls (pod: DNS lookups, reloads). */
export interface MetricsRecorder {
  discoveryLookup(result: 'ok' | 'error', seconds: number): void;
  configApplied(result: 'applied' | 'failed'): void;
}

export class RouterMetrics implements MetricsRecorder {
  readonly registry = new Registry();
  private readonly lastSeen = new Map<string, { received: MessageCounters; sent: MessageCounters; nSent: LastNotification | null; nRecv: LastNotification | null }>();
  private readonly messages: Counter<'peer' | 'direction' | 'type'>;
  private readonly notifications: Counter<'direction' | 'code' | 'subcode'>;
  private readonly lookups: Counter<'result'>;
  private readonly lookupSeconds: Histogram<'result'>;
  private readonly reloads: Counter<'result'>;
  private readonly appliedAt: Gauge;
  private readonly refused: Counter;
  private refusedSeen = 0;
  private decisionRunsSeen = 0;
  private readonly decisionRuns: Counter;

  constructor(private readonly opts: MetricsOptions) {
    const r = this.registry;
    const rr = opts.rr;
    // Advertised counts need a table walk; a scrape reuses one up to 10 s old.
    if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: r });
    this.messages = new Counter({ name: 'meshrr_bgp_messages_total', help: 'BGP messages by peer, direction (received/sent) and type', labelNames: ['peer', 'direction', 'type'], registers: [r] });
    this.notifications = new Counter({
      name: 'meshrr_bgp_notifications_total',
      help: 'BGP NOTIFICATIONs by direction, error code and subcode (RFC 4271 §4.5)',
      labelNames: ['direction', 'code', 'subcode'],
      registers: [r],
    });
    this.refused = new Counter({ name: 'meshrr_bgp_connections_refused_total', help: 'Incoming connections refused (outside every listen range, or over a limit)', registers: [r] });
    this.decisionRuns = new Counter({ name: 'meshrr_bestpath_runs_total', help: 'Best-path decision runs (each handles up to a bounded batch of dirty prefixes)', registers: [r] });
    const runSeconds = new Histogram({
      name: 'meshrr_bestpath_run_duration_seconds',
      help: 'Duration of one best-path decision run, updates to the update groups included',
      buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [r],
    });
    rr.reflector.decisionObserver = (seconds) => runSeconds.observe(seconds);
    new Gauge({
      name: 'meshrr_bgp_sessions',
      help: 'BGP neighbours by session state',
      labelNames: ['state'],
      registers: [r],
      collect() {
        this.reset();
        const by = new Map<string, number>(STATES.map((s) => [s, 0]));
        for (const p of rr.speaker.allPeers()) by.set(p.state, (by.get(p.state) ?? 0) + 1);
        for (const [state, n] of by) this.set({ state }, n);
      },
    });
    new Gauge({
      name: 'meshrr_bgp_peer_up',
      help: '1 while the session with the peer is Established, else 0',
      labelNames: ['peer', 'group'],
      registers: [r],
      collect() {
        this.reset();
        for (const p of rr.speaker.allPeers()) this.set({ peer: p.name, group: p.group }, p.state === 'Established' ? 1 : 0);
      },
    });
    new Gauge({
      name: 'meshrr_bgp_peer_prefixes',
      help: 'Prefixes per peer and family: received (Adj-RIB-In), accepted (after import policy), advertised (Adj-RIB-Out)',
      labelNames: ['peer', 'family', 'direction'],
      registers: [r],
      collect() {
        this.reset();
        for (const [peer, fams] of prefixCounts(rr, rr.speaker.allPeers())) {
          for (const [family, c] of Object.entries(fams)) {
            this.set({ peer, family, direction: 'received' }, c.received);
            this.set({ peer, family, direction: 'accepted' }, c.accepted);
            this.set({ peer, family, direction: 'advertised' }, c.advertised);
          }
        }
      },
    });
    new Gauge({
      name: 'meshrr_rib_prefixes',
      help: 'Prefixes with at least one path, per family',
      labelNames: ['family'],
      registers: [r],
      collect() {
        this.reset();
        for (const [family, n] of Object.entries(rr.reflector.stats().prefixes)) this.set({ family }, n);
      },
    });
    new Gauge({
      name: 'meshrr_rib_paths',
      help: 'Paths (all peers) per family',
      labelNames: ['family'],
      registers: [r],
      collect() {
        this.reset();
        for (const [family, n] of Object.entries(rr.reflector.stats().paths)) this.set({ family }, n);
      },
    });
    new Gauge({
      name: 'meshrr_rib_attribute_sets',
      help: 'Distinct interned path attribute sets',
      registers: [r],
      collect() {
        this.set(rr.reflector.rib.sets.size);
      },
    });
    new Gauge({
      name: 'meshrr_bestpath_pending_prefixes',
      help: 'Prefixes waiting for the decision process',
      registers: [r],
      collect() {
        this.set(rr.reflector.rib.pendingDecisions);
      },
    });
    new Gauge({
      name: 'meshrr_update_groups',
      help: 'Update groups (peers sharing one Adj-RIB-Out and encoding)',
      registers: [r],
      collect() {
        this.set(rr.reflector.groups.size);
      },
    });
    new Gauge({
      name: 'meshrr_update_group_queue_packets',
      help: 'UPDATE packets waiting in update group logs (sum over groups)',
      registers: [r],
      collect() {
        let n = 0;
        for (const g of rr.reflector.groups.values()) n += g.logDepth.packets;
        this.set(n);
      },
    });
    new Gauge({
      name: 'meshrr_update_group_queue_bytes',
      help: 'Bytes waiting in update group logs (sum over groups)',
      registers: [r],
      collect() {
        let n = 0;
        for (const g of rr.reflector.groups.values()) n += g.logDepth.bytes;
        this.set(n);
      },
    });
    const lag = opts.lag;
    new Gauge({
      name: 'meshrr_event_loop_lag_seconds',
      help: 'Largest event loop lag seen in the health window (what /healthz judges)',
      registers: [r],
      collect() {
        this.set(lag === undefined ? 0 : lag.maxLagMs() / 1000);
      },
    });
    this.lookups = new Counter({ name: 'meshrr_discovery_lookups_total', help: 'DNS discovery lookups by result', labelNames: ['result'], registers: [r] });
    this.lookupSeconds = new Histogram({
      name: 'meshrr_discovery_lookup_duration_seconds',
      help: 'DNS discovery lookup latency',
      labelNames: ['result'],
      buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 2, 5],
      registers: [r],
    });
    this.reloads = new Counter({ name: 'meshrr_config_reloads_total', help: 'Router configs applied (the first one at start-up) or rejected', labelNames: ['result'], registers: [r] });
    this.appliedAt = new Gauge({ name: 'meshrr_config_last_applied_timestamp_seconds', help: 'When the running router config was applied (Unix time)', registers: [r] });
    for (const result of ['applied', 'failed']) this.reloads.inc({ result }, 0);
    for (const result of ['ok', 'error']) this.lookups.inc({ result }, 0);
  }

  discoveryLookup(result: 'ok' | 'error', seconds: number): void {
    this.lookups.inc({ result });
    this.lookupSeconds.observe({ result }, seconds);
  }

  configApplied(result: 'applied' | 'failed'): void {
    this.reloads.inc({ result });
    if (result === 'applied') this.appliedAt.set(Date.now() / 1000);
  }

  /** BMP export state (operations.ts registers the exporter when one is configured). */
  addBmp(bmp: { readonly isConnected: boolean; readonly stats: { readonly messages: number; readonly connects: number } }): void {
    new Gauge({
      name: 'meshrr_bmp_collector_up',
      help: '1 while the BMP collector connection is up',
      registers: [this.registry],
      collect() {
        this.set(bmp.isConnected ? 1 : 0);
      },
    });
    let seen = 0;
    const sent = new Counter({ name: 'meshrr_bmp_messages_total', help: 'BMP messages sent to the collector', registers: [this.registry] });
    let connectsSeen = 0;
    const connects = new Counter({ name: 'meshrr_bmp_connects_total', help: 'Connections made to the BMP collector (each starts a full resync)', registers: [this.registry] });
    this.syncHooks.push(() => {
      if (bmp.stats.messages > seen) sent.inc(bmp.stats.messages - seen);
      seen = bmp.stats.messages;
      if (bmp.stats.connects > connectsSeen) connects.inc(bmp.stats.connects - connectsSeen);
      connectsSeen = bmp.stats.connects;
    });
  }

  private readonly syncHooks: (() => void)[] = [];

  /** Advances the mirrored counters to the router's current values. */
  private syncCounters(): void {
    const rr = this.opts.rr;
    for (const p of rr.speaker.allPeers()) {
      const s = p.stats;
      const prev = this.lastSeen.get(p.name);
      for (const type of TYPES) {
        for (const [direction, now, before] of [
          ['received', s.received[type], prev?.received[type]],
          ['sent', s.sent[type], prev?.sent[type]],
        ] as const) {
          const d = before === undefined || now < before ? now : now - before;
          if (d > 0 || prev === undefined) this.messages.inc({ peer: p.name, direction, type }, d);
        }
      }
      const note = (direction: string, now: LastNotification | null, before: LastNotification | null | undefined): void => {
        if (now !== null && (before === undefined || before === null || before.at !== now.at)) {
          this.notifications.inc({ direction, code: String(now.code), subcode: String(now.subcode) });
        }
      };
      note('sent', s.lastNotificationSent, prev?.nSent);
      note('received', s.lastNotificationReceived, prev?.nRecv);
      this.lastSeen.set(p.name, { received: { ...s.received }, sent: { ...s.sent }, nSent: s.lastNotificationSent, nRecv: s.lastNotificationReceived });
    }
    const refused = rr.speaker.refused;
    if (refused > this.refusedSeen) this.refused.inc(refused - this.refusedSeen);
    this.refusedSeen = refused;
    const runs = rr.reflector.decisionRuns;
    if (runs > this.decisionRunsSeen) this.decisionRuns.inc(runs - this.decisionRunsSeen);
    this.decisionRunsSeen = runs;
    for (const h of this.syncHooks) h();
  }

  /** The exposition text (Prometheus text format 0.0.4). */
  async text(): Promise<string> {
    this.syncCounters();
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
