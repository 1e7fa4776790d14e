/**
 * Connection-rate limiting on the listeners (issue 10): beyond `max` accepted connections in
 * `windowSeconds`, a source address is refused until its window ends. Refusals are logged
 * once per source per window (with how many were not), and at most MAX_REFUSAL_LOGS lines
 * per window overall, so a flood cannot flood the log too.
 *
 * Must not: touch sockets or log (speaker.ts does both); this module only counts.
 */

/** Connection-rate limit per source address on the listeners. */
export interface ConnectionRate {
  readonly max: number;
  readonly windowSeconds: number;
}

/** 20 connections in 10 s: far more than reconnects and collisions need, far less than a flood. */
export const DEFAULT_CONNECTION_RATE: ConnectionRate = { max: 20, windowSeconds: 10 };

/** Refusal log lines per rate window, all sources together. */
const MAX_REFUSAL_LOGS = 50;
/** Sources tracked at once; beyond this the table starts over (a spoofed-source flood). */
const MAX_TRACKED_SOURCES = 65536;

interface SourceWindow {
  start: number;
  accepted: number;
  refused: number;
  logged: boolean;
}

/** Per-source accepted-connection counts in fixed windows, and the refusal log budget. */
export class ConnectionRateLimiter {
  readonly rate: ConnectionRate;
  private readonly sources = new Map<string, SourceWindow>();
  private refusalLogWindow = 0;
  private refusalLogs = 0;
  private refusalLogsSuppressed = 0;

  constructor(rate: ConnectionRate) {
    this.rate = rate;
  }

  /**
   * Counts a connection from `source` against the rate limit; false when over it. The window
   * is fixed (not sliding): cheap, and a source over the limit waits at most one window.
   */
  admit(source: string, now: number): boolean {
    let w = this.sources.get(source);
    if (w === undefined || now - w.start >= this.rate.windowSeconds * 1000) {
      if (w === undefined && this.sources.size >= MAX_TRACKED_SOURCES) this.sweepSources(now);
      w = { start: now, accepted: 0, refused: 0, logged: false };
      this.sources.set(source, w);
    }
    if (w.accepted >= this.rate.max) return false;
    w.accepted++;
    return true;
  }

  private sweepSources(now: number): void {
    for (const [k, w] of this.sources) if (now - w.start >= this.rate.windowSeconds * 1000) this.sources.delete(k);
    if (this.sources.size >= MAX_TRACKED_SOURCES) this.sources.clear();
  }

  /** Whether this refusal gets a log line: once per source and window, MAX_REFUSAL_LOGS per window. */
  logRefusal(source: string, now: number): { log: boolean; suppressed: number } {
    const windowMs = this.rate.windowSeconds * 1000;
    if (now - this.refusalLogWindow >= windowMs) {
      this.refusalLogWindow = now;
      this.refusalLogs = 0;
    }
    const w = this.sources.get(source);
    if (w !== undefined && w.logged) {
      w.refused++;
      this.refusalLogsSuppressed++;
      return { log: false, suppressed: 0 };
    }
    if (this.refusalLogs >= MAX_REFUSAL_LOGS) {
      this.refusalLogsSuppressed++;
      return { log: false, suppressed: 0 };
    }
    if (w !== undefined) w.logged = true;
    this.refusalLogs++;
    const suppressed = this.refusalLogsSuppressed;
    this.refusalLogsSuppressed = 0;
    return { log: true, suppressed };
  }
}
