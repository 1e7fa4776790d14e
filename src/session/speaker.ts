/**
 * The BGP speaker's session side: TCP listeners, the configured neighbours, and dynamic
 * neighbours accepted from listen ranges (Junos `allow`, FRR `bgp listen range`, BIRD
 * `neighbor range`). An incoming connection goes to
 * 1. the configured neighbour with that address, whatever the ranges say;
 * 2. else the most specific listen range holding the address, as a new dynamic peer of the
 *    range's group, while the global and per-range dynamic peer limits allow;
 * 3. else it is closed at once, with a log line naming the address.
 * A dynamic peer disappears when its last connection ends. On shutdown every peer gets Cease
 * / Administrative Shutdown with the operator's text (RFC 9003) before the process exits.
 *
 * Hardening (issue 10), before any of the above:
 * - connection rate per source address (connection-rate.ts): a source over
 *   `connectionRate.max` accepted connections in `connectionRate.windowSeconds` is refused
 *   until its window ends, with rate-limited refusal logs;
 * - TCP-MD5 (RFC 2385) keys on the listeners for each configured neighbour address and
 *   listen range prefix, and GTSM (RFC 5082) on listeners and accepted sockets
 *   (listener-security.ts).
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import type { NotificationFields } from '../wire/errors.js';
import { CEASE_SUB } from '../wire/iana.js';
import { makeShutdownNotification } from '../wire/notification.js';
import { addressOctets, canonicalAddress, cidrContains, parseCidr, type Cidr } from './cidr.js';
import { ConnectionRateLimiter, DEFAULT_CONNECTION_RATE, type ConnectionRate } from './connection-rate.js';
import { gtsmCheck, ListenerSecurity, type ListenerKey } from './listener-security.js';
import type { LocalConfig, PeerSessionConfig } from './peer-config.js';
import { Peer, securityUnavailable, type PeerHooks, type PeerOrigin } from './peer.js';
import { loadSockopt, type Md5Counters, type Md5Key, type SockoptLoad } from './socket-options.js';

export interface ListenAddress {
  readonly address: string;
  readonly port: number;
}

export interface ListenRange {
  readonly prefix: string;
  readonly group: string;
  /** Session settings for peers of this range (passive is forced on). */
  readonly config: PeerSessionConfig;
  /** Most dynamic peers this range may hold (undefined: only the global cap). */
  readonly maxPeers?: number;
}

export interface NeighborSpec {
  readonly address: string;
  readonly port: number;
  readonly group: string;
  readonly origin: PeerOrigin;
  readonly config: PeerSessionConfig;
  readonly localAddress?: string;
}

export interface SpeakerOptions {
  readonly local: LocalConfig;
  readonly listen: readonly ListenAddress[];
  readonly maxDynamicPeers: number;
  readonly log: Logger;
  readonly hooks: PeerHooks;
  /** The socket-options addon (default: loaded from build/Release). */
  readonly sockopt?: SockoptLoad;
  /** Accepted connections per source address and window (default DEFAULT_CONNECTION_RATE). */
  readonly connectionRate?: ConnectionRate;
  /** The kernel's TCP-MD5 drop counters (default: /proc/net/netstat of our namespace). */
  readonly md5Counters?: () => Md5Counters | null;
  /** How often the MD5 counters are checked while a key is configured, ms (default 5000). */
  readonly md5CheckMs?: number;
}

interface CompiledRange {
  readonly cidr: Cidr;
  readonly range: ListenRange;
}

export const PEER_DECONFIGURED: NotificationFields = { code: 6, subcode: CEASE_SUB.PEER_DECONFIGURED, data: Buffer.alloc(0) };

export class Speaker {
  private readonly servers: Server[] = [];
  private readonly peers = new Map<string, Peer>();
  private ranges: CompiledRange[] = [];
  private closing = false;
  /** Connections refused since start (outside every range, or over a limit). */
  refused = 0;
  private readonly sockopt: SockoptLoad;
  private readonly limiter: ConnectionRateLimiter;
  private readonly security: ListenerSecurity;
  /** Addresses whose connections are refused until a time (ms; Infinity: until cleared), and why. */
  private readonly heldDown = new Map<string, { until: number; reason: string }>();

  constructor(private readonly opts: SpeakerOptions) {
    this.sockopt = opts.sockopt ?? loadSockopt();
    this.limiter = new ConnectionRateLimiter(opts.connectionRate ?? DEFAULT_CONNECTION_RATE);
    this.security = new ListenerSecurity({
      sockopt: this.sockopt,
      log: opts.log,
      ...(opts.md5Counters !== undefined ? { md5Counters: opts.md5Counters } : {}),
      ...(opts.md5CheckMs !== undefined ? { md5CheckMs: opts.md5CheckMs } : {}),
      md5PeersNotEstablished: () => [...this.peers.values()].filter((p) => p.config.md5Key !== undefined && p.state !== 'Established').map((p) => p.name),
    });
  }

