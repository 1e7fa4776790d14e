/**
 * The session FSM before any OPEN was exchanged: Idle, Connect and Active (RFC 4271 §8.2.2).
 * Each handler switches on every event, with the RFC's "any other event" spelled out.
 *
 * Must not: do I/O; it only returns actions (see fsm-types.ts).
 *
 * Departures from §8.2.2, each marked where it is made:
 * - Connect + TcpConnectionFails goes to Active and retries when the ConnectRetryTimer
 *   expires, also without DelayOpen (the RFC goes to Idle; OpenBGPD and GoBGP retry).
 * - A passive session never initiates TCP: it starts no ConnectRetryTimer and ignores its
 *   expiry in Active.
 * - Idle closes a connection that completes anyway (16/17): Idle refuses all connections.
 * - A DelayOpenTimer_Expires while no DelayOpenTimer runs is stale and ignored.
 */
import type { NotificationFields } from '../wire/errors.js';
import type { SessionEvent, SessionState, StepCtx, StepResult } from './fsm-types.js';
import { ADMIN_SHUTDOWN } from './fsm-types.js';
import type { DownCause } from './fsm-enter.js';
import { delayOpenExpired, enter, failure, goIdle, openReceived, start, startSession, stay, stop, tcpUp } from './fsm-enter.js';
import { jitter } from './timers.js';

function assertNever(x: never): never {
  throw new Error(`unhandled event ${JSON.stringify(x)}`);
}

/** ManualStop: no restart, ConnectRetryCounter to zero (§8.2.2 every state). */
export function manualStopCause(sent: NotificationFields | null): DownCause {
  return { reason: 'manualStop', sent, received: null, counter: 'reset', restart: false };
}

/** NotifMsgVerErr with the DelayOpenTimer running (or in OpenSent/OpenConfirm): no +1. */
export function versionErrorCause(n: NotificationFields, counts: boolean): DownCause {
  return { reason: 'notificationVersionError', sent: null, received: n, counter: counts ? 'increment' : 'keep', restart: true };
}

export function idle(s: SessionState, e: SessionEvent, ctx: StepCtx): StepResult {
  switch (e.type) {
    case 'ManualStart':
      // An operator start also forgets the back-off (as `clear neighbor` does in OpenBGPD).
      return startSession(s, e.type, ctx, false, { idleHoldTime: ctx.config.timers.idleHoldTime });
    case 'ManualStart_with_PassiveTcpEstablishment':
      return startSession(s, e.type, ctx, true, { idleHoldTime: ctx.config.timers.idleHoldTime });
    case 'AutomaticStart':
      return startSession(s, e.type, ctx, false);
    case 'AutomaticStart_with_PassiveTcpEstablishment':
      return startSession(s, e.type, ctx, true);
    case 'AutomaticStart_with_DampPeerOscillations':
    case 'AutomaticStart_with_DampPeerOscillations_and_PassiveTcpEstablishment':
      // §8.1.1: the damped starts wait for the IdleHoldTimer, which restarts the session itself.
      if (s.idleHoldRunning) return stay(s);
      return startSession(s, e.type, ctx, e.type !== 'AutomaticStart_with_DampPeerOscillations');
    case 'IdleHoldTimer_Expires':
      if (!s.idleHoldRunning) return stay(s);
      return startSession({ ...s, idleHoldRunning: false }, e.type, ctx, s.passive);
    case 'ManualStop':
    case 'AutomaticStop':
      // Ignored by §8.2.2 except that a pending automatic restart is cancelled; the driver is
      // told the connection is done with (releaseResources), or it would wait for a restart
      // that no longer comes and never let the peer start a new connection.
      return s.idleHoldRunning ? stay({ ...s, idleHoldRunning: false }, [stop('IdleHold'), { type: 'releaseResources' }]) : stay(s);
    case 'Tcp_CR_Acked':
    case 'TcpConnectionConfirmed':
      return stay(s, [{ type: 'closeTcp', reason: 'refusedInIdle' }]);
    case 'ConnectRetryTimer_Expires':
    case 'HoldTimer_Expires':
    case 'KeepaliveTimer_Expires':
    case 'DelayOpenTimer_Expires':
    case 'TcpConnection_Valid':
    case 'Tcp_CR_Invalid':
    case 'TcpConnectionFails':
    case 'BGPOpen':
    case 'BGPOpen_with_DelayOpenTimer_running':
    case 'BGPHeaderErr':
    case 'BGPOpenMsgErr':
    case 'OpenCollisionDump':
    case 'NotifMsgVerErr':
    case 'NotifMsg':
    case 'KeepAliveMsg':
    case 'UpdateMsg':
    case 'UpdateMsgErr':
      // §8.2.2 Idle: events 9-12 and 14-28 do not change the state.
      return stay(s);
    default:
      return assertNever(e);
  }
}

