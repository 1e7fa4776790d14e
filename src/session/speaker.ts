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
 * - connection rate per source address: beyond `connectionRate.max` accepted connections in
 *   `connectionRate.windowSeconds`, a source is refused until its window ends; refusals are
 *   logged once per source per window (with how many were not), and at most
 *   MAX_REFUSAL_LOGS lines per window overall, so a flood cannot flood the log too;
 * - TCP-MD5 (RFC 2385): the listeners hold a key per configured neighbour address and per
 *   listen range prefix (TCP_MD5SIG_EXT); the kernel drops unsigned or badly signed SYNs
 *   itself, so the speaker never sees them: it watches the kernel's TCPMD5 counters instead
 *   and logs the likely cause when they move;
 * - GTSM (RFC 5082): listeners send with TTL 255 (the SYN-ACK too) and record each SYN's TTL;
 *   a connection for a peer or range with ttl-security whose SYN arrived with a TTL below
 *   256 - hops is refused, and the accepted socket gets IP_MINTTL for the rest of its life.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import type { NotificationFields } from '../wire/errors.js';
import { CEASE_SUB } from '../wire/iana.js';
import { makeShutdownNotification } from '../wire/notification.js';
import { addressOctets, canonicalAddress, cidrContains, parseCidr, type Cidr } from './cidr.js';
import type { LocalConfig, PeerSessionConfig } from './peer-config.js';
import { Peer, securityUnavailable, type PeerHooks, type PeerOrigin } from './peer.js';
import { gtsmMinTtl, loadSockopt, readMd5Counters, socketFd, type Md5Counters, type Md5Key, type SockoptLoad } from './socket-options.js';

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

/** Connection-rate limit per source address on the listeners. */
export interface ConnectionRate {
  readonly max: number;
  readonly windowSeconds: number;
}

/** 20 connections in 10 s: far more than reconnects and collisions need, far less than a flood. */
export const DEFAULT_CONNECTION_RATE: ConnectionRate = { max: 20, windowSeconds: 10 };

/** Refusal log lines per rate window, all sources together. */
const MAX_REFUSAL_LOGS = 50;
/** Sources tracked at once; beyond this the table starts over (a spoofed-source flood). */
const MAX_TRACKED_SOURCES = 65536;

interface SourceWindow {
  start: number;
  accepted: number;
  refused: number;
  logged: boolean;
}

/** One TCP-MD5 key on the listeners: an exact address (prefixLength -1) or a listen range prefix. */
interface ListenerKey {
  readonly octets: Buffer;
  readonly prefixLength: number;
  readonly key: Md5Key;
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
  private readonly rate: ConnectionRate;
  private readonly sources = new Map<string, SourceWindow>();
  private refusalLogWindow = 0;
  private refusalLogs = 0;
  private refusalLogsSuppressed = 0;
  /** Keys installed on the listeners, by `hex/len`. */
  private readonly installedKeys = new Map<string, ListenerKey>();
  private md5Timer: NodeJS.Timeout | null = null;
  /** Addresses whose connections are refused until a time (ms; Infinity: until cleared), and why. */
  private readonly heldDown = new Map<string, { until: number; reason: string }>();
  private md5Last: Md5Counters | null = null;

