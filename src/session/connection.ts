/**
 * One TCP connection driven by one FSM (RFC 4271 §8): the small imperative shell around the
 * pure `step` reducer. It runs the FSM's actions (connect, send, close, timers), turns
 * socket and timer happenings into FSM events, frames and decodes messages, and hands
 * UPDATEs and ROUTE-REFRESHes of an Established session to its owner.
 *
 * Flow control (STYLE.md §5): inbound, at most MAX_MESSAGES_PER_TURN messages are handled
 * per event-loop turn; the socket is paused while a backlog remains, so TCP slows a fast
 * peer. Outbound, `write` returns false when the socket buffer is full and `onDrain` says
 * when to pull more: the owner never queues without bound.
 *
 * Limits (issue 10): the receive backlog that pauses the socket and the user-space send
 * buffer that resets the session (Cease / Out of Resources, RFC 4486) come from
 * `config.limits`; an UPDATE whose AS_PATH or community count exceeds them is treated as
 * withdraw (the same path as an RFC 7606 §2 treat-as-withdraw error, so the prefixes leave
 * the RIB). TCP-MD5 and GTSM connections are opened on a socket made by the addon
 * (socket-options.ts), so the options are in place before the SYN.
 *
 * It does no routing: the peer (peer.ts) owns collision resolution and what the connection
 * means to the RIB.
 */
