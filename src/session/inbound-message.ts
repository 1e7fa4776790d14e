/**
 * What a connection does with one framed message from the peer: decode it by type, count
 * it, and turn it into an FSM event (RFC 4271 §8.1.5) or hand it to the owner (UPDATE,
 * ROUTE-REFRESH of an Established session).
 *
 * UPDATEs go through both RFC 7606 passes (validate.ts); a session-reset error becomes
 * UpdateMsgErr, weaker errors are counted and logged, and an UPDATE beyond our own limits
 * (update-limits.ts) is treated as withdraw so its prefixes leave the RIB.
 *
 * Must not: touch the socket or the timers, or keep state: everything goes through the
 * connection given as `InboundTarget`.
 */
import type { Logger } from 'pino';
import type { CodecCtx } from '../wire/context.js';
import { ACTION_RANK, type ErrorAction, type NotificationFields } from '../wire/errors.js';
import { HEADER_LENGTH, MSG } from '../wire/iana.js';
import { checkKeepalive } from '../wire/keepalive.js';
import { decodeNotification } from '../wire/notification.js';
import { decodeOpen, type OpenMessage } from '../wire/open.js';
import { decodeRouteRefresh, type RouteRefreshMessage } from '../wire/route-refresh.js';
import { classifyUpdate } from '../wire/validate.js';
import type { ReceivedUpdate } from './connection-types.js';
import { notificationEvent, type SessionEvent, type StateName } from './fsm.js';
import type { Negotiated } from './negotiated.js';
import type { SessionLimits } from './peer-config.js';
import { lastNotification, type PeerStats } from './stats.js';
import { checkUpdateLimits } from './update-limits.js';

/** The connection as the message handler sees it; state is read anew after each dispatch. */
export interface InboundTarget {
  stateName(): StateName;
  negotiated(): Negotiated | null;
  decodeCtx(): CodecCtx;
  readonly limits: SessionLimits;
  readonly stats: PeerStats;
  readonly log: Logger;
  dispatch(event: SessionEvent): void;
  /** Keeps the peer's OPEN and runs collision detection; false: this connection lost. */
  openReceived(open: OpenMessage): boolean;
  update(update: ReceivedUpdate): void;
  routeRefresh(rr: RouteRefreshMessage): void;
}

/** Handles one framed message (`msg` includes the 19-octet header) of wire type `type`. */
export function handleMessage(c: InboundTarget, type: number, msg: Buffer): void {
  const body = msg.subarray(HEADER_LENGTH);
  const stats = c.stats;
  switch (type) {
    case MSG.OPEN: {
      stats.received.open++;
      const r = decodeOpen(body);
      if (!r.ok) {
        c.dispatch({ type: 'BGPOpenMsgErr', notification: r.error.notification });
        return;
      }
      if (!c.openReceived(r.open)) {
        c.dispatch({ type: 'OpenCollisionDump' });
        return;
      }
      c.dispatch({ type: 'BGPOpen', open: r.open });
      return;
    }
    case MSG.UPDATE:
      handleUpdate(c, body);
      return;
    case MSG.NOTIFICATION: {
      stats.received.notification++;
      const r = decodeNotification(body);
      const n: NotificationFields = r.ok ? r.notification : { code: 0, subcode: 0, data: Buffer.from(body) };
      stats.lastNotificationReceived = lastNotification(n, Date.now());
      c.log.info({ code: n.code, subcode: n.subcode, text: stats.lastNotificationReceived.text }, 'notificationReceived');
      c.dispatch(notificationEvent(n));
      return;
    }
    case MSG.KEEPALIVE: {
      stats.received.keepalive++;
      const e = checkKeepalive(body);
      c.dispatch(e === null ? { type: 'KeepAliveMsg' } : { type: 'BGPHeaderErr', notification: e.notification });
      return;
    }
    case MSG.ROUTE_REFRESH: {
      stats.received.routeRefresh++;
      const r = decodeRouteRefresh(body);
      if (!r.ok) {
        // RFC 7313 §5: ROUTE-REFRESH Message Error / Invalid Message Length, then close.
        c.dispatch({ type: 'BGPHeaderErr', notification: r.error.notification });
        return;
      }
      if (c.stateName() === 'Established' && c.negotiated()?.routeRefresh === true) {
        c.routeRefresh(r.routeRefresh);
      }
      return;
    }
    default:
      return;
  }
}

function handleUpdate(c: InboundTarget, body: Buffer): void {
  const stats = c.stats;
  stats.received.update++;
  if (c.stateName() !== 'Established') {
    c.dispatch({ type: 'UpdateMsg' }); // the FSM answers with an FSM error (RFC 6608)
    return;
  }
  const r = classifyUpdate(body, c.decodeCtx());
  if (!r.ok) {
    c.log.warn({ reason: r.error.reason, detail: r.error.detail, action: 'sessionReset' }, 'updateError');
    c.dispatch({ type: 'UpdateMsgErr', action: 'sessionReset', notification: r.error.notification });
    return;
  }
  c.dispatch({ type: 'UpdateMsg' });
  const over = checkUpdateLimits(r.update, c.limits);
  if (over !== null) {
    // Our limit, not an RFC 7606 error: handled like one (treat-as-withdraw), logged apart.
    c.log.warn({ action: 'treatAsWithdraw', limit: over.limit, value: over.value, max: over.max }, 'updateLimitExceeded');
    const action: ErrorAction = r.action !== null && ACTION_RANK[r.action] > ACTION_RANK.treatAsWithdraw ? r.action : 'treatAsWithdraw';
    stats.treatAsWithdraw++;
    if (c.stateName() === 'Established') c.update({ update: r.update, action, errors: r.errors });
    return;
  }
  if (r.action === 'treatAsWithdraw') stats.treatAsWithdraw++;
  else if (r.action === 'attributeDiscard') stats.attributeDiscard++;
  if (r.action !== null) {
    c.log.warn({ action: r.action, errors: r.errors.map((e) => `${e.reason}: ${e.detail}`) }, 'updateError');
  }
  if (c.stateName() === 'Established') c.update(r);
}
