/**
 * One BGP neighbour: up to two connections (ours and theirs) until collision resolution
 * (RFC 4271 §6.8) leaves one, the counters operators read, and the typed status API. The
 * outbound connection's FSM is the long-lived one (connect retry, idle-hold back-off);
 * inbound connections are one-shot FSMs started passively when the listener hands us a
 * socket. With graceful restart negotiated, a new connection from a peer we still think is
 * Established means the peer restarted: the old session is dropped with its routes retained
 * as stale (RFC 4724 §4.2).
 */
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { NotificationFields } from '../wire/errors.js';
import type { OpenMessage } from '../wire/open.js';
import { encodeRouteRefresh, type RouteRefreshMessage } from '../wire/route-refresh.js';
import { ROUTE_REFRESH_SUBTYPE } from '../wire/iana.js';
import { Connection } from './connection.js';
import type { ConnectionHooks, ReceivedUpdate } from './connection-types.js';
import { collisionVictim, type SessionDown, type StateName } from './fsm.js';
import type { Negotiated } from './negotiated.js';
import type { LocalConfig, PeerSessionConfig } from './peer-config.js';
import { newPeerStats, type PeerStats } from './stats.js';
import { peerStatus, type PeerStatus } from './peer-status.js';
import type { SockoptLoad } from './socket-options.js';

/** How a peer came to be configured. */
export type PeerOrigin = 'static' | 'dns' | 'listenRange' | 'kubernetes';

export interface PeerHooks {
  onEstablished(peer: Peer, negotiated: Negotiated): void;
  onDown(peer: Peer, down: SessionDown): void;
  onUpdate(peer: Peer, update: ReceivedUpdate): void;
  onRouteRefresh(peer: Peer, rr: RouteRefreshMessage): void;
  onDrain(peer: Peer): void;
  /** Every connection is gone and the peer is stopped or passive-idle (dynamic peers are then removed). */
  onIdle(peer: Peer): void;
}

export interface PeerOptions {
  /** Stable key: the remote address (IPv6 in canonical text). */
  readonly name: string;
  readonly group: string;
  readonly origin: PeerOrigin;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress?: string;
  readonly config: PeerSessionConfig;
  readonly local: LocalConfig;
  readonly log: Logger;
  readonly hooks: PeerHooks;
  readonly random?: () => number;
  /** The socket-options addon; a peer with TCP-MD5 or GTSM does not start without it. */
  readonly sockopt?: SockoptLoad;
}

/**
 * Why a peer with this config cannot run here: TCP-MD5 or GTSM configured while the addon is
 * not loaded. null when it can. Without the key the session would come up unsigned (or not
 * at all, silently), so it is refused with the reason instead (issue 10).
 */
export function securityUnavailable(config: PeerSessionConfig, sockopt: SockoptLoad | undefined): string | null {
  if (config.md5KeyError !== undefined) return config.md5KeyError;
  const needs = [config.md5Key !== undefined ? 'TCP-MD5' : null, config.ttlSecurityHops !== undefined ? 'GTSM (ttl-security)' : null].filter((x) => x !== null);
  if (needs.length === 0 || sockopt?.ok === true) return null;
  return `${needs.join(' and ')} configured but ${sockopt === undefined ? 'no socket-options addon was given' : sockopt.reason}`;
}

const RANK: Readonly<Record<StateName, number>> = { Idle: 0, Connect: 1, Active: 1, OpenSent: 2, OpenConfirm: 3, Established: 4 };

export class Peer {
  readonly name: string;
  readonly group: string;
  readonly origin: PeerOrigin;
  readonly remoteAddress: string;
  readonly stats: PeerStats;
  readonly createdAt = Date.now();
  private outbound: Connection | null = null;
  private readonly inbound = new Set<Connection>();
  private current: Connection | null = null;
  private stopped = true;
  private closing: NotificationFields | null = null;
  private readonly waiters: (() => void)[] = [];

