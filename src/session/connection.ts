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
 * Parts: the types it shares with its owner (connection-types.ts), the socket open/close
 * (connection-socket.ts), the timers (connection-timers.ts), and what each received message
 * does (inbound-message.ts, with the limits of update-limits.ts).
 *
 * It does no routing: the peer (peer.ts) owns collision resolution and what the connection
 * means to the RIB.
 */
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { DEFAULT_CTX, type CodecCtx } from '../wire/context.js';
import type { NotificationFields } from '../wire/errors.js';
import { CEASE_SUB, ERR, MAX_MESSAGE_LENGTH } from '../wire/iana.js';
import { encodeKeepalive } from '../wire/keepalive.js';
import { encodeNotification } from '../wire/notification.js';
import { encodeOpen, type OpenMessage } from '../wire/open.js';
import type { ConnectionOptions, Direction } from './connection-types.js';
import { closeSocket, connectTimeoutCause, openSocket } from './connection-socket.js';
import { ConnectionTimers } from './connection-timers.js';
import { MessageFramer } from './framer.js';
import {
  initialState,
  step,
  wireNotification,
  type SessionAction,
  type SessionDown,
  type SessionEvent,
  type SessionState,
  type StateName,
} from './fsm.js';
import { handleMessage, type InboundTarget } from './inbound-message.js';
import type { Negotiated } from './negotiated.js';
import { DEFAULT_LIMITS, type SessionLimits } from './peer-config.js';
import { lastNotification, type CountedMessage } from './stats.js';

/** Messages handled per event-loop turn before yielding (keeps other sessions' keepalives on time). */
export const MAX_MESSAGES_PER_TURN = 256;

/** Cease / Out of Resources (RFC 4486 §4 subcode 8). */
const OUT_OF_RESOURCES = { code: ERR.CEASE, subcode: CEASE_SUB.OUT_OF_RESOURCES, data: Buffer.alloc(0) };

export class Connection {
  readonly direction: Direction;
  readonly remoteAddress: string;
  readonly remotePort: number;
  private state: SessionState;
  private socket: Socket | null = null;
  private readonly timers: ConnectionTimers;
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
  private readonly inbound: InboundTarget;

  constructor(opts: ConnectionOptions) {
    this.opts = opts;
    this.direction = opts.direction;
    this.remoteAddress = opts.remoteAddress;
    this.remotePort = opts.remotePort;
    this.random = opts.random ?? Math.random;
    this.limits = opts.config.limits ?? DEFAULT_LIMITS;
    this.state = initialState(opts.config);
    this.timers = new ConnectionTimers((t, event) => {
      if (t === 'ConnectRetry' && this.state.name === 'Connect') this.logConnectTimeout();
      this.dispatch(event);
    });
    this.inbound = this.inboundTarget();
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
        this.timers.start(a.timer, a.seconds);
        return;
      case 'stopTimer':
        this.timers.stop(a.timer);
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

  /** Stops every timer and drops the socket at once (process shutdown after the NOTIFICATIONs went out). */
  destroy(): void {
    this.timers.stopAll();
    this.socket?.destroy();
    this.socket = null;
  }

  /**
   * A connect attempt got no answer within ConnectRetryTime. With TCP-MD5 or GTSM the kernel
   * drops what fails the check without a word, so say what the likely cause is.
   */
  private logConnectTimeout(): void {
    const likelyCause = connectTimeoutCause(this.opts.config);
    // Once until the session comes up: ConnectRetry may expire every few seconds.
    if (likelyCause === null || this.connectTimeoutLogged) return;
    this.connectTimeoutLogged = true;
    this.opts.log.warn({ remote: this.remoteAddress, port: this.remotePort, likelyCause }, 'connectTimeout');
  }

  private openTcp(): void {
    const o = this.opts;
    const r = openSocket({
      config: o.config,
      remoteAddress: o.remoteAddress,
      remotePort: o.remotePort,
      ...(o.localAddress !== undefined ? { localAddress: o.localAddress } : {}),
      ...(o.sockopt !== undefined ? { sockopt: o.sockopt } : {}),
    });
    if (!r.ok) {
      this.opts.log.error({ err: r.reason }, 'secureSocketFailed');
      queueMicrotask(() => this.dispatch({ type: 'TcpConnectionFails' }));
      return;
    }
    const s = r.socket;
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
    closeSocket(s);
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
      handleMessage(this.inbound, f.type, f.msg);
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

  /** This connection as inbound-message.ts sees it (state read live, hooks bound to it). */
  private inboundTarget(): InboundTarget {
    return {
      stateName: () => this.state.name,
      negotiated: () => this.state.negotiated,
      decodeCtx: () => this.decodeCtx,
      limits: this.limits,
      stats: this.opts.stats,
      log: this.opts.log,
      dispatch: (e) => this.dispatch(e),
      openReceived: (open) => {
        this.peerOpen = open;
        return this.opts.hooks.onOpenReceived(this, open);
      },
      update: (u) => this.opts.hooks.onUpdate(this, u),
      routeRefresh: (rr) => this.opts.hooks.onRouteRefresh(this, rr),
    };
  }
}
