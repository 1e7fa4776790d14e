/**
 * Types of the RFC 4271 §8 session FSM: states, events (numbered as in §8.1), the actions a
 * driver executes, the closed set of down-reasons, plus the NOTIFICATION helpers that go
 * with them (RFC 8538 Hard Reset wrapping).
 *
 * Must not: do I/O or hold logic beyond small pure helpers; transitions live in fsm.ts.
 */
import type { ErrorAction, NotificationFields } from '../wire/errors.js';
import { ERR, CEASE_SUB, OPEN_SUB } from '../wire/iana.js';
import type { OpenMessage } from '../wire/open.js';
import type { Negotiated } from './negotiated.js';
import type { LocalConfig, PeerSessionConfig } from './peer-config.js';
import type { RandomSource } from './timers.js';

/** RFC 4271 §8.2.2 state names. */
export type StateName = 'Idle' | 'Connect' | 'Active' | 'OpenSent' | 'OpenConfirm' | 'Established';

export const STATE_NAMES: readonly StateName[] = ['Idle', 'Connect', 'Active', 'OpenSent', 'OpenConfirm', 'Established'];

/** RFC 4271 §8 timers (IdleHold from §8.1.1 DampPeerOscillations). */
export type TimerName = 'ConnectRetry' | 'Hold' | 'Keepalive' | 'DelayOpen' | 'IdleHold';

/**
 * Why a session went to Idle: a closed set with stable strings (logs, metrics and tests
 * switch on them), like GoBGP's fsmStateReasonType.
 */
export type DownReason =
  | 'manualStop'
  | 'automaticStop'
  | 'holdTimerExpired'
  | 'tcpConnectionFails'
  | 'notificationReceived'
  | 'notificationVersionError'
  | 'headerError'
  | 'openMessageError'
  | 'updateMessageError'
  | 'connectionCollision'
  | 'fsmError';

/** Human text for each reason (operators' status output). */
export const DOWN_REASON_TEXT: Readonly<Record<DownReason, string>> = {
  manualStop: 'administratively stopped',
  automaticStop: 'stopped automatically',
  holdTimerExpired: 'hold timer expired',
  tcpConnectionFails: 'TCP connection failed or closed',
  notificationReceived: 'NOTIFICATION received',
  notificationVersionError: 'NOTIFICATION received: unsupported version',
  headerError: 'message header error',
  openMessageError: 'OPEN message error',
  updateMessageError: 'UPDATE message error',
  connectionCollision: 'connection collision resolution',
  fsmError: 'unexpected event (FSM error)',
};

/** Why the driver is asked to close the TCP connection. */
export type CloseReason = DownReason | 'connectRetryExpired' | 'refusedInIdle';

/**
 * RFC 4271 §8.1 events, by their RFC name and number. Admin events 6 and 7 are used by a
 * driver that damps peer oscillations: they do nothing while the IdleHoldTimer runs.
 */
