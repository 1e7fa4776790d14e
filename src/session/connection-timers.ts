/**
 * The FSM timers of one connection (RFC 4271 §8, §10): real `setTimeout`s behind the
 * `startTimer` / `stopTimer` actions that the pure `step` reducer returns. Each expiry is
 * turned into its RFC 4271 §8.1.3 event and handed to the connection.
 *
 * Must not: compute timer values (timers.ts and the FSM do) or decide what an expiry means.
 */
import type { SessionEvent, TimerName } from './fsm.js';

const TIMER_EVENT: Readonly<Record<TimerName, SessionEvent>> = {
  ConnectRetry: { type: 'ConnectRetryTimer_Expires' },
  Hold: { type: 'HoldTimer_Expires' },
  Keepalive: { type: 'KeepaliveTimer_Expires' },
  DelayOpen: { type: 'DelayOpenTimer_Expires' },
  IdleHold: { type: 'IdleHoldTimer_Expires' },
};

/** At most one running timer per name; starting a running timer restarts it. */
export class ConnectionTimers {
  private readonly timers = new Map<TimerName, NodeJS.Timeout>();
  private readonly onExpire: (timer: TimerName, event: SessionEvent) => void;

  /** `onExpire` gets the timer that fired and its FSM event (the timer is already gone). */
  constructor(onExpire: (timer: TimerName, event: SessionEvent) => void) {
    this.onExpire = onExpire;
  }

  start(t: TimerName, seconds: number): void {
    this.stop(t);
    const h = setTimeout(() => {
      this.timers.delete(t);
      this.onExpire(t, TIMER_EVENT[t]);
    }, Math.max(0, seconds * 1000));
    this.timers.set(t, h);
  }

  stop(t: TimerName): void {
    const h = this.timers.get(t);
    if (h !== undefined) {
      clearTimeout(h);
      this.timers.delete(t);
    }
  }

  stopAll(): void {
    for (const t of [...this.timers.keys()]) this.stop(t);
  }
}
