/**
 * Typed options and results shared by the real-daemon peer modules (bird.ts, frr.ts, gobgp.ts,
 * openbgpd.ts, exabgp.ts): what a test asks a daemon to be (router ID, AS, neighbours, routes
 * to announce) and what it reads back from the daemon's own CLI (session state, negotiated
 * capabilities, received routes). Each module maps these to its daemon's config language and
 * parses its daemon's output into them; a feature a daemon lacks is rejected with an error
 * naming the daemon, never silently dropped.
 */
import type { Netns } from '../netns.js';

export type PeerKind = 'bird' | 'frr' | 'gobgp' | 'openbgpd' | 'exabgp';

/** Address families the harness configures. */
export type Family = 'ipv4-unicast' | 'ipv6-unicast';

export interface AddPathOptions {
  /** Advertise ADD-PATH send (and send all paths where the daemon needs a mode). */
  send?: boolean;
  /** Advertise ADD-PATH receive. */
  receive?: boolean;
}

export interface NeighborOptions {
  /** The neighbour's address (IPv4 or IPv6); also selects the default family. */
  address: string;
  remoteAs: number;
  /** Neighbour's TCP port for our active connects (default 179). */
  port?: number;
  /** Our source address for this session (default: the daemon chooses / the listen address). */
  localAddress?: string;
  /** Never connect, only accept. */
  passive?: boolean;
  /** Hold time to offer, seconds (keepalive is a third of it). */
  holdTime?: number;
  /** Families to negotiate (default: the family of `address`). */
  families?: readonly Family[];
  addPath?: AddPathOptions;
  /** Treat this neighbour as a route-reflector client. */
  rrClient?: boolean;
  /** eBGP multihop: `true` = 255 hops. Needed by BIRD and FRR for eBGP between `lo` addresses. */
  multihop?: boolean | number;
  /** Advertise graceful restart (`true`, or the restart time in seconds). */
  gracefulRestart?: boolean | number;
}

export type Origin = 'igp' | 'egp' | 'incomplete';

/** A route a daemon originates. */
export interface RouteSpec {
  prefix: string;
  nextHop: string;
  /** Standard communities, `"65000:101"`. */
  communities?: readonly string[];
  /** Large communities, `"65000:1:2"`. */
  largeCommunities?: readonly string[];
  localPref?: number;
  med?: number;
  origin?: Origin;
  /** AS numbers to prepend, leftmost first (not supported by OpenBGPD). */
  asPath?: readonly number[];
}

export interface ListenOptions {
  /** Addresses to listen on (default: the neighbours' `localAddress`es, else all). */
  addresses?: readonly string[];
  /** TCP port (default 179). */
  port?: number;
}

export interface PeerOptions {
  /** Short name, unique within the test: files go to `<dir>/<name>/`. */
  name: string;
  /** Parent directory (the test's temp dir). */
  dir: string;
  routerId: string;
  localAs: number;
  /** Where to accept connections; `false` = do not listen (where the daemon allows). */
  listen?: ListenOptions | false;
  neighbors: readonly NeighborOptions[];
  /** Routes to originate from the start. */
  routes?: readonly RouteSpec[];
  /** Run the daemon inside this namespace (default: the current one). */
  netns?: Netns;
  /** Route-reflector cluster ID (default: the router ID). */
  clusterId?: string;
  /** Raw daemon config appended at the end (escape hatch for one test's needs). */
  extraConfig?: string;
  /** How long `start` waits for the daemon's control interface (default 15 000 ms). */
  startTimeoutMs?: number;
}

/** BGP FSM state as the daemon reports it, mapped to RFC 4271 names where it is one of them. */
export type NeighborState = 'Established' | 'Idle' | 'Connect' | 'Active' | 'OpenSent' | 'OpenConfirm' | (string & {});

export interface AddPathNegotiated {
  family: Family;
  /** This daemon may send several paths (it advertised send, the neighbour receive). */
  send: boolean;
  /** This daemon may receive several paths. */
  receive: boolean;
}

/** Capabilities both sides advertised, from the daemon's own view of the session. */
export interface NegotiatedCapabilities {
  fourOctetAs: boolean;
  routeRefresh: boolean;
  enhancedRouteRefresh: boolean;
  gracefulRestart: boolean;
  extendedMessage: boolean;
  /** Multiprotocol families negotiated. */
  families: Family[];
  addPath: AddPathNegotiated[];
  /** Negotiated hold time in seconds, where reported. */
  holdTime?: number;
  /** The daemon's own lines/keys the result was parsed from, for failure messages. */
  raw: string[];
}

/** A route a daemon received from a BGP neighbour. */
export interface BgpRoute {
  family: Family;
  prefix: string;
  /** ADD-PATH path identifier, where the daemon shows it. */
  pathId?: number;
  nextHop: string;
  /** AS_PATH flattened (AS_SET members in order), leftmost first. */
  asPath: number[];
  origin?: Origin;
  communities: string[];
  largeCommunities: string[];
  localPref?: number;
  med?: number;
  originatorId?: string;
  clusterList: string[];
  /** Address of the neighbour it came from, where the daemon shows it. */
  peer?: string;
  /** Selected as best, where the daemon shows it. */
  best?: boolean;
}

export interface RouteFilter {
  family?: Family;
  /** Only this exact prefix. */
  prefix?: string;
}

/** A running daemon. Every query parses the daemon's own CLI (or API dump) output. */
export interface PeerHandle {
  readonly kind: PeerKind;
  readonly name: string;
  readonly pid: number;
  /** `<dir>/<name>`: config, sockets and log. */
  readonly dir: string;
  readonly configFile: string;
  readonly logFile: string;
  readonly netns: Netns | undefined;
  neighborState(address: string): Promise<NeighborState>;
  negotiatedCapabilities(address: string): Promise<NegotiatedCapabilities>;
  routes(filter?: RouteFilter): Promise<BgpRoute[]>;
  /**
   * Sorted prefixes received from any neighbour, from the daemon's cheapest listing (no
   * attributes): for full tables, where `routes()` would take minutes (FRR needs one query
   * per prefix for communities).
   */
  prefixes(family?: Family): Promise<string[]>;
  /** Seconds since the session to `address` became Established; undefined when it is not. */
  uptime(address: string): Promise<number | undefined>;
  /** Originate a route now. */
  announce(route: RouteSpec): Promise<void>;
  /** Stop originating a route (by its prefix). */
  withdraw(route: RouteSpec | string): Promise<void>;
  /** Poll until the session to `address` is Established (default timeout 30 s). */
  waitEstablished(address: string, timeoutMs?: number): Promise<void>;
  /**
   * Stop the daemon (files kept) and start it again from the same options plus the routes
   * announced since; `pid` changes.
   */
  restart(): Promise<void>;
  /** Send a signal to the daemon's main process only. */
  signal(signal: NodeJS.Signals): void;
  /**
   * SIGSTOP the daemon and every process it started (OpenBGPD's session engine sends the
   * KEEPALIVEs, not its parent): a frozen peer for hold-timer tests.
   */
  freeze(): Promise<void>;
  /** SIGCONT what `freeze` stopped. */
  thaw(): Promise<void>;
  /** The last lines of the daemon's log. */
  logTail(lines?: number): Promise<string>;
  /** SIGTERM, SIGKILL after `timeoutMs` (default 5 000), then delete its files unless kept. */
  stop(opts?: { keepFiles?: boolean; timeoutMs?: number }): Promise<void>;
  readonly exited: boolean;
}