/** Events that Connect and Active handle the same way; null for the ones that differ. */
function connectOrActive(s: SessionState, e: SessionEvent, ctx: StepCtx): StepResult | null {
  const notifyWithoutOpen = (n: NotificationFields): NotificationFields | null =>
    ctx.config.sendNotificationWithoutOpen ? n : null;
  switch (e.type) {
    case 'ManualStart':
    case 'AutomaticStart':
    case 'ManualStart_with_PassiveTcpEstablishment':
    case 'AutomaticStart_with_PassiveTcpEstablishment':
    case 'AutomaticStart_with_DampPeerOscillations':
    case 'AutomaticStart_with_DampPeerOscillations_and_PassiveTcpEstablishment':
    case 'TcpConnection_Valid':
    case 'Tcp_CR_Invalid':
      // 1, 3-7 are ignored; 14 is processed and 15 rejected by the listener, state unchanged.
      return stay(s);
    case 'DelayOpenTimer_Expires':
      return s.delayOpenRunning ? delayOpenExpired(s, e.type, ctx) : stay(s);
    case 'Tcp_CR_Acked':
    case 'TcpConnectionConfirmed':
      return tcpUp(s, e.type, ctx);
    case 'BGPOpen_with_DelayOpenTimer_running':
      return openReceived(s, e.type, ctx, e.open);
    case 'BGPHeaderErr':
      // §8.2.2: NOTIFICATION only with SendNOTIFICATIONwithoutOPEN, since no OPEN went out.
      return goIdle(s, e.type, ctx, failure('headerError', notifyWithoutOpen(e.notification)));
    case 'BGPOpenMsgErr':
      return goIdle(s, e.type, ctx, failure('openMessageError', notifyWithoutOpen(e.notification)));
    case 'NotifMsgVerErr':
      // §8.2.2: no ConnectRetryCounter increment while the DelayOpenTimer runs.
      return goIdle(s, e.type, ctx, versionErrorCause(e.notification, !s.delayOpenRunning));
    case 'AutomaticStop':
      return goIdle(s, e.type, ctx, {
        reason: 'automaticStop',
        sent: null,
        received: null,
        counter: 'increment',
        restart: e.restart,
      });
    case 'NotifMsg':
      return goIdle(s, e.type, ctx, failure('notificationReceived', null, e.notification));
    case 'OpenCollisionDump':
      return goIdle(s, e.type, ctx, failure('connectionCollision'));
    case 'HoldTimer_Expires':
    case 'KeepaliveTimer_Expires':
    case 'IdleHoldTimer_Expires':
    case 'BGPOpen':
    case 'KeepAliveMsg':
    case 'UpdateMsg':
    case 'UpdateMsgErr':
      // §8.2.2 "any other event" (8, 10, 11, 13, 19, 23, 25-28): drop TCP, +1, -> Idle.
      return goIdle(s, e.type, ctx, failure('fsmError'));
    case 'ManualStop':
    case 'ConnectRetryTimer_Expires':
    case 'TcpConnectionFails':
      return null;
    default:
      return assertNever(e);
  }
}

export function connect(s: SessionState, e: SessionEvent, ctx: StepCtx): StepResult {
  switch (e.type) {
    case 'ManualStop':
      return goIdle(s, e.type, ctx, manualStopCause(null));
    case 'ConnectRetryTimer_Expires': {
      // §8.2.2: drop the attempt, restart the timer, clear DelayOpen, try again.
      const crt = jitter(ctx.config.timers.connectRetryTime, ctx.random);
      return stay({ ...s, delayOpenRunning: false }, [
        { type: 'closeTcp', reason: 'connectRetryExpired' },
        stop('DelayOpen'),
        start('ConnectRetry', crt),
        { type: 'connect' },
      ]);
    }
    case 'TcpConnectionFails': {
      // Departure (module comment): Active and retry, with or without DelayOpen.
      const crt = jitter(ctx.config.timers.connectRetryTime, ctx.random);
      const pre = [{ type: 'closeTcp', reason: 'tcpConnectionFails' } as const, stop('DelayOpen'), start('ConnectRetry', crt)];
      return enter(s, 'Active', e.type, ctx, pre, { delayOpenRunning: false });
    }
    default:
      return connectOrActive(s, e, ctx) ?? assertUnreachable(e.type);
  }
}

export function active(s: SessionState, e: SessionEvent, ctx: StepCtx): StepResult {
  switch (e.type) {
    case 'ManualStop': {
      // §8.2.2: with the DelayOpenTimer running and SendNOTIFICATIONwithoutOPEN, send the Cease.
      const send = s.delayOpenRunning && ctx.config.sendNotificationWithoutOpen;
      return goIdle(s, e.type, ctx, manualStopCause(send ? (e.notification ?? ADMIN_SHUTDOWN) : null));
    }
    case 'ConnectRetryTimer_Expires': {
      if (s.passive) return stay(s); // departure: a passive session never initiates TCP
      const crt = jitter(ctx.config.timers.connectRetryTime, ctx.random);
      return enter(s, 'Connect', e.type, ctx, [start('ConnectRetry', crt), { type: 'connect' }]);
    }
    case 'TcpConnectionFails':
      // §8.2.2 Active: release, +1, -> Idle (the IdleHoldTimer brings it back).
      return goIdle(s, e.type, ctx, failure('tcpConnectionFails'));
    default:
      return connectOrActive(s, e, ctx) ?? assertUnreachable(e.type);
  }
}

function assertUnreachable(type: string): never {
  throw new Error(`event ${type} fell through`);
}
