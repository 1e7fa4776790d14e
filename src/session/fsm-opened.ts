/**
 * The session FSM once our OPEN is out: OpenSent, OpenConfirm and Established (RFC 4271
 * §8.2.2). Every unexpected event sends an FSM Error NOTIFICATION with the RFC 6608 subcode
 * of the state it arrived in and goes to Idle.
 *
 * Must not: do I/O; it only returns actions (see fsm-types.ts).
 *
 * Departures from §8.2.2, each marked where it is made:
 * - OpenSent + NotifMsg (25) closes without answering with an FSM Error: a NOTIFICATION is
 *   never answered with another one (OpenBGPD does the same).
 * - BGPHeaderErr (21) in Established sends the header error the codec chose (RFC 4271 §6.1)
 *   rather than an FSM Error.
 * - UpdateMsgErr (28) follows RFC 7606: attribute-discard and treat-as-withdraw keep the
 *   session (and count as an UPDATE for the hold timer); AFI/SAFI-disable resets the session
 *   like session-reset, because no layer can disable one family of a live session yet.
 * - OpenSent + TcpConnectionFails also stops the large hold timer.
 * - Collision detection (§6.8) is the driver's (fsm-collision.ts): it feeds OpenCollisionDump
 *   to the losing connection, so a BGPOpen on an OpenConfirm or Established connection is a
 *   second OPEN on the same connection and an FSM Error.
 */
import type { NotificationFields } from '../wire/errors.js';
import { FSM_SUB } from '../wire/iana.js';
import type { SessionEvent, SessionState, StepCtx, StepResult } from './fsm-types.js';
import { ADMIN_SHUTDOWN } from './fsm-types.js';
import { manualStopCause, versionErrorCause } from './fsm-connecting.js';
import type { DownCause } from './fsm-enter.js';
import {
  COLLISION_CEASE,
  enter,
  failure,
  fsmError,
  goIdle,
  HOLD_EXPIRED,
  holdRestart,
  keepaliveDue,
  openReceived,
  start,
  stay,
  stop,
} from './fsm-enter.js';
import { jitter } from './timers.js';

function assertNever(x: never): never {
  throw new Error(`unhandled event ${JSON.stringify(x)}`);
}

type Opened = 'OpenSent' | 'OpenConfirm' | 'Established';

const FSM_SUBCODE: Readonly<Record<Opened, number>> = {
  OpenSent: FSM_SUB.UNEXPECTED_IN_OPENSENT,
  OpenConfirm: FSM_SUB.UNEXPECTED_IN_OPENCONFIRM,
  Established: FSM_SUB.UNEXPECTED_IN_ESTABLISHED,
};

function automaticStop(n: NotificationFields, restart: boolean): DownCause {
  return { reason: 'automaticStop', sent: n, received: null, counter: 'increment', restart };
}

/** Events the three states handle alike; null for those each state decides itself. */
function common(s: SessionState, e: SessionEvent, ctx: StepCtx, state: Opened): StepResult | null {
  switch (e.type) {
    case 'ManualStart':
    case 'AutomaticStart':
    case 'ManualStart_with_PassiveTcpEstablishment':
    case 'AutomaticStart_with_PassiveTcpEstablishment':
    case 'AutomaticStart_with_DampPeerOscillations':
    case 'AutomaticStart_with_DampPeerOscillations_and_PassiveTcpEstablishment':
    case 'TcpConnection_Valid':
    case 'Tcp_CR_Invalid':
    case 'Tcp_CR_Acked':
    case 'TcpConnectionConfirmed':
      // 1, 3-7 ignored; 14, 16, 17 are a second connection the driver tracks (§6.8) in its
      // own FSM; 15 is rejected by the listener.
      return stay(s);
    case 'ManualStop':
      return goIdle(s, e.type, ctx, manualStopCause(e.notification ?? ADMIN_SHUTDOWN));
    case 'AutomaticStop':
      return goIdle(s, e.type, ctx, automaticStop(e.notification, e.restart));
    case 'HoldTimer_Expires':
      return goIdle(s, e.type, ctx, failure('holdTimerExpired', HOLD_EXPIRED));
    case 'BGPHeaderErr':
      return goIdle(s, e.type, ctx, failure('headerError', e.notification));
    case 'OpenCollisionDump':
      return goIdle(s, e.type, ctx, failure('connectionCollision', COLLISION_CEASE));
    case 'NotifMsgVerErr':
      // §8.2.2: no ConnectRetryCounter increment in OpenSent/OpenConfirm, +1 in Established.
      return goIdle(s, e.type, ctx, versionErrorCause(e.notification, state === 'Established'));
    case 'NotifMsg':
      return goIdle(s, e.type, ctx, failure('notificationReceived', null, e.notification));
    case 'ConnectRetryTimer_Expires':
    case 'DelayOpenTimer_Expires':
    case 'IdleHoldTimer_Expires':
      return unexpected(s, e, ctx, state);
    case 'KeepaliveTimer_Expires':
    case 'TcpConnectionFails':
    case 'BGPOpen':
    case 'BGPOpen_with_DelayOpenTimer_running':
    case 'BGPOpenMsgErr':
    case 'KeepAliveMsg':
    case 'UpdateMsg':
    case 'UpdateMsgErr':
      return null;
    default:
      return assertNever(e);
  }
}