  constructor(private readonly opts: PeerOptions) {
    this.name = opts.name;
    this.group = opts.group;
    this.origin = opts.origin;
    this.remoteAddress = opts.remoteAddress;
    this.stats = newPeerStats(Date.now());
  }

  get config(): PeerSessionConfig {
    return this.opts.config;
  }

  /** The port we connect to. */
  get remotePort(): number {
    return this.opts.remotePort;
  }

  /** The Established connection, if any. */
  get session(): Connection | null {
    return this.current;
  }

  /** The peer's state as an operator sees it: the most advanced of its connections. */
  get state(): StateName {
    if (this.current !== null) return 'Established';
    let best: StateName = this.opts.config.passive && !this.stopped ? 'Active' : 'Idle';
    for (const c of this.connections()) if (RANK[c.stateName] > RANK[best]) best = c.stateName;
    return best;
  }

  get negotiated(): Negotiated | null {
    return this.current?.negotiated ?? null;
  }

  start(): void {
    if (!this.stopped) return;
    const why = securityUnavailable(this.opts.config, this.opts.sockopt);
    if (why !== null) {
      // Refuse to run rather than run without the protection the operator asked for.
      this.stats.lastDownReason = 'securityUnavailable';
      this.opts.log.error({ reason: why }, 'peerNotStarted');
      return;
    }
    this.stopped = false;
    this.closing = null;
    this.ensureOutbound();
  }

  /**
   * Stops the peer: every connection gets ManualStop (with `notification`, e.g. Cease /
   * Administrative Shutdown or Peer De-configured). Resolves once every socket is closed,
   * or after `timeoutMs`.
   */
  stop(notification?: NotificationFields, timeoutMs = 3000): Promise<void> {
    this.stopped = true;
    this.closing = notification ?? null;
    for (const c of this.connections()) c.stop(notification);
    if (this.connections().length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        for (const c of this.connections()) c.destroy();
        resolve();
      }, timeoutMs);
      this.waiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  /** Hands an accepted socket to this peer. Returns false (caller closes it) when stopped. */
  accept(socket: Socket): boolean {
    if (this.stopped) return false;
    const conn = this.newConnection('inbound', socket);
    this.inbound.add(conn);
    conn.start();
    return true;
  }

  /** Writes an encoded message to the Established session; false means wait for onDrain. */
  write(msg: Buffer): boolean {
    return this.current !== null && this.current.write(msg);
  }

  get writable(): boolean {
    return this.current !== null && this.current.writable;
  }

  cork(): void {
    this.current?.cork();
  }

  uncork(): void {
    this.current?.uncork();
  }

  /**
   * Asks the peer to resend a family (ROUTE-REFRESH, RFC 2918), e.g. after our inbound policy
   * changed. Returns false when the session is down or the peer did not negotiate it.
   */
  requestRefresh(afi: number, safi: number): boolean {
    const c = this.current;
    if (c === null || c.negotiated?.routeRefresh !== true) return false;
    c.write(encodeRouteRefresh({ afi, safi, subtype: ROUTE_REFRESH_SUBTYPE.NORMAL, orf: Buffer.alloc(0) }), 'routeRefresh');
    return true;
  }

  status(): PeerStatus {
    return peerStatus(this, this.opts, this.current);
  }

  private connections(): Connection[] {
    const all = [...this.inbound];
    if (this.outbound !== null) all.push(this.outbound);
    return all;
  }

  private ensureOutbound(): void {
    if (this.stopped || this.opts.config.passive || this.outbound !== null) return;
    this.outbound = this.newConnection('outbound');
    this.outbound.start();
  }