export type SessionEvent =
  /** 1 ManualStart */
  | { readonly type: 'ManualStart' }
  /** 2 ManualStop; the Cease defaults to Administrative Shutdown (RFC 4486, RFC 9003 text in data). */
  | { readonly type: 'ManualStop'; readonly notification?: NotificationFields }
  /** 3 AutomaticStart */
  | { readonly type: 'AutomaticStart' }
  /** 4 ManualStart_with_PassiveTcpEstablishment */
  | { readonly type: 'ManualStart_with_PassiveTcpEstablishment' }
  /** 5 AutomaticStart_with_PassiveTcpEstablishment */
  | { readonly type: 'AutomaticStart_with_PassiveTcpEstablishment' }
  /** 6 AutomaticStart_with_DampPeerOscillations */
  | { readonly type: 'AutomaticStart_with_DampPeerOscillations' }
  /** 7 AutomaticStart_with_DampPeerOscillations_and_PassiveTcpEstablishment */
  | { readonly type: 'AutomaticStart_with_DampPeerOscillations_and_PassiveTcpEstablishment' }
  /**
   * 8 AutomaticStop (max prefixes, peer de-configured, shutdown...). `restart` lets the
   * IdleHoldTimer start the session again (e.g. a max-prefix restart interval).
   */
  | { readonly type: 'AutomaticStop'; readonly notification: NotificationFields; readonly restart: boolean }
  /** 9 ConnectRetryTimer_Expires */
  | { readonly type: 'ConnectRetryTimer_Expires' }
  /** 10 HoldTimer_Expires */
  | { readonly type: 'HoldTimer_Expires' }
  /** 11 KeepaliveTimer_Expires */
  | { readonly type: 'KeepaliveTimer_Expires' }
  /** 12 DelayOpenTimer_Expires */
  | { readonly type: 'DelayOpenTimer_Expires' }
  /** 13 IdleHoldTimer_Expires */
  | { readonly type: 'IdleHoldTimer_Expires' }
  /** 14 TcpConnection_Valid */
  | { readonly type: 'TcpConnection_Valid' }
  /** 15 Tcp_CR_Invalid */
  | { readonly type: 'Tcp_CR_Invalid' }
  /** 16 Tcp_CR_Acked: our outgoing connection completed. */
  | { readonly type: 'Tcp_CR_Acked' }
  /** 17 TcpConnectionConfirmed: an incoming connection was accepted for this FSM. */
  | { readonly type: 'TcpConnectionConfirmed' }
  /** 18 TcpConnectionFails */
  | { readonly type: 'TcpConnectionFails' }
  /** 19 BGPOpen: a syntactically valid OPEN (the codec checked it). */
  | { readonly type: 'BGPOpen'; readonly open: OpenMessage }
  /** 20 BGPOpen with DelayOpenTimer running. The FSM owns that timer, so 19 and 20 are
   * interchangeable for a driver: step() picks the right one from its own state. */
  | { readonly type: 'BGPOpen_with_DelayOpenTimer_running'; readonly open: OpenMessage }
  /** 21 BGPHeaderErr, with the NOTIFICATION the codec chose (RFC 4271 §6.1). */
  | { readonly type: 'BGPHeaderErr'; readonly notification: NotificationFields }
  /** 22 BGPOpenMsgErr, with the NOTIFICATION the codec chose (RFC 4271 §6.2). */
  | { readonly type: 'BGPOpenMsgErr'; readonly notification: NotificationFields }
  /** 23 OpenCollisionDump: the driver resolved a collision (§6.8) against this connection. */
  | { readonly type: 'OpenCollisionDump' }
  /** 24 NotifMsgVerErr: a NOTIFICATION with OPEN Message Error / Unsupported Version. */
  | { readonly type: 'NotifMsgVerErr'; readonly notification: NotificationFields }
  /** 25 NotifMsg: any other NOTIFICATION (as received, Hard Reset still wrapped). */
  | { readonly type: 'NotifMsg'; readonly notification: NotificationFields }
  /** 26 KeepAliveMsg */
  | { readonly type: 'KeepAliveMsg' }
  /** 27 UpdateMsg: a valid UPDATE (the driver hands it to the RIB). */
  | { readonly type: 'UpdateMsg' }
  /**
   * 28 UpdateMsgErr, with the RFC 7606 action and the NOTIFICATION for a reset. Only
   * `sessionReset` (and `afiSafiDisable`, see fsm.ts) ends the session.
   */
  | { readonly type: 'UpdateMsgErr'; readonly action: ErrorAction; readonly notification: NotificationFields };

export type SessionEventType = SessionEvent['type'];

/** What ended a session, kept in the state for operators and sent with `sessionDown`. */
export interface SessionDown {
  readonly reason: DownReason;
  readonly from: StateName;
  /** Monotonic time (ctx.now) of the transition, in milliseconds. */
  readonly at: number;
  readonly notificationSent: NotificationFields | null;
  readonly notificationReceived: NotificationFields | null;
  /** The session had reached Established, so the peer's routes are in the RIB. */
  readonly wasEstablished: boolean;
  /**
   * Keep the peer's routes as stale instead of flushing them: graceful restart was
   * negotiated and the session ended by TCP failure (RFC 4724 §4.2) or, with the N bit, by a
   * NOTIFICATION other than Hard Reset (RFC 8538 §4).
   */
  readonly retainRoutes: boolean;
}

/**
 * Actions for the driver, executed in order. A `sendNotification` is always followed by a
 * `closeTcp` in the same step: the driver flushes the NOTIFICATION before closing.
 */
