/**
 * TCP-MD5 (RFC 2385) and GTSM (RFC 5082) for the speaker's sockets, through the native addon
 * in native/sockopt.c (Node has no API for TCP_MD5SIG, IP_MINTTL or IP_PKTOPTIONS).
 *
 * Owns: loading the addon (once, lazily; a missing or broken build is a typed "unavailable"
 * with the reason, never a crash), the narrow access to a Node socket's file descriptor,
 * creating a connecting socket whose options are set before the SYN, and the secret type
 * that keeps keys out of logs and rendered config. Must not: decide policy (which peer needs
 * what: the speaker and peer-config do that) or log.
 *
 * Outgoing connections with MD5 or GTSM: the addon creates a non-blocking socket, the key,
 * TTL 255 and the minimum TTL are set on it, Node adopts the descriptor
 * (`new net.Socket({ fd, manualStart: true })`: no read is started on the unconnected
 * socket) and then connects it, so the SYN already carries the signature. Inbound: keys sit
 * on the listening sockets (per address, or per prefix with TCP_MD5SIG_EXT for listen
 * ranges) and the kernel copies them to accepted sockets; GTSM reads the SYN's TTL that the
 * kernel recorded for the accepted socket (IP_RECVTTL on the listener + IP_PKTOPTIONS).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Socket, type Server, type SocketConstructorOpts } from 'node:net';
import { inspect } from 'node:util';

/** The addon's functions (native/sockopt.c). Every failure throws an Error whose `code` is the errno name. */
export interface NativeSockopt {
  family(fd: number): 4 | 6;
  socket(family: 4 | 6): number;
  close(fd: number): void;
  /** prefixLength -1: the exact address; key null: delete. */
  setMd5(fd: number, address: Buffer, prefixLength: number, key: Buffer | null): void;
  setMinTtl(fd: number, minTtl: number): void;
  setTtl(fd: number, ttl: number): void;
  recordSynTtl(fd: number): void;
  synTtl(fd: number): number;
}

export type SockoptLoad = { readonly ok: true; readonly native: NativeSockopt } | { readonly ok: false; readonly reason: string };

const ADDON_PATHS = ['../../build/Release/meshrr_sockopt.node', '../../build/Debug/meshrr_sockopt.node'];

let loaded: SockoptLoad | null = null;

function isNative(x: unknown): x is NativeSockopt {
  if (typeof x !== 'object' || x === null) return false;
  const names = ['family', 'socket', 'close', 'setMd5', 'setMinTtl', 'setTtl', 'recordSynTtl', 'synTtl'];
  return names.every((n) => typeof (x as Record<string, unknown>)[n] === 'function');
}

/**
 * The addon, loaded once from build/Release (node-gyp's output; `npm ci` builds it through
 * the package's install script). MESHRR_SOCKOPT_ADDON names another file (tests use a
 * missing one to check what happens without it).
 */
export function loadSockopt(): SockoptLoad {
  if (loaded !== null) return loaded;
  const req = createRequire(import.meta.url);
  const override = process.env['MESHRR_SOCKOPT_ADDON'];
  const candidates = override !== undefined && override !== '' ? [override] : ADDON_PATHS.map((p) => new URL(p, import.meta.url).pathname);
  const errors: string[] = [];
  for (const file of candidates) {
    try {
      const m: unknown = req(file);
      if (isNative(m)) return (loaded = { ok: true, native: m });
      errors.push(`${file}: not the meshrr_sockopt addon`);
    } catch (e) {
      errors.push(e instanceof Error ? e.message.split('\n')[0] ?? e.message : String(e));
    }
  }
  return (loaded = { ok: false, reason: `the socket-options addon (TCP-MD5, GTSM) did not load: ${errors.join('; ')}; build it with npm run build:native` });
}

/** Forget the cached load result (tests switch MESHRR_SOCKOPT_ADDON). */
export function resetSockoptForTests(): void {
  loaded = null;
}

// ===== file descriptors =====

interface HandleWithFd {
  readonly fd: number;
}

function hasFd(h: unknown): h is HandleWithFd {
  return typeof h === 'object' && h !== null && typeof (h as { fd?: unknown }).fd === 'number';
}

/**
 * The descriptor behind a Node socket or server (`_handle.fd`, libuv's); null before the
 * handle exists or once it is closed.
 */
export function socketFd(s: Socket | Server): number | null {
  const h: unknown = (s as unknown as { _handle?: unknown })._handle;
  if (!hasFd(h) || h.fd < 0) return null;
  return h.fd;
}

// ===== secrets =====

/**
 * A TCP-MD5 key. The bytes are reachable only through `bytes()`: JSON, util.inspect, string
 * conversion and pino all see `[redacted]`, so a key never reaches a log line or the rendered
 * config, whatever object it ends up in.
 */
export class Md5Key {
  readonly #bytes: Buffer;
  /** Where the key came from (file path or environment variable name), safe to print. */
  readonly source: string;

