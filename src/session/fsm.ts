/**
 * The BGP session finite state machine of RFC 4271 §8 as a pure reducer:
 * `step(state, event, ctx)` returns the next state and the actions a driver executes
 * (connect, send, close, timers, session up/down). It owns no socket, timer or clock, so every
 * (state, event) pair is a socket-free table test (STYLE.md §4).
 *
 * Layout: types in fsm-types.ts; entry actions and shared moves in fsm-enter.ts; Idle,
 * Connect and Active in fsm-connecting.ts; OpenSent, OpenConfirm and Established in
 * fsm-opened.ts; collision resolution (§6.8) in fsm-collision.ts. Each handler module
 * lists its departures from §8.2.2 at its top.
 *
 * One FSM is one TCP connection. A driver keeps up to two per peer (ours and theirs) until
 * collision resolution leaves one (fsm-collision.ts).
 *
 * RFCs: 4271 §8 (FSM), §6.8 (collision), §10 (timers); 6608 (FSM Error subcodes);
 * 4486 + 9003 (Cease subcodes, shutdown communication); 8538 (Hard Reset); 7606 (UPDATE
 * error actions); 6286 (BGP Identifier).
 */
import type { SessionEvent, SessionState, StepCtx, StepResult } from './fsm-types.js';
import { active, connect, idle } from './fsm-connecting.js';
import { established, openConfirm, openSent } from './fsm-opened.js';

export type {
  CloseReason,
  DownReason,
  SessionAction,
  SessionDown,
  SessionEvent,
  SessionEventType,
  SessionState,
  StateName,
  StepCtx,
  StepResult,
  TimerName,
} from './fsm-types.js';
export {
  ADMIN_SHUTDOWN,
  DOWN_REASON_TEXT,
  initialState,
  notificationEvent,
  STATE_NAMES,
  unwrapHardReset,
  wireNotification,
} from './fsm-types.js';
export type { Initiator } from './fsm-collision.js';
export { collisionVictim, resolveCollision } from './fsm-collision.js';

function assertNever(x: never): never {
  throw new Error(`unhandled state ${JSON.stringify(x)}`);
}

/**
 * Event 20 is event 19 received while the DelayOpenTimer runs (§8.1.2). The FSM owns that
 * timer, so it decides which of the two an OPEN is; a driver may send either.
 */
function normalize(s: SessionState, e: SessionEvent): SessionEvent {
  if (e.type === 'BGPOpen' && s.delayOpenRunning) return { type: 'BGPOpen_with_DelayOpenTimer_running', open: e.open };
  if (e.type === 'BGPOpen_with_DelayOpenTimer_running' && !s.delayOpenRunning) return { type: 'BGPOpen', open: e.open };
  return e;
}

/**
 * Applies one event. Pure: the same (state, event, ctx) always gives the same result, and
 * `ctx.random` is the only source of variation (timer jitter).
 */
export function step(state: SessionState, event: SessionEvent, ctx: StepCtx): StepResult {
  const e = normalize(state, event);
  switch (state.name) {
    case 'Idle':
      return idle(state, e, ctx);
    case 'Connect':
      return connect(state, e, ctx);
    case 'Active':
      return active(state, e, ctx);
    case 'OpenSent':
      return openSent(state, e, ctx);
    case 'OpenConfirm':
      return openConfirm(state, e, ctx);
    case 'Established':
      return established(state, e, ctx);
    default:
      return assertNever(state.name);
  }
}
