/**
 * Graceful restart, helper mode (RFC 4724 §4.2): what we do with a peer's routes when its
 * session goes down while it said it would restart, and when it comes back.
 * - Down with routes retained: only the families it listed in its capability are kept (a
 *   helper-only peer, listing none, loses its routes at once); the rest stay, marked stale,
 *   for the peer's Restart Time (capped by our stale-routes time), then go.
 * - Back: without graceful restart on the new session, or for a family whose F bit is now
 *   clear, the stale routes go at once; the others wait for its End-of-RIB, at most our
 *   stale-routes time.
 *
 * Owns: the per-peer capability memory and the stale timers. Must not: decide sessions.
 */
import type { Logger } from 'pino';
import type { Negotiated } from '../session/negotiated.js';
import type { Reflector } from '../reflect/reflector.js';

export class GracefulRestartHelper {
  private readonly staleTimers = new Map<number, NodeJS.Timeout>();
  /** The Restart Time each peer advertised on its last session (RFC 4724 §3). */
  private readonly restartTime = new Map<number, number>();
  /** The families each peer listed in its graceful restart capability on its last session. */
  private readonly families = new Map<number, readonly { readonly afi: number; readonly safi: number }[]>();

  constructor(
    private readonly reflector: Reflector,
    private readonly log: Logger,
    private readonly staleRoutesTime: () => number,
  ) {}

  /** A session came up: remember its capability; if we hold its stale routes, handle its return. */
  established(index: number, name: string, neg: Negotiated): void {
    this.restartTime.set(index, neg.gracefulRestart?.restartTime ?? 0);
    this.families.set(index, neg.gracefulRestart?.families ?? []);
    if (this.staleTimers.has(index)) this.returned(index, name, neg);
  }

  /** A session went down with its routes retained (the reflector already marked them stale). */
  down(index: number, name: string): void {
    const listed = this.families.get(index) ?? [];
    for (const f of this.reflector.rib.families.values()) {
      if (!listed.some((x) => x.afi === f.afi && x.safi === f.safi)) this.reflector.sweepStaleFamily(index, f.afi, f.safi);
    }
    const restart = Math.min(this.restartTime.get(index) ?? 0, this.staleRoutesTime());
    this.startTimer(index, name, restart, 'peer did not come back within its restart time');
  }

  stop(): void {
    for (const t of this.staleTimers.values()) clearTimeout(t);
    this.staleTimers.clear();
  }

  private startTimer(index: number, name: string, seconds: number, why: string): void {
    const old = this.staleTimers.get(index);
    if (old !== undefined) clearTimeout(old);
    this.staleTimers.set(
      index,
      setTimeout(() => {
        this.staleTimers.delete(index);
        const n = this.reflector.sweepStale(index);
        this.log.info({ peer: name, swept: n, reason: why }, 'staleRoutesSwept');
      }, seconds * 1000),
    );
  }

  private returned(index: number, name: string, neg: Negotiated): void {
    const gr = neg.gracefulRestart;
    if (gr === null) {
      const old = this.staleTimers.get(index);
      if (old !== undefined) clearTimeout(old);
      this.staleTimers.delete(index);
      const n = this.reflector.sweepStale(index);
      this.log.info({ peer: name, swept: n, reason: 'peer came back without graceful restart' }, 'staleRoutesSwept');
      return;
    }
    for (const f of this.reflector.rib.families.values()) {
      const kept = gr.families.some((x) => x.afi === f.afi && x.safi === f.safi && x.forwardingPreserved);
      if (!kept) this.reflector.sweepStaleFamily(index, f.afi, f.safi);
    }
    this.startTimer(index, name, this.staleRoutesTime(), 'no End-of-RIB within the stale-routes time');
  }
}
