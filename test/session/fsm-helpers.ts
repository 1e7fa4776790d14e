/**
 * FSM test helpers: a context with a fixed clock and a jitter-free random source (factor
 * 1.0), running a list of events, and summarising actions as short strings for table
 * assertions.
 */
import { step } from '../../src/session/fsm.js';
import type { SessionAction, SessionEvent, SessionState, StepCtx } from '../../src/session/fsm.js';
import type { LocalConfig, PeerSessionConfig } from '../../src/session/peer-config.js';
import { CFG, LOCAL } from './fixtures.js';

/** A context at a fixed time; random() = 1 makes the jitter factor exactly 1.0. */
export function mkCtx(config: PeerSessionConfig = CFG, now = 1_000_000, local: LocalConfig = LOCAL): StepCtx {
  return { config, local, now, random: () => 1 };
}

/** Runs events from a state and returns where it ends. */
export function run(s: SessionState, events: readonly SessionEvent[], ctx: StepCtx = mkCtx()): SessionState {
  return events.reduce((st, e) => step(st, e, ctx).next, s);
}

/** Actions as short strings: `notify:6/2`, `start:Hold=240`, `down:holdTimerExpired`... */
export function summary(actions: readonly SessionAction[]): Set<string> {
  const out = new Set<string>();
  for (const a of actions) {
    switch (a.type) {
      case 'closeTcp':
        out.add('closeTcp').add(`closeTcp:${a.reason}`);
        break;
      case 'sendNotification':
        out.add('notify').add(`notify:${a.notification.code}/${a.notification.subcode}`);
        break;
      case 'startTimer':
        out.add(`start:${a.timer}`).add(`start:${a.timer}=${a.seconds}`);
        break;
      case 'stopTimer':
        out.add(`stop:${a.timer}`);
        break;
      case 'sessionEstablished':
        out.add('up');
        break;
      case 'sessionDown':
        out.add('down').add(`down:${a.down.reason}`);
        break;
      case 'stateChange':
        out.add('change');
        break;
      default:
        out.add(a.type);
    }
  }
  return out;
}