  /** Whether TCP-MD5 and GTSM can be used (the addon loaded), and why not. */
  get socketOptions(): SockoptLoad {
    return this.sockopt;
  }

  get local(): LocalConfig {
    return this.opts.local;
  }

  /** Binds every listen address. Rejects with the OS error (EADDRINUSE, EACCES...) naming the address. */
  async listen(): Promise<ListenAddress[]> {
    const bound: ListenAddress[] = [];
    for (const l of this.opts.listen) {
      const server = createServer({ noDelay: true }, (s) => this.onConnection(s));
      await new Promise<void>((resolve, reject) => {
        server.once('error', (err) => reject(new Error(`cannot listen on [${l.address}]:${l.port}: ${err.message}`, { cause: err })));
        server.listen({ host: l.address, port: l.port, ipv6Only: l.address.includes(':') }, () => resolve());
      });
      server.on('error', (err) => this.opts.log.error({ err: err.message }, 'listenerError'));
      this.servers.push(server);
      this.security.prepareListener(server, `[${l.address}]:${l.port}`);
      const a = server.address();
      bound.push(typeof a === 'object' && a !== null ? { address: a.address, port: a.port } : l);
    }
    this.security.resetInstalled();
    this.syncKeys();
    return bound;
  }

  /** The TCP-MD5 keys the listeners must hold now: configured neighbours, then listen ranges. */
  private desiredKeys(): Map<string, ListenerKey> {
    const want = new Map<string, ListenerKey>();
    const add = (octets: Buffer, prefixLength: number, key: Md5Key): void => {
      want.set(`${octets.toString('hex')}/${prefixLength}`, { octets, prefixLength, key });
    };
    for (const r of this.ranges) if (r.range.config.md5Key !== undefined) add(r.cidr.octets, r.cidr.bits, r.range.config.md5Key);
    for (const p of this.peers.values()) {
      const o = p.origin === 'listenRange' ? null : addressOctets(p.remoteAddress);
      if (o !== null && p.config.md5Key !== undefined) add(o, -1, p.config.md5Key);
    }
    return want;
  }

  /** Brings the listeners' TCP-MD5 keys in line with the neighbours and ranges (idempotent). */
  private syncKeys(): void {
    this.security.syncKeys(this.servers, this.desiredKeys());
  }

  /** Replaces the listen ranges (longest prefix wins). Throws on a prefix that does not parse (config validates first). */
  setListenRanges(ranges: readonly ListenRange[]): void {
    const compiled: CompiledRange[] = [];
    for (const r of ranges) {
      const cidr = parseCidr(r.prefix);
      if (cidr === null) throw new Error(`listen range ${r.prefix} is not a prefix`);
      compiled.push({ cidr, range: r });
    }
    compiled.sort((a, b) => b.cidr.bits - a.cidr.bits);
    this.ranges = compiled;
    this.syncKeys();
  }

  /** Adds and starts a configured neighbour; returns the existing one if the address is known. */
  addNeighbor(n: NeighborSpec): Peer {
    const key = canonicalAddress(n.address);
    if (key === null) throw new Error(`neighbour address ${n.address} is not an IP address`);
    const existing = this.peers.get(key);
    if (existing !== undefined && existing.origin !== 'listenRange') return existing;
    const peer = this.makePeer(key, n.group, n.origin, n.port, n.config, n.localAddress);
    this.peers.set(key, peer);
    // The listeners get the key first: the peer may connect to us before our own SYN goes out.
    this.syncKeys();
    peer.start();
    return peer;
  }

  /** Stops and forgets a neighbour (Cease / Peer De-configured by default, RFC 4486). */
  async removeNeighbor(address: string, notification: NotificationFields = PEER_DECONFIGURED): Promise<void> {
    const key = canonicalAddress(address);
    const peer = key === null ? undefined : this.peers.get(key);
    if (peer === undefined || key === null) return;
    this.peers.delete(key);
    await peer.stop(notification);
    this.syncKeys();
  }

  /**
   * Refuses connections from `address` for `seconds` (Infinity: until `release`): a dynamic
   * peer torn down for max-prefix would otherwise be back as a new dynamic peer at once.
   */
  holdDown(address: string, seconds: number, reason: string): void {
    const key = canonicalAddress(address);
    if (key !== null) this.heldDown.set(key, { until: seconds === Infinity ? Infinity : Date.now() + seconds * 1000, reason });
  }

