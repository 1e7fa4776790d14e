/**
 * A BGP speaker made of a plain TCP socket, for sending meshrr what no daemon would: bad
 * headers, bad OPENs, malformed UPDATEs, or a flood of UPDATEs. It frames what meshrr sends
 * back (RFC 4271 §4.1) so a test can wait for the next message and read a NOTIFICATION's
 * exact code, subcode and data. Every wait is bounded; nothing sleeps.
 */
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import type { Capability } from '../../src/wire/capabilities.js';
import { HEADER_LENGTH, MSG } from '../../src/wire/iana.js';
import { encodeKeepalive } from '../../src/wire/keepalive.js';
import { encodeOpen, type OpenMessage } from '../../src/wire/open.js';
import { pollUntil } from '../helpers/poll.js';

export interface Received {
  readonly type: number;
  /** The whole message, header included. */
  readonly msg: Buffer;
}

/** IPv4 unicast, IPv6 unicast, route refresh, 4-octet AS 65000: a plain iBGP client. */
export const RAW_CAPS: readonly Capability[] = [
  { kind: 'multiprotocol', afi: 1, safi: 1 },
  { kind: 'multiprotocol', afi: 2, safi: 1 },
  { kind: 'routeRefresh' },
  { kind: 'fourOctetAs', asn: 65000 },
];

/** An OPEN from AS 65000 with hold 90 and `RAW_CAPS`, fields overridable. */
export function rawOpen(bgpId: number, over: Partial<OpenMessage> = {}): Buffer {
  return encodeOpen({
    version: 4,
    myAs: 65000,
    holdTime: 90,
    bgpId,
    params: [{ type: 'capabilities', capabilities: RAW_CAPS }],
    extendedParams: false,
    ...over,
  });
}

export class RawPeer {
  private buf = Buffer.alloc(0);
  private readonly inbox: Received[] = [];
  private ended = false;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buf = Buffer.concat([this.buf, chunk]);
      while (this.buf.length >= HEADER_LENGTH) {
        const len = this.buf.readUInt16BE(16);
        if (len < HEADER_LENGTH || this.buf.length < len) break;
        this.inbox.push({ type: this.buf[18] ?? 0, msg: this.buf.subarray(0, len) });
        this.buf = this.buf.subarray(len);
      }
    });
    socket.on('close', () => {
      this.ended = true;
    });
    socket.on('error', () => undefined);
  }

  static async connect(opts: { host: string; port: number; localAddress: string }): Promise<RawPeer> {
    const s = connect({ host: opts.host, port: opts.port, localAddress: opts.localAddress });
    await once(s, 'connect');
    s.setNoDelay(true);
    return new RawPeer(s);
  }

  /** True once meshrr closed the connection (and it is fully closed here). */
  get closed(): boolean {
    return this.ended;
  }

  send(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** The next message meshrr sent (in order), waiting up to `timeoutMs`. */
  async next(what: string, timeoutMs = 10_000): Promise<Received> {
    return pollUntil(() => this.inbox.shift(), { what: `${what} from meshrr`, timeoutMs, intervalMs: 20 });
  }

  /** Messages received and not yet taken. */
  pending(): readonly Received[] {
    return this.inbox;
  }

  /** Open the session: our OPEN, meshrr's OPEN and KEEPALIVE, our KEEPALIVE. */
  async establish(bgpId: number): Promise<void> {
    this.send(rawOpen(bgpId));
    const open = await this.next('OPEN');
    if (open.type !== MSG.OPEN) throw new Error(`expected OPEN, got type ${open.type}`);
    const ka = await this.next('KEEPALIVE');
    if (ka.type !== MSG.KEEPALIVE) throw new Error(`expected KEEPALIVE, got type ${ka.type}: ${ka.msg.toString('hex')}`);
    this.send(encodeKeepalive());
  }

  /** Wait until meshrr closed the connection. */
  async waitClosed(timeoutMs = 10_000): Promise<void> {
    await pollUntil(() => this.ended, { what: 'meshrr closing the connection', timeoutMs, intervalMs: 20 });
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** The NOTIFICATION fields of a framed message, as hex for exact comparison. */
export function notificationOf(m: Received): { code: number; subcode: number; data: string } {
  if (m.type !== MSG.NOTIFICATION) throw new Error(`expected NOTIFICATION, got type ${m.type}: ${m.msg.toString('hex')}`);
  return { code: m.msg[19] ?? -1, subcode: m.msg[20] ?? -1, data: m.msg.subarray(21).toString('hex') };
}
