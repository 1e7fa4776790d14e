/**
 * Transition bookkeeping for the session FSM: `enter()` (the one place for entry actions:
 * stopping timers, closing the connection, the sessionDown report, the IdleHoldTime
 * back-off) and the moves several states share (start, TCP up, OPEN accepted, go Idle).
 *
 * Must not: do I/O or read the clock (time comes from StepCtx.now).
 *
 * RFCs: 4271 §8.1.1 (DampPeerOscillations), §8.2.2 (per-state actions), §10 (jitter);
 * 4724 §4.2 and 8538 §3-§4 (routes kept on graceful restart, Hard Reset).
 */
import type { NotificationFields } from '../wire/errors.js';
import { isHardReset } from '../wire/errors.js';
import { CEASE_SUB, ERR } from '../wire/iana.js';
import type {
  DownReason,
  SessionAction,
  SessionDown,
  SessionEventType,
  SessionState,
  StateName,
  StepCtx,
  StepResult,
  TimerName,
} from './fsm-types.js';
import { validateOpen } from './negotiate.js';
import type { Negotiated } from './negotiated.js';
import { nBitNegotiated } from './negotiated.js';
import { buildOpen } from './open-build.js';
import { idleHoldBackoff, jitter } from './timers.js';
import type { OpenMessage } from '../wire/open.js';

export const start = (timer: TimerName, seconds: number): SessionAction => ({ type: 'startTimer', timer, seconds });
export const stop = (timer: TimerName): SessionAction => ({ type: 'stopTimer', timer });

/** No transition: the state (possibly with updated attributes) and some actions. */
export function stay(s: SessionState, actions: readonly SessionAction[] = []): StepResult {
  return { next: s, actions };
}

/** How a move to Idle treats the session (RFC 4271 §8.2.2 differs per event). */
export interface DownCause {
  readonly reason: DownReason;
  /** The NOTIFICATION we send before closing, if any. */
  readonly sent: NotificationFields | null;
  readonly received: NotificationFields | null;
  /** ConnectRetryCounter: zero on ManualStop, unchanged on NotifMsgVerErr, else +1. */
  readonly counter: 'reset' | 'keep' | 'increment';
  /** Whether the IdleHoldTimer may restart the session (false after a stop). */
  readonly restart: boolean;
}

/** Default cause: an error that counts as a failure and allows an automatic restart. */
export function failure(
  reason: DownReason,
  sent: NotificationFields | null = null,
  received: NotificationFields | null = null,
): DownCause {
  return { reason, sent, received, counter: 'increment', restart: true };
}

/** RFC 6608 §3: the FSM Error subcode names the state the unexpected event arrived in. */
export function fsmError(subcode: number): NotificationFields {
  return { code: ERR.FSM, subcode, data: Buffer.alloc(0) };
}

/** Cease / Connection Collision Resolution (RFC 4486 §4, RFC 4271 §6.8). */
export const COLLISION_CEASE: NotificationFields = {
  code: ERR.CEASE,
  subcode: CEASE_SUB.CONNECTION_COLLISION_RESOLUTION,
  data: Buffer.alloc(0),
};

/** Hold Timer Expired has no subcode (RFC 4271 §6.5). */
export const HOLD_EXPIRED: NotificationFields = { code: ERR.HOLD_TIMER_EXPIRED, subcode: 0, data: Buffer.alloc(0) };

/**
 * RFC 4724 §4.2 and RFC 8538 §4: whether the peer's routes stay (stale) after this down.
 * Without the N bit only a TCP failure keeps them; with it, any NOTIFICATION but Hard Reset.
 */
function retainRoutes(neg: Negotiated | null, cause: DownCause): boolean {
  if (neg === null || neg.gracefulRestart === null) return false;
  if (cause.reason === 'tcpConnectionFails') return true;
  if (!nBitNegotiated(neg)) return false;
  if (cause.sent !== null) return !isHardReset(cause.sent);
  if (cause.received !== null) {
    return !(cause.received.code === ERR.CEASE && cause.received.subcode === CEASE_SUB.HARD_RESET);
  }
  return false;
}

