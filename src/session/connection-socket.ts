/**
 * The TCP socket of one connection: opening it (a plain socket, or one made by the
 * socket-options addon so TCP-MD5 (RFC 2385) and GTSM (RFC 5082) are in place before the
 * SYN), closing it so a NOTIFICATION just written still goes out, and the likely cause of a
 * silent connect timeout under TCP-MD5 or GTSM.
 *
 * Must not: attach listeners or run the FSM (connection.ts does).
 */
import { connect as tcpConnect, type Socket } from 'node:net';
import { addressOctets } from './cidr.js';
import type { PeerSessionConfig } from './peer-config.js';
import { gtsmMinTtl, securedSocket, type SockoptLoad } from './socket-options.js';

/** How long a closing socket may linger to flush a NOTIFICATION before it is destroyed. */
const CLOSE_LINGER_MS = 2000;

export interface OpenSocketOptions {
  readonly config: PeerSessionConfig;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress?: string;
  readonly sockopt?: SockoptLoad;
}

/**
 * Starts connecting to the peer. A peer with TCP-MD5 or GTSM needs the addon; if it is
 * missing or refuses, the reason comes back instead of a socket (nothing was sent).
 */
export function openSocket(o: OpenSocketOptions): { readonly ok: true; readonly socket: Socket } | { readonly ok: false; readonly reason: string } {
  const local = o.localAddress !== undefined ? { localAddress: o.localAddress } : {};
  if (o.config.md5Key === undefined && o.config.ttlSecurityHops === undefined) {
    return { ok: true, socket: tcpConnect({ host: o.remoteAddress, port: o.remotePort, ...local }) };
  }
  const remote = addressOctets(o.remoteAddress);
  const sec = {
    ...(o.config.md5Key !== undefined ? { md5Key: o.config.md5Key } : {}),
    ...(o.config.ttlSecurityHops !== undefined ? { ttlSecurityHops: o.config.ttlSecurityHops } : {}),
  };
  let s: Socket;
  try {
    if (o.sockopt === undefined || !o.sockopt.ok) throw new Error(o.sockopt?.ok === false ? o.sockopt.reason : 'the socket-options addon was not given');
    if (remote === null) throw new Error(`${o.remoteAddress} is not an IP address`);
    s = securedSocket(o.sockopt.native, remote, sec);
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? e.message : String(e) };
  }
  s.connect({ host: o.remoteAddress, port: o.remotePort, ...local });
  return { ok: true, socket: s };
}

/**
 * Closes a socket we are done with: our listeners go, end() flushes a NOTIFICATION just
 * written before the FIN, and the socket is destroyed if the peer never reads.
 */
export function closeSocket(s: Socket): void {
  s.removeAllListeners('data');
  s.removeAllListeners('drain');
  s.removeAllListeners('close');
  s.on('error', () => undefined);
  s.end();
  const t = setTimeout(() => s.destroy(), CLOSE_LINGER_MS);
  t.unref();
  s.once('close', () => clearTimeout(t));
}

/**
 * Why a connect attempt may have got no answer within ConnectRetryTime, or null when the
 * peer has neither TCP-MD5 nor GTSM: with those the kernel drops what fails the check
 * without a word.
 */
export function connectTimeoutCause(c: PeerSessionConfig): string | null {
  if (c.md5Key === undefined && c.ttlSecurityHops === undefined) return null;
  const causes: string[] = [];
  if (c.md5Key !== undefined) causes.push('TCP-MD5 (RFC 2385) is configured: a peer whose key differs, or that has no key for us, drops our signed SYN without answering');
  if (c.ttlSecurityHops !== undefined) {
    causes.push(`GTSM (RFC 5082) is configured: replies arriving with a TTL below ${gtsmMinTtl(c.ttlSecurityHops)} (a peer more than ${c.ttlSecurityHops} hop(s) away, or one not sending TTL 255) are dropped`);
  }
  return causes.join('; ');
}
