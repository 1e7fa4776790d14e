/**
 * TCP-MD5 (RFC 2385) and GTSM (RFC 5082) on the speaker's listeners (issue 10):
 * - TCP-MD5: the listeners hold a key per configured neighbour address and per listen range
 *   prefix (TCP_MD5SIG_EXT); the kernel drops unsigned or badly signed SYNs itself, so the
 *   speaker never sees them: while a key is configured the kernel's TCPMD5 counters are
 *   watched instead, and the likely cause is logged when they move;
 * - GTSM: listeners send with TTL 255 (the SYN-ACK too) and record each SYN's TTL; an
 *   accepted connection for a peer or range with ttl-security whose SYN arrived with a TTL
 *   below 256 - hops is refused, and the accepted socket gets IP_MINTTL for the rest of its
 *   life.
 *
 * Must not: decide which keys are wanted or accept connections (speaker.ts does).
 */
import type { Server, Socket } from 'node:net';
import type { Logger } from 'pino';
import type { PeerSessionConfig } from './peer-config.js';
import { gtsmMinTtl, readMd5Counters, socketFd, type Md5Counters, type Md5Key, type SockoptLoad } from './socket-options.js';

/** One TCP-MD5 key on the listeners: an exact address (prefixLength -1) or a listen range prefix. */
export interface ListenerKey {
  readonly octets: Buffer;
  readonly prefixLength: number;
  readonly key: Md5Key;
}

export interface ListenerSecurityOptions {
  readonly sockopt: SockoptLoad;
  readonly log: Logger;
  /** The kernel's TCP-MD5 drop counters (default: /proc/net/netstat of our namespace). */
  readonly md5Counters?: () => Md5Counters | null;
  /** How often the MD5 counters are checked while a key is configured, ms (default 5000). */
  readonly md5CheckMs?: number;
  /** Names of peers with a TCP-MD5 key that are not Established, for the drop log line. */
  readonly md5PeersNotEstablished: () => string[];
}

/** The keys installed on the listeners and the watch on the kernel's TCP-MD5 counters. */
export class ListenerSecurity {
  private readonly opts: ListenerSecurityOptions;
  /** Keys installed on the listeners, by `hex/len`. */
  private readonly installedKeys = new Map<string, ListenerKey>();
  private md5Timer: NodeJS.Timeout | null = null;
  private md5Last: Md5Counters | null = null;
  private stopped = false;

  constructor(opts: ListenerSecurityOptions) {
    this.opts = opts;
  }

  /**
   * GTSM on a listener: send with TTL 255 (a GTSM peer drops our SYN-ACK otherwise, RFC 5082
   * §3; FRR does the same on all its listeners) and record each SYN's TTL for gtsmCheck.
   */
  prepareListener(server: Server, listen: string): void {
    const so = this.opts.sockopt;
    if (!so.ok) return;
    const fd = socketFd(server);
    if (fd === null) return;
    try {
      so.native.setTtl(fd, 255);
      so.native.recordSynTtl(fd);
    } catch (e) {
      this.opts.log.error({ listen, err: e instanceof Error ? e.message : String(e) }, 'listenerOptionsFailed');
    }
  }

  /** Forgets what was installed (new listeners start with no keys). */
  resetInstalled(): void {
    this.installedKeys.clear();
  }

  /** Brings the listeners' TCP-MD5 keys in line with `want`, by `hex/len` (idempotent). */
  syncKeys(servers: readonly Server[], want: ReadonlyMap<string, ListenerKey>): void {
    const so = this.opts.sockopt;
    if (want.size > 0 || this.installedKeys.size > 0) {
      if (!so.ok) {
        if (want.size > 0) this.opts.log.error({ reason: so.reason }, 'md5Unavailable');
      } else {
        for (const [id, k] of this.installedKeys) if (!want.has(id)) this.applyKey(servers, k, null);
        for (const [id, k] of want) if (!k.key.equals(this.installedKeys.get(id)?.key)) this.applyKey(servers, k, k.key);
      }
    }
    this.installedKeys.clear();
    for (const [id, k] of want) this.installedKeys.set(id, k);
    this.watchMd5(want.size > 0);
  }

  /** Stops watching the counters for good (shutdown). */
  stop(): void {
    this.stopped = true;
    this.watchMd5(false);
  }

  private applyKey(servers: readonly Server[], k: ListenerKey, key: Md5Key | null): void {
    const so = this.opts.sockopt;
    if (!so.ok) return;
    for (const server of servers) {
      const fd = socketFd(server);
      if (fd === null) continue;
      try {
        if ((so.native.family(fd) === 6) !== (k.octets.length === 16)) continue;
        so.native.setMd5(fd, k.octets, k.prefixLength, key === null ? null : key.bytes());
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
    if (!on || this.stopped) {
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
    this.opts.log.warn({ ...d, md5PeersNotEstablished: this.opts.md5PeersNotEstablished(), likelyCause: causes.join('; ') }, 'md5SignatureDrops');
  }
}

/**
 * RFC 5082 check of an accepted connection against `config` (its neighbour's or range's):
 * the refusal reason, or null (then the socket has IP_MINTTL and sends with TTL 255).
 */
export function gtsmCheck(sockopt: SockoptLoad, socket: Socket, config: PeerSessionConfig): string | null {
  const hops = config.ttlSecurityHops;
  if (hops === undefined) return null;
  if (!sockopt.ok) return `GTSM configured but ${sockopt.reason}`;
  const fd = socketFd(socket);
  if (fd === null) return 'GTSM: the accepted socket has no descriptor';
  const min = gtsmMinTtl(hops);
  try {
    const ttl = sockopt.native.synTtl(fd);
    // RFC 5082 §3: a peer within `hops` hops sends TTL 255 and arrives with at least 256 - hops.
    if (ttl >= 0 && ttl < min) return `GTSM (RFC 5082): the SYN arrived with TTL ${ttl}, below ${min}: the peer is more than ${hops} hop(s) away or does not send TTL 255`;
    sockopt.native.setMinTtl(fd, min);
    sockopt.native.setTtl(fd, 255);
  } catch (e) {
    return `GTSM: cannot check the connection (${e instanceof Error ? e.message : String(e)})`;
  }
  return null;
}