import { connect as tcpConnect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { DEFAULT_CTX, type CodecCtx } from '../wire/context.js';
import { HEADER_LENGTH, MSG } from '../wire/iana.js';
import type { NotificationFields } from '../wire/errors.js';
import { decodeOpen, encodeOpen, type OpenMessage } from '../wire/open.js';
import { encodeKeepalive, checkKeepalive } from '../wire/keepalive.js';
import { decodeNotification, encodeNotification } from '../wire/notification.js';
import { decodeRouteRefresh, type RouteRefreshMessage } from '../wire/route-refresh.js';
import { classifyUpdate } from '../wire/validate.js';
import { MAX_MESSAGE_LENGTH } from '../wire/iana.js';
import type { UpdateMessage } from '../wire/attribute-types.js';
import { ACTION_RANK, type ErrorAction, type WireError } from '../wire/errors.js';
import { CEASE_SUB, ERR } from '../wire/iana.js';
import { addressOctets } from './cidr.js';
import { MessageFramer } from './framer.js';
import { gtsmMinTtl, securedSocket, type SockoptLoad } from './socket-options.js';
import {
  initialState,
  notificationEvent,
  step,
  wireNotification,
  type SessionAction,
  type SessionDown,
  type SessionEvent,
  type SessionState,
  type StateName,
  type TimerName,
} from './fsm.js';
import type { Negotiated } from './negotiated.js';
import { DEFAULT_LIMITS, type LocalConfig, type PeerSessionConfig, type SessionLimits } from './peer-config.js';
import { lastNotification, type CountedMessage, type PeerStats } from './stats.js';

/** Messages handled per event-loop turn before yielding (keeps other sessions' keepalives on time). */
export const MAX_MESSAGES_PER_TURN = 256;
/** How long a closing socket may linger to flush a NOTIFICATION before it is destroyed. */
const CLOSE_LINGER_MS = 2000;

export type Direction = 'outbound' | 'inbound';

/** A received UPDATE after both RFC 7606 passes, for the RIB. */
export interface ReceivedUpdate {
  readonly update: UpdateMessage;
  /** null: clean; else the strongest non-fatal action (treat-as-withdraw must withdraw). */
  readonly action: ErrorAction | null;
  readonly errors: readonly WireError[];
}

export interface ConnectionHooks {
  onStateChange(conn: Connection, from: StateName, to: StateName, reason: string | null): void;
  /**
   * An OPEN arrived: the owner runs collision detection (RFC 4271 §6.8) against its other
   * connection. false: this connection lost and is dumped (OpenCollisionDump, event 23).
   */
  onOpenReceived(conn: Connection, open: OpenMessage): boolean;
  onEstablished(conn: Connection, negotiated: Negotiated): void;
  onDown(conn: Connection, down: SessionDown): void;
  onUpdate(conn: Connection, update: ReceivedUpdate): void;
  onRouteRefresh(conn: Connection, rr: RouteRefreshMessage): void;
  onDrain(conn: Connection): void;
  /** The FSM is back in Idle with no socket and no restart pending: the connection may be dropped. */
  onFinished(conn: Connection): void;
}

export interface ConnectionOptions {
  readonly config: PeerSessionConfig;
  readonly local: LocalConfig;
  readonly direction: Direction;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress?: string;
  /** An accepted socket, for inbound connections. */
  readonly socket?: Socket;
  readonly hooks: ConnectionHooks;
  readonly log: Logger;
  readonly stats: PeerStats;
  readonly random?: () => number;
  /** The socket-options addon, for peers with TCP-MD5 or GTSM (the peer refuses to start them without it). */
  readonly sockopt?: SockoptLoad;
}

/** An UPDATE beyond our AS_PATH or community limits: what the log and the RIB are told. */
export interface LimitExceeded {
  readonly limit: 'maxAsPathLength' | 'maxCommunities';
  readonly value: number;
  readonly max: number;
}

/** Counts an UPDATE against the AS_PATH and community limits; null when within them. */
export function checkUpdateLimits(u: UpdateMessage, limits: SessionLimits): LimitExceeded | null {
  let communities = 0;
  for (const a of u.attributes) {
    if (a.kind === 'asPath' || a.kind === 'as4Path') {
      // RFC 4271 §9.1.2.2 (a): an AS_SET counts as one, like the path length in best path.
      let n = 0;
      for (const seg of a.value) n += seg.type === 1 || seg.type === 4 ? 1 : seg.asns.length;
      if (n > limits.maxAsPathLength) return { limit: 'maxAsPathLength', value: n, max: limits.maxAsPathLength };
    } else if (a.kind === 'communities') {
      communities += a.value.length;
    } else if (a.kind === 'largeCommunities') {
      communities += a.value.length / 3;
    } else if (a.kind === 'extendedCommunities') {
      communities += a.value.length >>> 3;
    } else if (a.kind === 'ipv6ExtendedCommunities') {
      communities += Math.floor(a.value.length / 20);
    }
  }
  return communities > limits.maxCommunities ? { limit: 'maxCommunities', value: communities, max: limits.maxCommunities } : null;
}

/** Cease / Out of Resources (RFC 4486 §4 subcode 8). */
const OUT_OF_RESOURCES = { code: ERR.CEASE, subcode: CEASE_SUB.OUT_OF_RESOURCES, data: Buffer.alloc(0) };

const TIMER_EVENT: Readonly<Record<TimerName, SessionEvent>> = {
  ConnectRetry: { type: 'ConnectRetryTimer_Expires' },
  Hold: { type: 'HoldTimer_Expires' },
  Keepalive: { type: 'KeepaliveTimer_Expires' },
  DelayOpen: { type: 'DelayOpenTimer_Expires' },
  IdleHold: { type: 'IdleHoldTimer_Expires' },
};

export class Connection {
  readonly direction: Direction;
  readonly remoteAddress: string;
  readonly remotePort: number;
  private state: SessionState;
  private socket: Socket | null = null;
  private readonly timers = new Map<TimerName, NodeJS.Timeout>();
  private framer = new MessageFramer(MAX_MESSAGE_LENGTH);
  private decodeCtx: CodecCtx = DEFAULT_CTX;
  private readonly queue: SessionEvent[] = [];
  private running = false;
  private processScheduled = false;
  /** The peer's OPEN, once received. */
  peerOpen: OpenMessage | null = null;
  private readonly opts: ConnectionOptions;
  private readonly random: () => number;
  private readonly limits: SessionLimits;
  private connectTimeoutLogged = false;

  constructor(opts: ConnectionOptions) {
    this.opts = opts;
    this.direction = opts.direction;
    this.remoteAddress = opts.remoteAddress;
    this.remotePort = opts.remotePort;
    this.random = opts.random ?? Math.random;
    this.limits = opts.config.limits ?? DEFAULT_LIMITS;
    this.state = initialState(opts.config);
    if (opts.socket !== undefined) this.attach(opts.socket);
  }

  get stateName(): StateName {
    return this.state.name;
  }

  get negotiated(): Negotiated | null {
    return this.state.negotiated;
  }

  get establishedAt(): number | null {
    return this.state.establishedAt;
  }

  get lastDown(): SessionDown | null {
    return this.state.lastDown;
  }

  /** Local address of the TCP connection, when connected. */
  get localSocketAddress(): string | null {
    return this.socket?.localAddress ?? null;
  }

  /** Starts the FSM: ManualStart for outbound, a passive start plus the accepted TCP connection for inbound. */
  start(): void {
    if (this.direction === 'outbound') {
      this.dispatch({ type: this.opts.config.passive ? 'ManualStart_with_PassiveTcpEstablishment' : 'ManualStart' });
    } else {
      this.dispatch({ type: 'AutomaticStart_with_PassiveTcpEstablishment' });
      this.dispatch({ type: 'TcpConnectionConfirmed' });
    }
  }

  /** ManualStop with the NOTIFICATION to send (Cease subcodes of RFC 4486, RFC 9003 text). */
  stop(notification?: NotificationFields): void {
    this.dispatch(notification === undefined ? { type: 'ManualStop' } : { type: 'ManualStop', notification });
  }

  /** Who opened the TCP connection (RFC 4271 §6.8 keeps the one opened by the higher identifier). */
  get initiator(): 'local' | 'remote' {
    return this.direction === 'outbound' ? 'local' : 'remote';
  }

  /** OpenCollisionDump (event 23): this connection lost collision resolution (§6.8). */
  dumpForCollision(): void {
    this.dispatch({ type: 'OpenCollisionDump' });
  }

  /** Feeds one event to the FSM; events raised while actions run are queued, never nested. */
  dispatch(event: SessionEvent): void {
    this.queue.push(event);
    if (this.running) return;
    this.running = true;
    try {
      for (let e = this.queue.shift(); e !== undefined; e = this.queue.shift()) {
        const r = step(this.state, e, { config: this.opts.config, local: this.opts.local, now: performance.now(), random: this.random });
        this.state = r.next;
        for (const a of r.actions) this.run(a);
      }
    } finally {
      this.running = false;
    }
  }

  /**
   * Writes an encoded message (normally UPDATEs built once per update group). Returns false
   * when the socket buffer is full: stop and wait for onDrain.
   */
  write(msg: Buffer, kind: CountedMessage = 'update'): boolean {
    const s = this.socket;
    if (s === null || s.destroyed) return false;
    if (s.writableLength > this.limits.maxOutboundBufferBytes && kind !== 'notification') {
      // The peer stopped reading: do not buffer without bound (RFC 4486 Out of Resources).
      this.opts.log.warn({ buffered: s.writableLength, limit: this.limits.maxOutboundBufferBytes, reason: 'the peer does not read what we send' }, 'outboundBufferExceeded');
      queueMicrotask(() => this.dispatch({ type: 'AutomaticStop', notification: OUT_OF_RESOURCES, restart: true }));
      return false;
    }
    this.opts.stats.sent[kind]++;
    return s.write(msg);
  }

  /** Buffers the following writes until `uncork`, which sends them with one writev. */
  cork(): void {
    this.socket?.cork();
  }

  uncork(): void {
    this.socket?.uncork();
  }

  /** True when the socket can take more without buffering in user space. */
  get writable(): boolean {
    const s = this.socket;
    return s !== null && !s.destroyed && !s.writableNeedDrain;
  }

  private run(a: SessionAction): void {
    switch (a.type) {
      case 'connect':
        this.openTcp();
        return;
      case 'closeTcp':
        this.closeTcp();
        return;
      case 'sendOpen':
        this.write(encodeOpen(a.open), 'open');
        return;
      case 'sendKeepalive':
        this.write(encodeKeepalive(), 'keepalive');
        return;
      case 'sendNotification': {
        const n = wireNotification(a.notification, a.hardReset);
        this.opts.stats.lastNotificationSent = lastNotification(a.notification, Date.now());
        this.write(encodeNotification(n), 'notification');
        this.opts.log.info({ code: a.notification.code, subcode: a.notification.subcode, hardReset: a.hardReset, text: this.opts.stats.lastNotificationSent.text }, 'notificationSent');
        return;
      }
      case 'startTimer':
        this.startTimer(a.timer, a.seconds);
        return;
      case 'stopTimer':
        this.stopTimer(a.timer);
        return;
      case 'sessionEstablished':
        this.decodeCtx = a.negotiated.decodeCtx;
        this.connectTimeoutLogged = false;
        if (a.negotiated.extendedMessage) this.framer.setMaxLength(65535);
        this.opts.stats.establishedTransitions++;
        this.opts.hooks.onEstablished(this, a.negotiated);
        return;
      case 'sessionDown':
        this.decodeCtx = DEFAULT_CTX;
        if (a.down.wasEstablished) this.opts.stats.droppedTransitions++;
        this.opts.stats.lastDownReason = a.down.reason;
        this.opts.hooks.onDown(this, a.down);
        return;
      case 'releaseResources':
        this.framer = new MessageFramer(MAX_MESSAGE_LENGTH);
        this.peerOpen = null;
        queueMicrotask(() => {
          if (this.state.name === 'Idle' && this.socket === null && !this.state.idleHoldRunning) this.opts.hooks.onFinished(this);
        });
        return;
      case 'stateChange':
        this.opts.stats.lastStateChangeAt = Date.now();
        this.opts.log.info({ from: a.from, to: a.to, event: a.event, reason: a.reason }, 'fsmTransition');
        this.opts.hooks.onStateChange(this, a.from, a.to, a.reason);
        return;
      default: {
        const never: never = a;
        throw new Error(`unhandled action ${JSON.stringify(never)}`);
      }
    }
  }

  private startTimer(t: TimerName, seconds: number): void {
    this.stopTimer(t);
    const h = setTimeout(() => {
      this.timers.delete(t);
      if (t === 'ConnectRetry' && this.state.name === 'Connect') this.logConnectTimeout();
      this.dispatch(TIMER_EVENT[t]);
    }, Math.max(0, seconds * 1000));
    this.timers.set(t, h);
  }

  private stopTimer(t: TimerName): void {
    const h = this.timers.get(t);
    if (h !== undefined) {
      clearTimeout(h);
      this.timers.delete(t);
    }
  }

  /** Stops every timer and drops the socket at once (process shutdown after the NOTIFICATIONs went out). */
  destroy(): void {
    for (const t of [...this.timers.keys()]) this.stopTimer(t);
    this.socket?.destroy();
    this.socket = null;
  }

  /**
   * A connect attempt got no answer within ConnectRetryTime. With TCP-MD5 or GTSM the kernel
   * drops what fails the check without a word, so say what the likely cause is.
   */
  private logConnectTimeout(): void {
    const c = this.opts.config;
    if (c.md5Key === undefined && c.ttlSecurityHops === undefined) return;
    // Once until the session comes up: ConnectRetry may expire every few seconds.
    if (this.connectTimeoutLogged) return;
    this.connectTimeoutLogged = true;
    const causes: string[] = [];
    if (c.md5Key !== undefined) causes.push('TCP-MD5 (RFC 2385) is configured: a peer whose key differs, or that has no key for us, drops our signed SYN without answering');
    if (c.ttlSecurityHops !== undefined) {
      causes.push(`GTSM (RFC 5082) is configured: replies arriving with a TTL below ${gtsmMinTtl(c.ttlSecurityHops)} (a peer more than ${c.ttlSecurityHops} hop(s) away, or one not sending TTL 255) are dropped`);
    }
    this.opts.log.warn({ remote: this.remoteAddress, port: this.remotePort, likelyCause: causes.join('; ') }, 'connectTimeout');
  }

  private openTcp(): void {
    const o = this.opts;
    const local = o.localAddress !== undefined ? { localAddress: o.localAddress } : {};
    let s: Socket;
    if (o.config.md5Key !== undefined || o.config.ttlSecurityHops !== undefined) {
      const remote = addressOctets(o.remoteAddress);
      const sec = {
        ...(o.config.md5Key !== undefined ? { md5Key: o.config.md5Key } : {}),
        ...(o.config.ttlSecurityHops !== undefined ? { ttlSecurityHops: o.config.ttlSecurityHops } : {}),
      };
      try {
        if (o.sockopt === undefined || !o.sockopt.ok) throw new Error(o.sockopt?.ok === false ? o.sockopt.reason : 'the socket-options addon was not given');
        if (remote === null) throw new Error(`${o.remoteAddress} is not an IP address`);
        s = securedSocket(o.sockopt.native, remote, sec);
      } catch (e) {
        this.opts.log.error({ err: e instanceof Error ? e.message : String(e) }, 'secureSocketFailed');
        queueMicrotask(() => this.dispatch({ type: 'TcpConnectionFails' }));
        return;
      }
      s.connect({ host: o.remoteAddress, port: o.remotePort, ...local });
    } else {
      s = tcpConnect({ host: o.remoteAddress, port: o.remotePort, ...local });
    }
    this.attach(s);
    s.once('connect', () => {
      if (this.socket === s) this.dispatch({ type: 'Tcp_CR_Acked' });
    });
  }

  private attach(s: Socket): void {
    this.socket = s;
    s.setNoDelay(true);
    s.on('data', (chunk: Buffer) => {
      if (this.socket !== s) return;
      this.framer.push(chunk);
      if (this.framer.buffered > this.limits.maxInboundBufferBytes) s.pause();
      this.processFrames();
    });
    s.on('drain', () => {
      if (this.socket === s) this.opts.hooks.onDrain(this);
    });
    s.on('error', (err: Error) => {
      this.opts.log.debug({ err: err.message }, 'tcpError');
    });
    s.on('close', () => {
      if (this.socket !== s) return;
      this.socket = null;
      this.dispatch({ type: 'TcpConnectionFails' });
    });
  }

  private closeTcp(): void {
    const s = this.socket;
    if (s === null) return;
    this.socket = null;
    s.removeAllListeners('data');
    s.removeAllListeners('drain');
    s.removeAllListeners('close');
    s.on('error', () => undefined);
    // end() flushes a NOTIFICATION just written before the FIN; destroy if the peer never reads.
    s.end();
    const t = setTimeout(() => s.destroy(), CLOSE_LINGER_MS);
    t.unref();
    s.once('close', () => clearTimeout(t));
  }

  private processFrames(): void {
    for (let i = 0; i < MAX_MESSAGES_PER_TURN; i++) {
      if (this.socket === null) return;
      const f = this.framer.next();
      if (f.kind === 'need') {
        this.socket.resume();
        return;
      }
      if (f.kind === 'error') {
        this.dispatch({ type: 'BGPHeaderErr', notification: f.error.notification });
        return;
      }
      this.handle(f.type, f.msg);
    }
    // Budget spent: let timers and other sockets run, then continue.
    this.socket?.pause();
    if (!this.processScheduled) {
      this.processScheduled = true;
      setImmediate(() => {
        this.processScheduled = false;
        this.processFrames();
      });
    }
  }

  private handle(type: number, msg: Buffer): void {
    const body = msg.subarray(HEADER_LENGTH);
    const stats = this.opts.stats;
    switch (type) {
      case MSG.OPEN: {
        stats.received.open++;
        const r = decodeOpen(body);
        if (!r.ok) {
          this.dispatch({ type: 'BGPOpenMsgErr', notification: r.error.notification });
          return;
        }
        this.peerOpen = r.open;
        if (!this.opts.hooks.onOpenReceived(this, r.open)) {
          this.dispatch({ type: 'OpenCollisionDump' });
          return;
        }
        this.dispatch({ type: 'BGPOpen', open: r.open });
        return;
      }
      case MSG.UPDATE: {
        stats.received.update++;
        if (this.state.name !== 'Established') {
          this.dispatch({ type: 'UpdateMsg' }); // the FSM answers with an FSM error (RFC 6608)
          return;
        }
        const r = classifyUpdate(body, this.decodeCtx);
        if (!r.ok) {
          this.opts.log.warn({ reason: r.error.reason, detail: r.error.detail, action: 'sessionReset' }, 'updateError');
          this.dispatch({ type: 'UpdateMsgErr', action: 'sessionReset', notification: r.error.notification });
          return;
        }
        this.dispatch({ type: 'UpdateMsg' });
        const over = checkUpdateLimits(r.update, this.limits);
        if (over !== null) {
          // Our limit, not an RFC 7606 error: handled like one (treat-as-withdraw), logged apart.
          this.opts.log.warn({ action: 'treatAsWithdraw', limit: over.limit, value: over.value, max: over.max }, 'updateLimitExceeded');
          const action: ErrorAction = r.action !== null && ACTION_RANK[r.action] > ACTION_RANK.treatAsWithdraw ? r.action : 'treatAsWithdraw';
          stats.treatAsWithdraw++;
          if (this.state.name === 'Established') this.opts.hooks.onUpdate(this, { update: r.update, action, errors: r.errors });
          return;
        }
        if (r.action === 'treatAsWithdraw') stats.treatAsWithdraw++;
        else if (r.action === 'attributeDiscard') stats.attributeDiscard++;
        if (r.action !== null) {
          this.opts.log.warn({ action: r.action, errors: r.errors.map((e) => `${e.reason}: ${e.detail}`) }, 'updateError');
        }
        if (this.state.name === 'Established') this.opts.hooks.onUpdate(this, r);
        return;
      }
      case MSG.NOTIFICATION: {
        stats.received.notification++;
        const r = decodeNotification(body);
        const n: NotificationFields = r.ok ? r.notification : { code: 0, subcode: 0, data: Buffer.from(body) };
        stats.lastNotificationReceived = lastNotification(n, Date.now());
        this.opts.log.info({ code: n.code, subcode: n.subcode, text: stats.lastNotificationReceived.text }, 'notificationReceived');
        this.dispatch(notificationEvent(n));
        return;
      }
      case MSG.KEEPALIVE: {
        stats.received.keepalive++;
        const e = checkKeepalive(body);
        this.dispatch(e === null ? { type: 'KeepAliveMsg' } : { type: 'BGPHeaderErr', notification: e.notification });
        return;
      }
      case MSG.ROUTE_REFRESH: {
        stats.received.routeRefresh++;
        const r = decodeRouteRefresh(body);
        if (!r.ok) {
          // RFC 7313 §5: ROUTE-REFRESH Message Error / Invalid Message Length, then close.
          this.dispatch({ type: 'BGPHeaderErr', notification: r.error.notification });
          return;
        }
        if (this.state.name === 'Established' && this.state.negotiated?.routeRefresh === true) {
          this.opts.hooks.onRouteRefresh(this, r.routeRefresh);
        }
        return;
      }
      default:
        return;
    }
  }
}