export type SessionAction =
  /** Initiate the outgoing TCP connection (local address, TTL, MD5 from the driver's config). */
  | { readonly type: 'connect' }
  /** Drop this FSM's TCP connection (or the connection attempt). */
  | { readonly type: 'closeTcp'; readonly reason: CloseReason }
  | { readonly type: 'sendOpen'; readonly open: OpenMessage }
  | { readonly type: 'sendKeepalive' }
  /**
   * `hardReset`: the N bit was negotiated and this NOTIFICATION must be sent wrapped in a
   * Cease/Hard Reset (RFC 8538 §3); `wireNotification` builds the fields to write.
   */
  | { readonly type: 'sendNotification'; readonly notification: NotificationFields; readonly hardReset: boolean }
  /** (Re)start a timer: replaces a running one of the same name. */
  | { readonly type: 'startTimer'; readonly timer: TimerName; readonly seconds: number }
  | { readonly type: 'stopTimer'; readonly timer: TimerName }
  | { readonly type: 'sessionEstablished'; readonly negotiated: Negotiated }
  | { readonly type: 'sessionDown'; readonly down: SessionDown }
  /** Free per-connection resources: buffers, output queues, the Adj-RIB-Out feed. */
  | { readonly type: 'releaseResources' }
  /** One per transition, for the `fsmTransition` log event (STYLE.md §4, §6). */
  | {
      readonly type: 'stateChange';
      readonly from: StateName;
      readonly to: StateName;
      readonly event: SessionEventType;
      readonly reason: DownReason | null;
    };

/** The FSM's state: the RFC state name plus the session attributes of §8 it needs. */
export interface SessionState {
  readonly name: StateName;
  /** ConnectRetryCounter (RFC 4271 §8). */
  readonly connectRetryCounter: number;
  /** IdleHoldTime to wait after the next failure (§8.1.1 DampPeerOscillations). */
  readonly idleHoldTime: number;
  /** Idle only: the IdleHoldTimer runs and will restart the session. */
  readonly idleHoldRunning: boolean;
  /** The session was started in PassiveTcpEstablishment mode. */
  readonly passive: boolean;
  /** Connect/Active only: TCP is up and the DelayOpenTimer runs. */
  readonly delayOpenRunning: boolean;
  /** From OpenConfirm on: the result of OPEN negotiation. */
  readonly negotiated: Negotiated | null;
  /** Established only: ctx.now when the session came up. */
  readonly establishedAt: number | null;
  /** How the last session ended, for operators. */
  readonly lastDown: SessionDown | null;
}

/** What step() may read besides state and event. */
export interface StepCtx {
  readonly config: PeerSessionConfig;
  readonly local: LocalConfig;
  /** Monotonic time in milliseconds, from the driver's injected clock. */
  readonly now: number;
  /** Random source for timer jitter (RFC 4271 §10). */
  readonly random: RandomSource;
}

export interface StepResult {
  readonly next: SessionState;
  readonly actions: readonly SessionAction[];
}

/** The state of a new peer: Idle, nothing running. */
export function initialState(config: PeerSessionConfig): SessionState {
  return {
    name: 'Idle',
    connectRetryCounter: 0,
    idleHoldTime: config.timers.idleHoldTime,
    idleHoldRunning: false,
    passive: config.passive,
    delayOpenRunning: false,
    negotiated: null,
    establishedAt: null,
    lastDown: null,
  };
}

/** Cease / Administrative Shutdown with no message (RFC 4486 §4, RFC 9003 allows text). */
export const ADMIN_SHUTDOWN: NotificationFields = {
  code: ERR.CEASE,
  subcode: CEASE_SUB.ADMINISTRATIVE_SHUTDOWN,
  data: Buffer.alloc(0),
};

/**
 * The fields to write for a `sendNotification` action: with `hardReset`, a Cease / Hard Reset
 * whose data carries the original code, subcode and data (RFC 8538 §3).
 */
export function wireNotification(n: NotificationFields, hardReset: boolean): NotificationFields {
  if (!hardReset) return n;
  const data = Buffer.allocUnsafe(2 + n.data.length);
  data.writeUInt8(n.code, 0);
  data.writeUInt8(n.subcode, 1);
  n.data.copy(data, 2);
  return { code: ERR.CEASE, subcode: CEASE_SUB.HARD_RESET, data };
}

/** A received Cease / Hard Reset (RFC 8538 §3), unwrapped; null for any other NOTIFICATION. */
export function unwrapHardReset(n: NotificationFields): NotificationFields | null {
  if (n.code !== ERR.CEASE || n.subcode !== CEASE_SUB.HARD_RESET || n.data.length < 2) return null;
  return { code: n.data.readUInt8(0), subcode: n.data.readUInt8(1), data: n.data.subarray(2) };
}

/** The event for a received NOTIFICATION: 24 for Unsupported Version Number, else 25. */
export function notificationEvent(n: NotificationFields): SessionEvent {
  return n.code === ERR.OPEN_MESSAGE && n.subcode === OPEN_SUB.UNSUPPORTED_VERSION_NUMBER
    ? { type: 'NotifMsgVerErr', notification: n }
    : { type: 'NotifMsg', notification: n };
}