  constructor(private readonly opts: SpeakerOptions) {
    this.sockopt = opts.sockopt ?? loadSockopt();
    this.rate = opts.connectionRate ?? DEFAULT_CONNECTION_RATE;
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
      this.prepareListener(server, l);
      const a = server.address();
      bound.push(typeof a === 'object' && a !== null ? { address: a.address, port: a.port } : l);
    }
    this.installedKeys.clear();
    this.syncKeys();
    return bound;
  }

  /**
   * GTSM on a listener: send with TTL 255 (a GTSM peer drops our SYN-ACK otherwise, RFC 5082
   * §3; FRR does the same on all its listeners) and record each SYN's TTL for onConnection.
   */
  private prepareListener(server: Server, l: ListenAddress): void {
    if (!this.sockopt.ok) return;
    const fd = socketFd(server);
    if (fd === null) return;
    try {
      this.sockopt.native.setTtl(fd, 255);
      this.sockopt.native.recordSynTtl(fd);
    } catch (e) {
      this.opts.log.error({ listen: `[${l.address}]:${l.port}`, err: e instanceof Error ? e.message : String(e) }, 'listenerOptionsFailed');
    }
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
    const want = this.desiredKeys();
    if (want.size > 0 || this.installedKeys.size > 0) {
      if (!this.sockopt.ok) {
        if (want.size > 0) this.opts.log.error({ reason: this.sockopt.reason }, 'md5Unavailable');
      } else {
        for (const [id, k] of this.installedKeys) if (!want.has(id)) this.applyKey(k, null);
        for (const [id, k] of want) if (!k.key.equals(this.installedKeys.get(id)?.key)) this.applyKey(k, k.key);
      }
    }
    this.installedKeys.clear();
    for (const [id, k] of want) this.installedKeys.set(id, k);
    this.watchMd5(want.size > 0);
  }

  private applyKey(k: ListenerKey, key: Md5Key | null): void {
    if (!this.sockopt.ok) return;
    for (const server of this.servers) {
      const fd = socketFd(server);
      if (fd === null) continue;
      try {
        if ((this.sockopt.native.family(fd) === 6) !== (k.octets.length === 16)) continue;
        this.sockopt.native.setMd5(fd, k.octets, k.prefixLength, key === null ? null : key.bytes());
      } catch (e) {
        const a = server.address();
        this.opts.log.error({ listen: typeof a === 'object' && a !== null ? a.address : '?', prefixLength: k.prefixLength, keySource: k.key.source, err: e instanceof Error ? e.message : String(e) }, 'md5KeyInstallFailed');
      }
    }
  }

  /**
   * While a key is configured, check the kernel's TCP-MD5 drop counters: a peer with a wrong
   * key (or none) never reaches us, so this is the only place its failure shows.
   */
  private watchMd5(on: boolean): void {
    if (!on || this.closing) {
      if (this.md5Timer !== null) clearInterval(this.md5Timer);
      this.md5Timer = null;
      return;
    }
    if (this.md5Timer !== null) return;
    const read = this.opts.md5Counters ?? readMd5Counters;
    this.md5Last = read();
    this.md5Timer = setInterval(() => this.checkMd5Counters(read), this.opts.md5CheckMs ?? 5000);
    this.md5Timer.unref();
  }

  private checkMd5Counters(read: () => Md5Counters | null): void {
    const now = read();
    const last = this.md5Last;
    this.md5Last = now;
    if (now === null || last === null) return;
    const d = { failure: now.failure - last.failure, notFound: now.notFound - last.notFound, unexpected: now.unexpected - last.unexpected };
    if (d.failure <= 0 && d.notFound <= 0 && d.unexpected <= 0) return;
    const causes: string[] = [];
    if (d.failure > 0) causes.push(`${d.failure} segment(s) carried a TCP-MD5 signature that does not match our key: a peer has a different key`);
    if (d.notFound > 0) causes.push(`${d.notFound} segment(s) had no TCP-MD5 signature where we hold a key: a peer has no key configured`);
    if (d.unexpected > 0) causes.push(`${d.unexpected} segment(s) were signed where we hold no key: a peer has a key we do not`);
    const waiting = [...this.peers.values()].filter((p) => p.config.md5Key !== undefined && p.state !== 'Established').map((p) => p.name);
    this.opts.log.warn({ ...d, md5PeersNotEstablished: waiting, likelyCause: causes.join('; ') }, 'md5SignatureDrops');
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
    this.watchMd5(false);
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

  /**
   * Counts a connection from `source` against the rate limit; false when over it. The window
   * is fixed (not sliding): cheap, and a source over the limit waits at most one window.
   */
  private admit(source: string, now: number): boolean {
    let w = this.sources.get(source);
    if (w === undefined || now - w.start >= this.rate.windowSeconds * 1000) {
      if (w === undefined && this.sources.size >= MAX_TRACKED_SOURCES) this.sweepSources(now);
      w = { start: now, accepted: 0, refused: 0, logged: false };
      this.sources.set(source, w);
    }
    if (w.accepted >= this.rate.max) return false;
    w.accepted++;
    return true;
  }

  private sweepSources(now: number): void {
    for (const [k, w] of this.sources) if (now - w.start >= this.rate.windowSeconds * 1000) this.sources.delete(k);
    if (this.sources.size >= MAX_TRACKED_SOURCES) this.sources.clear();
  }

  /** Whether this refusal gets a log line: once per source and window, MAX_REFUSAL_LOGS per window. */
  private logRefusal(source: string, now: number): { log: boolean; suppressed: number } {
    const windowMs = this.rate.windowSeconds * 1000;
    if (now - this.refusalLogWindow >= windowMs) {
      this.refusalLogWindow = now;
      this.refusalLogs = 0;
    }
    const w = this.sources.get(source);
    if (w !== undefined && w.logged) {
      w.refused++;
      this.refusalLogsSuppressed++;
      return { log: false, suppressed: 0 };
    }
    if (this.refusalLogs >= MAX_REFUSAL_LOGS) {
      this.refusalLogsSuppressed++;
      return { log: false, suppressed: 0 };
    }
    if (w !== undefined) w.logged = true;
    this.refusalLogs++;
    const suppressed = this.refusalLogsSuppressed;
    this.refusalLogsSuppressed = 0;
    return { log: true, suppressed };
  }

  /** RFC 5082 check of an accepted connection against `config` (its neighbour's or range's); the refusal reason, or null. */
  private gtsmCheck(socket: Socket, config: PeerSessionConfig): string | null {
    const hops = config.ttlSecurityHops;
    if (hops === undefined) return null;
    if (!this.sockopt.ok) return `GTSM configured but ${this.sockopt.reason}`;
    const fd = socketFd(socket);
    if (fd === null) return 'GTSM: the accepted socket has no descriptor';
    const min = gtsmMinTtl(hops);
    try {
      const ttl = this.sockopt.native.synTtl(fd);
      // RFC 5082 §3: a peer within `hops` hops sends TTL 255 and arrives with at least 256 - hops.
      if (ttl >= 0 && ttl < min) return `GTSM (RFC 5082): the SYN arrived with TTL ${ttl}, below ${min}: the peer is more than ${hops} hop(s) away or does not send TTL 255`;
      this.sockopt.native.setMinTtl(fd, min);
      this.sockopt.native.setTtl(fd, 255);
    } catch (e) {
      return `GTSM: cannot check the connection (${e instanceof Error ? e.message : String(e)})`;
    }
    return null;
  }

  private onConnection(socket: Socket): void {
    const raw = socket.remoteAddress ?? '';
    const key = canonicalAddress(raw);
    const now = Date.now();
    const refuse = (why: string): void => {
      this.refused++;
      const l = this.logRefusal(key ?? raw, now);
      if (l.log) this.opts.log.warn({ remote: key ?? raw, reason: why, ...(l.suppressed > 0 ? { suppressedSinceLast: l.suppressed } : {}) }, 'connectionRefused');
      socket.destroy();
    };
    if (this.closing) return refuse('shutting down');
    if (key === null) return refuse('unparseable remote address');
    if (!this.admit(key, now)) return refuse(`more than ${this.rate.max} connections in ${this.rate.windowSeconds} s from this address`);
    const held = this.heldDown.get(key);
    if (held !== undefined && held.until > now) return refuse(`held down: ${held.reason}`);
    if (held !== undefined) this.heldDown.delete(key);
    const known = this.peers.get(key);
    if (known !== undefined) {
      const bad = this.gtsmCheck(socket, known.config);
      if (bad !== null) return refuse(bad);
      if (!known.accept(socket)) refuse(known.stats.lastDownReason === 'securityUnavailable' ? 'neighbour needs TCP-MD5/GTSM and the addon is not loaded' : 'neighbour is administratively down');
      return;
    }
    const octets = addressOctets(key);
    const match = octets === null ? undefined : this.ranges.find((r) => cidrContains(r.cidr, octets));
    if (match === undefined) return refuse('outside every listen range and not a configured neighbour');
    const bad = this.gtsmCheck(socket, match.range.config);
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