  constructor(bytes: Buffer, source: string) {
    if (bytes.length === 0 || bytes.length > 80) throw new RangeError(`TCP-MD5 key from ${source} must be 1 to 80 octets (TCP_MD5SIG_MAXKEYLEN), got ${bytes.length}`);
    this.#bytes = Buffer.from(bytes);
    this.source = source;
  }

  bytes(): Buffer {
    return this.#bytes;
  }

  /** Same key bytes (reload decides whether a listener key must be replaced). */
  equals(o: Md5Key | null | undefined): boolean {
    return o != null && o.#bytes.equals(this.#bytes);
  }

  toJSON(): string {
    return '[redacted]';
  }

  toString(): string {
    return '[redacted]';
  }

  [inspect.custom](): string {
    return `Md5Key([redacted] from ${this.source})`;
  }
}

/**
 * Reads a key from a file (a Kubernetes Secret mounted as a file): the file's bytes with one
 * trailing newline removed. Throws with the path, never the content.
 */
export function readMd5KeyFile(path: string): Md5Key {
  let b: Buffer;
  try {
    b = readFileSync(path);
  } catch (e) {
    const code = (e as { code?: unknown } | null)?.code;
    throw new Error(`cannot read TCP-MD5 key file ${path}: ${typeof code === 'string' ? code : String(e)}`, { cause: e });
  }
  const end = b.length > 0 && b[b.length - 1] === 0x0a ? (b.length > 1 && b[b.length - 2] === 0x0d ? b.length - 2 : b.length - 1) : b.length;
  return new Md5Key(b.subarray(0, end), `file ${path}`);
}

/** Reads a key from an environment variable (a Secret exposed with `secretKeyRef`). */
export function readMd5KeyEnv(name: string, env: NodeJS.ProcessEnv = process.env): Md5Key {
  const v = env[name];
  if (v === undefined || v === '') throw new Error(`TCP-MD5 key environment variable ${name} is not set`);
  return new Md5Key(Buffer.from(v, 'utf8'), `environment variable ${name}`);
}

// ===== connecting sockets =====

/** What an outgoing socket needs before its SYN. */
export interface ConnectSecurity {
  readonly md5Key?: Md5Key;
  /** RFC 5082: send with TTL 255 and drop what arrives with a TTL below 256 - hops. */
  readonly ttlSecurityHops?: number;
}

/** The minimum TTL for GTSM with the peer `hops` hops away (RFC 5082 §3: 255 - (hops - 1)). */
export function gtsmMinTtl(hops: number): number {
  return 256 - hops;
}

/**
 * A socket for `remote` (4 or 16 octets) with the key and GTSM options set, not yet
 * connected: call `connect` on it. Throws (and closes the descriptor) when an option
 * cannot be set.
 */
export function securedSocket(native: NativeSockopt, remote: Buffer, sec: ConnectSecurity): Socket {
  const fd = native.socket(remote.length === 16 ? 6 : 4);
  try {
    if (sec.md5Key !== undefined) native.setMd5(fd, remote, -1, sec.md5Key.bytes());
    if (sec.ttlSecurityHops !== undefined) {
      native.setTtl(fd, 255);
      native.setMinTtl(fd, gtsmMinTtl(sec.ttlSecurityHops));
    }
    // manualStart: Node must not start reading before connect (an unconnected TCP socket polls as hung up).
    const opts: SocketConstructorOpts & { manualStart: boolean } = { fd, readable: true, writable: true, manualStart: true };
    return new Socket(opts);
  } catch (e) {
    try {
      native.close(fd);
    } catch {
      // already adopted by Node, or closed: nothing left to release
    }
    throw e;
  }
}

// ===== kernel counters =====

/** TCP-MD5 counters of the current network namespace (/proc/net/netstat, TcpExt). */
export interface Md5Counters {
  /** Segments whose signature did not match the key (wrong key). */
  readonly failure: number;
  /** Segments without a signature where a key is configured. */
  readonly notFound: number;
  /** Segments with a signature where no key is configured. */
  readonly unexpected: number;
}

/** The kernel's MD5 drop counters, or null when /proc does not have them. */
export function readMd5Counters(file = '/proc/net/netstat'): Md5Counters | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  const lines = text.split('\n').filter((l) => l.startsWith('TcpExt:'));
  const names = lines[0]?.split(/\s+/) ?? [];
  const values = lines[1]?.split(/\s+/) ?? [];
  const get = (n: string): number | null => {
    const i = names.indexOf(n);
    const v = i < 0 ? undefined : values[i];
    return v === undefined ? null : Number(v);
  };
  const failure = get('TCPMD5Failure');
  const notFound = get('TCPMD5NotFound');
  const unexpected = get('TCPMD5Unexpected');
  if (failure === null || notFound === null || unexpected === null) return null;
  return { failure, notFound, unexpected };
}