/** RFC 6608 §3 / RFC 4271 §8.2.2 "any other event": FSM Error, +1, -> Idle. */
function unexpected(s: SessionState, e: SessionEvent, ctx: StepCtx, state: Opened): StepResult {
  return goIdle(s, e.type, ctx, failure('fsmError', fsmError(FSM_SUBCODE[state])));
}

function fellThrough(type: string): never {
  throw new Error(`event ${type} fell through`);
}

export function openSent(s: SessionState, e: SessionEvent, ctx: StepCtx): StepResult {
  switch (e.type) {
    case 'BGPOpen':
    case 'BGPOpen_with_DelayOpenTimer_running':
      return openReceived(s, e.type, ctx, e.open);
    case 'BGPOpenMsgErr':
      return goIdle(s, e.type, ctx, failure('openMessageError', e.notification));
    case 'NotifMsg':
      // Departure (module comment): close without answering the NOTIFICATION.
      return goIdle(s, e.type, ctx, failure('notificationReceived', null, e.notification));
    case 'TcpConnectionFails': {
      // §8.2.2: close, restart the ConnectRetryTimer (active sessions only), -> Active.
      const pre = [{ type: 'closeTcp', reason: 'tcpConnectionFails' } as const, stop('Hold')];
      if (!s.passive) pre.push(start('ConnectRetry', jitter(ctx.config.timers.connectRetryTime, ctx.random)));
      return enter(s, 'Active', e.type, ctx, pre);
    }
    case 'KeepaliveTimer_Expires':
    case 'KeepAliveMsg':
    case 'UpdateMsg':
    case 'UpdateMsgErr':
      return unexpected(s, e, ctx, 'OpenSent');
    default:
      return common(s, e, ctx, 'OpenSent') ?? fellThrough(e.type);
  }
}

export function openConfirm(s: SessionState, e: SessionEvent, ctx: StepCtx): StepResult {
  switch (e.type) {
    case 'KeepaliveTimer_Expires':
      return keepaliveDue(s, ctx);
    case 'KeepAliveMsg':
      // §8.2.2: restart the hold timer, -> Established.
      return enter(s, 'Established', e.type, ctx, holdRestart(s));
    case 'TcpConnectionFails':
      return goIdle(s, e.type, ctx, failure('tcpConnectionFails'));
    case 'BGPOpenMsgErr':
      return goIdle(s, e.type, ctx, failure('openMessageError', e.notification));
    case 'BGPOpen':
    case 'BGPOpen_with_DelayOpenTimer_running':
    case 'UpdateMsg':
    case 'UpdateMsgErr':
      return unexpected(s, e, ctx, 'OpenConfirm');
    default:
      return common(s, e, ctx, 'OpenConfirm') ?? fellThrough(e.type);
  }
}

export function established(s: SessionState, e: SessionEvent, ctx: StepCtx): StepResult {
  switch (e.type) {
    case 'KeepaliveTimer_Expires':
      return keepaliveDue(s, ctx);
    case 'KeepAliveMsg':
    case 'UpdateMsg':
      return stay(s, holdRestart(s));
    case 'UpdateMsgErr':
      // RFC 7606 §2: only a reset ends the session (AFI/SAFI-disable: module comment).
      if (e.action === 'attributeDiscard' || e.action === 'treatAsWithdraw') return stay(s, holdRestart(s));
      return goIdle(s, e.type, ctx, failure('updateMessageError', e.notification));
    case 'TcpConnectionFails':
      return goIdle(s, e.type, ctx, failure('tcpConnectionFails'));
    case 'BGPOpen':
    case 'BGPOpen_with_DelayOpenTimer_running':
    case 'BGPOpenMsgErr':
      return unexpected(s, e, ctx, 'Established');
    default:
      return common(s, e, ctx, 'Established') ?? fellThrough(e.type);
  }
}