  private newConnection(direction: 'outbound' | 'inbound', socket?: Socket): Connection {
    const cfg = direction === 'inbound' ? { ...this.opts.config, passive: true, allowAutomaticStart: false } : this.opts.config;
    const remotePort = direction === 'inbound' && socket?.remotePort !== undefined ? socket.remotePort : this.opts.remotePort;
    return new Connection({
      config: cfg,
      local: this.opts.local,
      direction,
      remoteAddress: this.opts.remoteAddress,
      remotePort,
      ...(this.opts.localAddress !== undefined ? { localAddress: this.opts.localAddress } : {}),
      ...(socket !== undefined ? { socket } : {}),
      hooks: this.hooks,
      log: this.opts.log.child({ conn: direction }),
      stats: this.stats,
      ...(this.opts.random !== undefined ? { random: this.opts.random } : {}),
      ...(this.opts.sockopt !== undefined ? { sockopt: this.opts.sockopt } : {}),
    });
  }

  private readonly hooks: ConnectionHooks = {
    onStateChange: (conn: Connection, _from: StateName, to: StateName) => {
      // While another connection carries the session, our outbound one must not keep
      // reconnecting (each attempt would be dumped by collision resolution): park it. It is
      // restarted by onFinished when the session ends.
      if (conn === this.outbound && this.current !== null && this.current !== conn && (to === 'Active' || to === 'Connect')) conn.stop();
    },
    onOpenReceived: (conn: Connection, open: OpenMessage): boolean => {
      for (const other of this.connections()) {
        if (other === conn) continue;
        // RFC 4724 §4.2: a new connection from the peer while Established with graceful restart
        // is a restart. An OPEN on our own new connection is an ordinary §6.8 collision.
        if (conn.direction === 'inbound' && other.stateName === 'Established' && other.negotiated?.gracefulRestart != null) {
          this.opts.log.info({ reason: 'peer reconnected while Established: graceful restart' }, 'sessionReplaced');
          other.dispatch({ type: 'TcpConnectionFails' });
          continue;
        }
        const victim = collisionVictim(
          other.stateName,
          other.initiator,
          { localId: this.opts.local.bgpId, remoteId: open.bgpId, localAs: this.opts.local.localAs, remoteAs: other.negotiated?.peerAs ?? open.myAs },
          this.opts.config.collisionDetectEstablishedState,
        );
        if (victim === 'incoming') return false;
        if (victim === 'existing') other.dumpForCollision();
      }
      return true;
    },
    onEstablished: (conn: Connection, negotiated: Negotiated): void => {
      this.current = conn;
      // The other connection, still connecting, is not needed any more.
      for (const other of this.connections()) {
        if (other !== conn && (other.stateName === 'Connect' || other.stateName === 'Active' || other.stateName === 'Idle')) other.stop();
      }
      this.opts.hooks.onEstablished(this, negotiated);
    },
    onDown: (conn: Connection, down: SessionDown): void => {
      if (this.current === conn) {
        this.current = null;
        this.opts.hooks.onDown(this, down);
      }
    },
    onUpdate: (conn: Connection, u: ReceivedUpdate): void => {
      if (this.current === conn) this.opts.hooks.onUpdate(this, u);
    },
    onRouteRefresh: (conn: Connection, rr: RouteRefreshMessage): void => {
      if (this.current === conn) this.opts.hooks.onRouteRefresh(this, rr);
    },
    onDrain: (conn: Connection): void => {
      if (this.current === conn) this.opts.hooks.onDrain(this);
    },
    onFinished: (conn: Connection): void => {
      if (this.outbound === conn) this.outbound = null;
      this.inbound.delete(conn);
      if (this.connections().length === 0) {
        const w = this.waiters.splice(0);
        for (const f of w) f();
        if (this.stopped || this.opts.config.passive) this.opts.hooks.onIdle(this);
      }
      // An active peer always keeps an outbound FSM running (it owns the retry back-off).
      if (this.current === null) this.ensureOutbound();
    },
  };

  /** The NOTIFICATION the peer is being stopped with, if any (for status). */
  get stopNotification(): NotificationFields | null {
    return this.closing;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /** Connections for status (state per connection). */
  connectionStates(): { direction: string; state: StateName }[] {
    return this.connections().map((c) => ({ direction: c.direction, state: c.stateName }));
  }
}