/**
 * Moves to `to` and appends the entry actions of `to`. `pre` are the transition's own
 * actions (sent messages, timers); a stateChange follows them, then the entry actions.
 * Entry actions (RFC 4271 §8.2.2, as OpenBGPD's change_state does them in one place):
 * - leaving Idle: stop the IdleHoldTimer;
 * - Idle: stop every timer, close TCP, release resources, report sessionDown, and start the
 *   IdleHoldTimer with the back-off of §8.1.1 when a restart is allowed;
 * - Established: note the time (for the stable-period reset) and report sessionEstablished.
 */
export function enter(
  s: SessionState,
  to: StateName,
  event: SessionEventType,
  ctx: StepCtx,
  pre: readonly SessionAction[],
  patch: Partial<SessionState> = {},
  cause: DownCause | null = null,
): StepResult {
  const actions: SessionAction[] = [...pre];
  actions.push({ type: 'stateChange', from: s.name, to, event, reason: cause?.reason ?? null });
  let next: SessionState = { ...s, ...patch, name: to };
  if (s.name === 'Idle' && to !== 'Idle' && s.idleHoldRunning) {
    actions.push(stop('IdleHold'));
    next = { ...next, idleHoldRunning: false };
  }
  if (to === 'Idle') {
    const c = cause ?? failure('fsmError');
    for (const t of ['ConnectRetry', 'Hold', 'Keepalive', 'DelayOpen'] as const) actions.push(stop(t));
    actions.push({ type: 'closeTcp', reason: c.reason }, { type: 'releaseResources' });
    const wasEstablished = s.name === 'Established';
    const down: SessionDown = {
      reason: c.reason,
      from: s.name,
      at: ctx.now,
      notificationSent: c.sent,
      notificationReceived: c.received,
      wasEstablished,
      retainRoutes: wasEstablished && retainRoutes(s.negotiated, c),
    };
    actions.push({ type: 'sessionDown', down });
    const t = ctx.config.timers;
    const establishedFor = s.establishedAt === null ? null : (ctx.now - s.establishedAt) / 1000;
    const backoff = idleHoldBackoff(s.idleHoldTime, establishedFor, {
      damp: ctx.config.dampPeerOscillations,
      initial: t.idleHoldTime,
      max: t.maxIdleHoldTime,
      stablePeriod: t.idleHoldStablePeriod,
    });
    const restart = c.restart && ctx.config.allowAutomaticStart;
    if (restart) actions.push(start('IdleHold', backoff.wait));
    const counter =
      c.counter === 'reset' ? 0 : c.counter === 'keep' ? s.connectRetryCounter : s.connectRetryCounter + 1;
    next = {
      ...next,
      connectRetryCounter: counter,
      // A stop is not a failure: it leaves the back-off where it was.
      idleHoldTime: restart ? backoff.next : s.idleHoldTime,
      idleHoldRunning: restart,
      delayOpenRunning: false,
      negotiated: null,
      establishedAt: null,
      lastDown: down,
    };
  } else if (to === 'Established' && s.name !== 'Established') {
    next = { ...next, establishedAt: ctx.now };
    if (next.negotiated !== null) actions.push({ type: 'sessionEstablished', negotiated: next.negotiated });
  }
  return { next, actions };
}

/** Moves to Idle for `cause`, sending its NOTIFICATION first (Hard Reset per RFC 8538 §3). */
export function goIdle(s: SessionState, event: SessionEventType, ctx: StepCtx, cause: DownCause): StepResult {
  const pre: SessionAction[] = [];
  if (cause.sent !== null) {
    const hardReset = nBitNegotiated(s.negotiated) && isHardReset(cause.sent);
    pre.push({ type: 'sendNotification', notification: cause.sent, hardReset });
  }
  return enter(s, 'Idle', event, ctx, pre, {}, cause);
}

/**
 * Idle + a start event (RFC 4271 §8.2.2 Idle, events 1, 3-7): ConnectRetryCounter to zero,
 * then either initiate TCP with the ConnectRetryTimer (-> Connect) or wait for the peer
 * (-> Active). Departure: a passive start runs no ConnectRetryTimer, because its expiry
 * would make the FSM initiate TCP from Active, which a passive peer must never do
 * (OpenBGPD and holo do the same).
 */
