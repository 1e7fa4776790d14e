/**
 * A minimal BGP speaker for the fan-out bench, built on src/wire: it connects from a given
 * local address, sends OPEN (IPv4 unicast, route refresh, 4-octet AS; no extended messages,
 * so UPDATEs stay within 4096 octets), answers KEEPALIVEs, and hands each UPDATE body to a
 * callback as (buffer, start, end) without decoding it, so receivers can count NLRI in a
 * tight loop. It reconnects after a refused or reset connection until it is Established
 * (as a real speaker's ConnectRetry would), and reports a session lost after that.
 */
import { connect, type Socket } from 'node:net';
import { encodeOpen } from '../src/wire/open.js';
import { encodeKeepalive } from '../src/wire/keepalive.js';
import { checkHeader } from '../src/wire/header.js';
import { decodeMessage } from '../src/wire/message.js';
import { AS4_CTX } from '../src/wire/context.js';
import { AFI, AS_TRANS, HEADER_LENGTH, MAX_MESSAGE_LENGTH, MSG, SAFI } from '../src/wire/iana.js';
import { describeNotification } from '../src/wire/notification-text.js';

export interface ClientOptions {
  readonly local: string;
  readonly remote: string;
  readonly port: number;
  readonly asn: number;
  /** Hold time we offer; the negotiated one is the smaller of both (RFC 4271 §4.2). */
  readonly holdTime: number;
  /** UPDATE body in buf[start, end) (after the 19-octet header). */
  readonly onUpdate: (buf: Buffer, start: number, end: number) => void;
  readonly onEstablished: (c: BgpClient) => void;
  /** The session went down after Established, or could not come up (`error` says why). */
  readonly onLost: (c: BgpClient, error: string) => void;
  /** Stop retrying after this many ms without reaching Established. */
  readonly connectDeadlineMs: number;
}

export type ClientState = 'connecting' | 'openSent' | 'openConfirm' | 'established' | 'closed';

/** IPv4 text to an unsigned 32-bit number. */
export function ipv4Number(text: string): number {
  const p = text.split('.').map(Number);
  return ((((p[0] ?? 0) << 24) | ((p[1] ?? 0) << 16) | ((p[2] ?? 0) << 8) | (p[3] ?? 0)) >>> 0);
}

export class BgpClient {
  state: ClientState = 'connecting';
  /** Connection attempts refused or reset before Established. */
  retries = 0;
  socket: Socket | null = null;
  private rest: Buffer | null = null;
  private keepalive: NodeJS.Timeout | null = null;
  private readonly started = Date.now();
  private retryTimer: NodeJS.Timeout | null = null;
  /** Why the current connection ended, if known before its 'close'. */
  private why: string | null = null;

  constructor(private readonly opts: ClientOptions) {}

  start(): void {
    const s = connect({ host: this.opts.remote, port: this.opts.port, localAddress: this.opts.local, noDelay: true });
    this.socket = s;
    this.state = 'connecting';
    this.rest = null;
    this.why = null;
    s.on('connect', () => {
      s.write(this.openMessage());
      this.state = 'openSent';
    });
    s.on('data', (chunk: Buffer) => this.onData(chunk));
    s.on('error', (e) => {
      this.why ??= e.message;
    });
    s.on('close', () => {
      if (s === this.socket) this.onClose(this.why ?? 'connection closed');
    });
  }

  /** Writes raw bytes (the injector's table). */
  write(b: Buffer, cb?: () => void): boolean {
    return this.socket?.write(b, cb === undefined ? undefined : () => cb()) ?? false;
  }

  stop(): void {
    this.state = 'closed';
    if (this.keepalive !== null) clearInterval(this.keepalive);
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.socket?.destroy();
  }

  private openMessage(): Buffer {
    const asn = this.opts.asn;
    return encodeOpen({
      version: 4,
      myAs: asn > 0xffff ? AS_TRANS : asn,
      holdTime: this.opts.holdTime,
      bgpId: ipv4Number(this.opts.local),
      extendedParams: false,
      params: [
        {
          type: 'capabilities',
          capabilities: [
            { kind: 'multiprotocol', afi: AFI.IPV4, safi: SAFI.UNICAST },
            { kind: 'routeRefresh' },
            { kind: 'fourOctetAs', asn },
          ],
        },
      ],
    });
  }

  private onClose(why: string): void {
    if (this.keepalive !== null) clearInterval(this.keepalive);
    this.keepalive = null;
    const was = this.state;
    if (was === 'closed') return;
    if (was === 'established') {
      this.state = 'closed';
      this.opts.onLost(this, why);
      return;
    }
    if (Date.now() - this.started > this.opts.connectDeadlineMs) {
      this.state = 'closed';
      this.opts.onLost(this, `not Established after ${this.retries} retries: ${why}`);
      return;
    }
    this.retries++;
    this.state = 'connecting';
    this.retryTimer = setTimeout(() => this.start(), 200 + Math.floor(Math.random() * 300));
  }

  private fail(why: string): void {
    this.why ??= why;
    this.socket?.destroy();
  }

  private onData(chunk: Buffer): void {
    const buf = this.rest === null ? chunk : Buffer.concat([this.rest, chunk]);
    let off = 0;
    while (off < buf.length) {
      const h = checkHeader(buf, off, MAX_MESSAGE_LENGTH);
      if (h.kind === 'need') break;
      if (h.kind === 'error') return this.fail(`framing: ${h.error.detail}`);
      const end = off + h.length;
      if (h.type === MSG.UPDATE) {
        if (this.state === 'established') this.opts.onUpdate(buf, off + HEADER_LENGTH, end);
      } else if (h.type === MSG.KEEPALIVE) {
        if (this.state === 'openConfirm') this.established();
      } else {
        this.onControl(buf.subarray(off, end));
        if (this.socket === null || this.socket.destroyed) return;
      }
      off = end;
    }
    this.rest = off < buf.length ? Buffer.from(buf.subarray(off)) : null;
  }

  private onControl(msg: Buffer): void {
    const r = decodeMessage(msg, AS4_CTX);
    if (!r.ok) return this.fail(`bad message: ${r.error.detail}`);
    const m = r.message;
    if (m.type === 'open') {
      this.socket?.write(encodeKeepalive());
      this.state = 'openConfirm';
      const hold = Math.min(this.opts.holdTime, m.open.holdTime);
      if (hold > 0) this.keepalive = setInterval(() => this.socket?.write(encodeKeepalive()), (hold * 1000) / 3);
    } else if (m.type === 'notification') {
      const n = m.notification;
      this.fail(`NOTIFICATION ${describeNotification(n.code, n.subcode, n.data)}`);
    }
  }

  private established(): void {
    this.state = 'established';
    this.opts.onEstablished(this);
  }
}
