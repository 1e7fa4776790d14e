/**
 * Per-peer counters and last errors that operators expect from `show bgp neighbors`: messages
 * in/out by type, NOTIFICATIONs in both directions decoded to text, state and its times.
 * Plain data, updated by the connection driver, read by status/metrics (a later issue).
 */
import type { NotificationFields } from '../wire/errors.js';
import { describeNotification } from '../wire/notification-text.js';

export type CountedMessage = 'open' | 'update' | 'notification' | 'keepalive' | 'routeRefresh';

export interface MessageCounters {
  open: number;
  update: number;
  notification: number;
  keepalive: number;
  routeRefresh: number;
}

export interface LastNotification {
  readonly code: number;
  readonly subcode: number;
  /** Decoded for operators, e.g. "Cease/Administrative Shutdown: maintenance". */
  readonly text: string;
  readonly at: number;
}

export interface PeerStats {
  readonly received: MessageCounters;
  readonly sent: MessageCounters;
  lastNotificationSent: LastNotification | null;
  lastNotificationReceived: LastNotification | null;
  /** The last reason the session went down (stable string of DownReason), or null. */
  lastDownReason: string | null;
  /** Times the session reached Established / left it. */
  establishedTransitions: number;
  droppedTransitions: number;
  /** Wall-clock ms of the last state change. */
  lastStateChangeAt: number;
  /** UPDATEs that carried an RFC 7606 non-fatal error, by action. */
  treatAsWithdraw: number;
  attributeDiscard: number;
}

function counters(): MessageCounters {
  return { open: 0, update: 0, notification: 0, keepalive: 0, routeRefresh: 0 };
}

export function newPeerStats(now: number): PeerStats {
  return {
    received: counters(),
    sent: counters(),
    lastNotificationSent: null,
    lastNotificationReceived: null,
    lastDownReason: null,
    establishedTransitions: 0,
    droppedTransitions: 0,
    lastStateChangeAt: now,
    treatAsWithdraw: 0,
    attributeDiscard: 0,
  };
}

export function lastNotification(n: NotificationFields, at: number): LastNotification {
  return { code: n.code, subcode: n.subcode, text: describeNotification(n.code, n.subcode, n.data), at };
}