export function startSession(
  s: SessionState,
  event: SessionEventType,
  ctx: StepCtx,
  passive: boolean,
  patch: Partial<SessionState> = {},
): StepResult {
  const p = passive || ctx.config.passive;
  const base = { ...patch, connectRetryCounter: 0, passive: p };
  if (p) return enter(s, 'Active', event, ctx, [], base);
  const pre = [start('ConnectRetry', jitter(ctx.config.timers.connectRetryTime, ctx.random)), { type: 'connect' } as const];
  return enter(s, 'Connect', event, ctx, pre, base);
}

const sendOpen = (ctx: StepCtx): SessionAction => ({ type: 'sendOpen', open: buildOpen(ctx.local, ctx.config) });

/**
 * Connect/Active + Tcp_CR_Acked (16) or TcpConnectionConfirmed (17): with DelayOpen, stop
 * the ConnectRetryTimer and start the DelayOpenTimer in place; else send OPEN, set the hold
 * timer to the large value (4 minutes suggested) and go to OpenSent.
 */
export function tcpUp(s: SessionState, event: SessionEventType, ctx: StepCtx): StepResult {
  const t = ctx.config.timers;
  if (t.delayOpenTime > 0) {
    return stay({ ...s, delayOpenRunning: true }, [stop('ConnectRetry'), start('DelayOpen', t.delayOpenTime)]);
  }
  return enter(s, 'OpenSent', event, ctx, [stop('ConnectRetry'), sendOpen(ctx), start('Hold', t.largeHoldTime)]);
}

/** DelayOpenTimer_Expires (12) in Connect/Active: send OPEN now (RFC 4271 §8.2.2). */
export function delayOpenExpired(s: SessionState, event: SessionEventType, ctx: StepCtx): StepResult {
  const pre = [stop('ConnectRetry'), stop('DelayOpen'), sendOpen(ctx), start('Hold', ctx.config.timers.largeHoldTime)];
  return enter(s, 'OpenSent', event, ctx, pre, { delayOpenRunning: false });
}

/**
 * A received OPEN in OpenSent (19) or, with the DelayOpenTimer running, in Connect/Active
 * (20). Valid: KEEPALIVE, negotiated hold and keepalive timers (none when the hold time is
 * 0), -> OpenConfirm; in the delayed case our OPEN goes out first. Invalid: the OPEN
 * Message Error of negotiate.ts, -> Idle (the BGPOpenMsgErr path, event 22). Before our OPEN
 * went out, the NOTIFICATION is sent only with SendNOTIFICATIONwithoutOPEN (§8.1.1).
 */
export function openReceived(s: SessionState, event: SessionEventType, ctx: StepCtx, open: OpenMessage): StepResult {
  const delayed = s.name !== 'OpenSent';
  const verdict = validateOpen(open, ctx.config, ctx.local);
  if (!verdict.ok) {
    const send = !delayed || ctx.config.sendNotificationWithoutOpen;
    return goIdle(s, event, ctx, failure('openMessageError', send ? verdict.notification : null));
  }
  const neg = verdict.negotiated;
  const pre: SessionAction[] = [stop('ConnectRetry'), stop('DelayOpen')];
  if (delayed) pre.push(sendOpen(ctx));
  pre.push({ type: 'sendKeepalive' });
  if (neg.holdTime > 0) {
    pre.push(start('Keepalive', jitter(neg.keepaliveTime, ctx.random)), start('Hold', neg.holdTime));
  } else {
    pre.push(stop('Keepalive'), stop('Hold'));
  }
  return enter(s, 'OpenConfirm', event, ctx, pre, { negotiated: neg, delayOpenRunning: false });
}

/** Restarts the hold timer after a KEEPALIVE or UPDATE, unless the hold time is 0 (§8.2.2). */
export function holdRestart(s: SessionState): SessionAction[] {
  const hold = s.negotiated?.holdTime ?? 0;
  return hold > 0 ? [start('Hold', hold)] : [];
}

/** KeepaliveTimer_Expires (11) in OpenConfirm/Established: send one, rearm with jitter. */
export function keepaliveDue(s: SessionState, ctx: StepCtx): StepResult {
  const ka = s.negotiated?.keepaliveTime ?? 0;
  const actions: SessionAction[] = [{ type: 'sendKeepalive' }];
  if (ka > 0) actions.push(start('Keepalive', jitter(ka, ctx.random)));
  return stay(s, actions);
}
