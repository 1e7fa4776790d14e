/**
 * What a connection (connection.ts) exchanges with its owner (peer.ts): how it is made
 * (`ConnectionOptions`), the hooks it calls (`ConnectionHooks`) and the received UPDATE it
 * hands over (`ReceivedUpdate`).
 *
 * Must not: hold behaviour; types only.
 */
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { UpdateMessage } from '../wire/attribute-types.js';
import type { ErrorAction, WireError } from '../wire/errors.js';
import type { OpenMessage } from '../wire/open.js';
import type { RouteRefreshMessage } from '../wire/route-refresh.js';
import type { Connection } from './connection.js';
import type { SessionDown, StateName } from './fsm.js';
import type { Negotiated } from './negotiated.js';
import type { LocalConfig, PeerSessionConfig } from './peer-config.js';
import type { SockoptLoad } from './socket-options.js';
import type { PeerStats } from './stats.js';

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
