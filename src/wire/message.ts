/**
 * Whole BGP messages: header check plus the body codec of each type, in one dispatcher the
 * session layer and the tools call. Decoding an UPDATE here runs the syntax pass only
 * (decodeUpdate); the session applies the semantic pass with classifyUpdate (validate.ts).
 */
import { ERR, HEADER_LENGTH, HEADER_SUB, MSG } from './iana.js';
import type { CodecCtx } from './context.js';
import { maxMessageLength } from './context.js';
import { type ErrorAction, type WireError, wireError } from './errors.js';
import type { UpdateMessage } from './attribute-types.js';
import { checkHeader } from './header.js';
import { decodeOpen, encodeOpen, type OpenMessage } from './open.js';
import { decodeUpdate, encodeUpdate } from './update.js';
import { decodeNotification, encodeNotification, type NotificationMessage } from './notification.js';
import { checkKeepalive, encodeKeepalive } from './keepalive.js';
import { decodeRouteRefresh, encodeRouteRefresh, type RouteRefreshMessage } from './route-refresh.js';

export type Message =
  | { readonly type: 'open'; readonly open: OpenMessage }
  | {
      readonly type: 'update';
      readonly update: UpdateMessage;
      /** RFC 7606 action of the syntax pass (null when clean). */
      readonly action: ErrorAction | null;
      readonly errors: readonly WireError[];
    }
  | { readonly type: 'notification'; readonly notification: NotificationMessage }
  | { readonly type: 'keepalive' }
  | { readonly type: 'routeRefresh'; readonly routeRefresh: RouteRefreshMessage };

export type MessageType = Message['type'];

export type MessageResult = { readonly ok: true; readonly message: Message } | { readonly ok: false; readonly error: WireError };

/**
 * Decodes one complete message (header included, `msg.length` equal to its length field).
 * Never throws: framing errors and body errors come back as a WireError to send.
 */
export function decodeMessage(msg: Buffer, ctx: CodecCtx): MessageResult {
  const h = checkHeader(msg, 0, maxMessageLength(ctx));
  if (h.kind === 'error') return { ok: false, error: h.error };
  if (h.kind === 'need' || h.length !== msg.length) {
    // A message cut short or followed by stray octets (a torn MRT record, a capture): the
    // length field disagrees with the bytes, which RFC 4271 §6.1 calls Bad Message Length.
    const data = msg.length >= 18 ? Buffer.from(msg.subarray(16, 18)) : Buffer.alloc(0);
    return {
      ok: false,
      error: wireError('badMessageLength', 'sessionReset', ERR.MESSAGE_HEADER, HEADER_SUB.BAD_MESSAGE_LENGTH, `message of ${msg.length} octets does not match its length field`, null, data),
    };
  }
  const body = msg.subarray(HEADER_LENGTH);
  switch (h.type) {
    case MSG.OPEN: {
      const r = decodeOpen(body);
      return r.ok ? { ok: true, message: { type: 'open', open: r.open } } : r;
    }
    case MSG.UPDATE: {
      const r = decodeUpdate(body, ctx);
      return r.ok ? { ok: true, message: { type: 'update', update: r.update, action: r.action, errors: r.errors } } : { ok: false, error: r.error };
    }
    case MSG.NOTIFICATION: {
      const r = decodeNotification(body);
      return r.ok ? { ok: true, message: { type: 'notification', notification: r.notification } } : r;
    }
    case MSG.KEEPALIVE: {
      const e = checkKeepalive(body);
      return e === null ? { ok: true, message: { type: 'keepalive' } } : { ok: false, error: e };
    }
    case MSG.ROUTE_REFRESH: {
      const r = decodeRouteRefresh(body);
      return r.ok ? { ok: true, message: { type: 'routeRefresh', routeRefresh: r.routeRefresh } } : r;
    }
    default: {
      const never: never = h.type;
      throw new Error(`unhandled message type ${String(never)}`);
    }
  }
}

/** Encodes any message (header included). */
export function encodeMessage(m: Message, ctx: CodecCtx): Buffer {
  switch (m.type) {
    case 'open':
      return encodeOpen(m.open);
    case 'update':
      return encodeUpdate(m.update, ctx);
    case 'notification':
      return encodeNotification(m.notification);
    case 'keepalive':
      return encodeKeepalive();
    case 'routeRefresh':
      return encodeRouteRefresh(m.routeRefresh);
    default: {
      const never: never = m;
      throw new Error(`unhandled message ${JSON.stringify(never)}`);
    }
  }
}