  release(address: string): void {
    const key = canonicalAddress(address);
    if (key !== null) this.heldDown.delete(key);
  }

  getPeer(address: string): Peer | undefined {
    const key = canonicalAddress(address);
    return key === null ? undefined : this.peers.get(key);
  }

  allPeers(): Peer[] {
    return [...this.peers.values()];
  }

  dynamicPeerCount(): number {
    let n = 0;
    for (const p of this.peers.values()) if (p.origin === 'listenRange') n++;
    return n;
  }

  /**
   * Administrative shutdown: Cease / Administrative Shutdown with `text` (RFC 9003) to every
   * peer, listeners closed; resolves when the NOTIFICATIONs are out (or after a timeout).
   */
  async shutdown(text: string): Promise<void> {
    this.closing = true;
    this.security.stop();
    const closed = this.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
    const n = makeShutdownNotification(CEASE_SUB.ADMINISTRATIVE_SHUTDOWN, text);
    await Promise.all([...this.peers.values()].map((p) => p.stop(n)));
    this.peers.clear();
    await Promise.all(closed);
  }

  private makePeer(key: string, group: string, origin: PeerOrigin, port: number, config: PeerSessionConfig, localAddress?: string): Peer {
    return new Peer({
      name: key,
      group,
      origin,
      remoteAddress: key,
      remotePort: port,
      ...(localAddress !== undefined ? { localAddress } : {}),
      config,
      local: this.opts.local,
      log: this.opts.log.child({ peer: key, group }),
      sockopt: this.sockopt,
      hooks: {
        ...this.opts.hooks,
        onIdle: (p: Peer) => {
          if (p.origin === 'listenRange' && this.peers.get(p.name) === p) this.peers.delete(p.name);
          this.opts.hooks.onIdle(p);
        },
      },
    });
  }

  private onConnection(socket: Socket): void {
    const raw = socket.remoteAddress ?? '';
    const key = canonicalAddress(raw);
    const now = Date.now();
    const refuse = (why: string): void => {
      this.refused++;
      const l = this.limiter.logRefusal(key ?? raw, now);
      if (l.log) this.opts.log.warn({ remote: key ?? raw, reason: why, ...(l.suppressed > 0 ? { suppressedSinceLast: l.suppressed } : {}) }, 'connectionRefused');
      socket.destroy();
    };
    if (this.closing) return refuse('shutting down');
    if (key === null) return refuse('unparseable remote address');
    if (!this.limiter.admit(key, now)) return refuse(`more than ${this.limiter.rate.max} connections in ${this.limiter.rate.windowSeconds} s from this address`);
    const held = this.heldDown.get(key);
    if (held !== undefined && held.until > now) return refuse(`held down: ${held.reason}`);
    if (held !== undefined) this.heldDown.delete(key);
    const known = this.peers.get(key);
    if (known !== undefined) {
      const bad = gtsmCheck(this.sockopt, socket, known.config);
      if (bad !== null) return refuse(bad);
      if (!known.accept(socket)) refuse(known.stats.lastDownReason === 'securityUnavailable' ? 'neighbour needs TCP-MD5/GTSM and the addon is not loaded' : 'neighbour is administratively down');
      return;
    }
    const octets = addressOctets(key);
    const match = octets === null ? undefined : this.ranges.find((r) => cidrContains(r.cidr, octets));
    if (match === undefined) return refuse('outside every listen range and not a configured neighbour');
    const bad = gtsmCheck(this.sockopt, socket, match.range.config);
    if (bad !== null) return refuse(bad);
    if (this.dynamicPeerCount() >= this.opts.maxDynamicPeers) return refuse(`dynamic peer limit ${this.opts.maxDynamicPeers} reached`);
    const inRange = [...this.peers.values()].filter((p) => p.origin === 'listenRange' && p.group === match.range.group).length;
    if (match.range.maxPeers !== undefined && inRange >= match.range.maxPeers) {
      return refuse(`listen range ${match.cidr.text} limit ${match.range.maxPeers} reached`);
    }
    const config: PeerSessionConfig = { ...match.range.config, passive: true };
    // A range whose key cannot be used (no addon, unreadable key): no dynamic peer at all.
    const unusable = securityUnavailable(config, this.sockopt);
    if (unusable !== null) return refuse(unusable);
    const peer = this.makePeer(key, match.range.group, 'listenRange', socket.remotePort ?? 179, config);
    this.peers.set(key, peer);
    peer.start();
    this.opts.log.info({ remote: key, range: match.cidr.text, group: match.range.group }, 'dynamicPeerAccepted');
    if (!peer.accept(socket)) refuse('dynamic peer could not start');
  }
}
