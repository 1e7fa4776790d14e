/**
 * Kubernetes probes (issue 9):
 * 1. liveness (`/healthz`): the process answers and its event loop kept up. A timer ticks
 *    every `tickMs`; the lag of a tick is how late it ran. The probe fails while the largest
 *    lag seen in the last `windowMs` exceeds `maxLagMs`: a loop blocked for longer than the
 *    bound (a runaway table walk, a sync crypto call) fails the next probe that gets through,
 *    and a loop blocked for good never answers, which the kubelet's timeout counts as failure.
 * 2. readiness (`/readyz`): the config is applied and, unless `minSessions` is 0, at least
 *    `minSessions` sessions of the listed groups (all groups when none is listed) are
 *    Established. It follows the sessions both ways: an anycast DaemonSet pod is taken out
 *    of its Service while it has no mesh or upstream session to serve from.
 */
import type { RouteReflector } from '../rr/route-reflector.js';

export interface LagMonitorOptions {
  readonly tickMs?: number;
  readonly windowMs?: number;
  readonly now?: () => number;
}

export class LagMonitor {
  private readonly tickMs: number;
  private readonly windowMs: number;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | null = null;
  private last = 0;
  /** (time, lag) of recent ticks with a lag above zero. */
  private samples: { at: number; lagMs: number }[] = [];
  /** The lag of the most recent tick. */
  lastLagMs = 0;

  constructor(opts: LagMonitorOptions = {}) {
    this.tickMs = opts.tickMs ?? 100;
    this.windowMs = opts.windowMs ?? 10_000;
    this.now = opts.now ?? (() => performance.now());
  }

  start(): void {
    if (this.timer !== null) return;
    this.last = this.now();
    this.timer = setInterval(() => this.tick(), this.tickMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  private tick(): void {
    const t = this.now();
    const lag = Math.max(0, t - this.last - this.tickMs);
    this.last = t;
    this.lastLagMs = lag;
    if (lag > 0) this.samples.push({ at: t, lagMs: lag });
    const old = t - this.windowMs;
    while (this.samples.length > 0 && (this.samples[0]?.at ?? t) < old) this.samples.shift();
    if (this.samples.length > 1000) this.samples = this.samples.slice(-1000);
  }

  /** The largest lag seen within the window, including the time since the last tick. */
  maxLagMs(): number {
    const t = this.now();
    const old = t - this.windowMs;
    let max = Math.max(0, t - this.last - this.tickMs);
    for (const s of this.samples) if (s.at >= old && s.lagMs > max) max = s.lagMs;
    return max;
  }
}

export interface ProbeResult {
  readonly ok: boolean;
  readonly reason: string;
  readonly [key: string]: unknown;
}

export interface ReadinessOptions {
  /** Sessions that must be Established (0: ready once the config is applied). */
  readonly minSessions: number;
  /** Groups whose sessions count (empty: every group). */
  readonly groups: readonly string[];
}

export function healthz(lag: LagMonitor, maxLagMs: number): ProbeResult {
  const max = Math.round(lag.maxLagMs());
  if (max > maxLagMs) return { ok: false, reason: `event loop lag ${max} ms exceeds ${maxLagMs} ms`, lagMs: max, maxLagMs };
  return { ok: true, reason: 'event loop alive', lagMs: max, maxLagMs };
}

export function readyz(rr: RouteReflector, configApplied: boolean, opts: ReadinessOptions): ProbeResult {
  if (!configApplied) return { ok: false, reason: 'config not applied yet' };
  if (opts.minSessions <= 0) return { ok: true, reason: 'config applied' };
  const counted = rr.speaker.allPeers().filter((p) => p.state === 'Established' && (opts.groups.length === 0 || opts.groups.includes(p.group)));
  const n = counted.length;
  const which = opts.groups.length === 0 ? 'any group' : opts.groups.join(',');
  if (n < opts.minSessions) return { ok: false, reason: `${n} of ${opts.minSessions} required sessions Established (${which})`, established: n };
  return { ok: true, reason: `${n} sessions Established (${which})`, established: n };
}
