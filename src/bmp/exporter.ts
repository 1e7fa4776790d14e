/**
 * BMP exporter (RFC 7854): meshrr as a monitored router, streaming to one collector over
 * TCP. On every (re)connect it sends:
 * 1. Initiation (sysDescr, sysName; §4.3);
 * 2. Peer Up for every Established peer (§4.10), then its Adj-RIB-In (pre-policy) as Route
 *    Monitoring messages from the RIB, and an End-of-RIB per family (§5: the initial dump);
 * then follows the sessions: Peer Up, every received UPDATE as Route Monitoring (re-encoded
 * in the peer's own codec context, so AS_PATH width and path IDs are as on the wire), and
 * Peer Down with the NOTIFICATION that ended the session (§4.9). Stop sends Termination.
 *
 * Choices (documented in docs/operations.md):
 * - Adj-RIB-In pre-policy is what the RIB holds for the peer: RFC 4456 §8 loop drops and
 *   RFC 7606 treat-as-withdraw have removed routes already; the live stream is every UPDATE.
 * - The OPENs in Peer Up are rebuilt from the session state: our OPEN as buildOpen() makes
 *   it, the peer's from the capabilities it sent (hold time: the negotiated one). Ports are
 *   not known to the session layer and are sent as 0.
 * - A collector that cannot keep up (more than `highWaterBytes` queued) is disconnected and
 *   gets a full resync on reconnect: the router never buffers without bound for it.
 *
 * Owns: the collector connection and BMP sequencing. Must not: change router state.
 */
import { connect, type Socket } from 'node:net';
import type { Logger } from 'pino';
import type { RouteReflector } from '../rr/route-reflector.js';
import type { RouterEvent } from '../rr/observe.js';
import type { Peer } from '../session/peer.js';
import type { Negotiated } from '../session/negotiated.js';
import { buildOpen } from '../session/open-build.js';
import { addressOctets } from '../session/cidr.js';
import type { SessionDown } from '../session/fsm.js';
import { AS_TRANS } from '../wire/iana.js';
import { encodeOpen } from '../wire/open.js';
import { encodeUpdate, makeUpdate } from '../wire/update.js';
import { encodeNotification } from '../wire/notification.js';
import { hasAddPath } from '../wire/context.js';
import type { PathAttribute } from '../wire/attribute-types.js';
import { FLAG } from '../wire/iana.js';
import {
  BMP_DOWN,
  BMP_TERM_REASON,
  encodeInitiation,
  encodePeerDown,
  encodePeerUp,
  encodeRouteMonitoring,
  encodeTermination,
  PEER_FLAG,
  type PerPeer,
} from './encode.js';

export interface BmpExporterOptions {
  readonly rr: RouteReflector;
  readonly host: string;
  readonly port: number;
  readonly log: Logger;
  readonly sysName: string;
  readonly sysDescr: string;
  /** Reconnect back-off bounds in ms (default 1 s doubling to 30 s). */
  readonly reconnectMinMs?: number;
  readonly reconnectMaxMs?: number;
  /** Bytes queued for the collector above which it is dropped and resynced later (default 32 MiB). */
  readonly highWaterBytes?: number;
}

interface Monitored {
  readonly header: Omit<PerPeer, 'timestampMs'>;
  readonly negotiated: Negotiated;
}

/** RFC 4271 §8.1 event numbers for a local close without NOTIFICATION (Peer Down reason 2). */
const FSM_EVENT: Readonly<Record<string, number>> = { manualStop: 2, automaticStop: 8, holdTimerExpired: 10, connectionCollision: 23 };
/** Prefixes per event-loop turn in the initial dump. */
const DUMP_CHUNK = 2000;

export class BmpExporter {
  private socket: Socket | null = null;
  private connected = false;
  private stopped = false;
  private retryMs: number;
  private retryTimer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  private readonly monitored = new Map<string, Monitored>();
  /** Bumped on every connection: an initial dump of an older connection stops. */
  private generation = 0;
  /** Counters for status and tests. */
  readonly stats = { connects: 0, messages: 0, bytes: 0, drops: 0 };

  constructor(private readonly opts: BmpExporterOptions) {
    this.retryMs = opts.reconnectMinMs ?? 1000;
  }

  start(): void {
    this.stopped = false;
    this.unsubscribe = this.opts.rr.observers.on((e) => this.onEvent(e));
    this.connect();
  }

  /** Sends Termination (administratively closed) and closes the connection. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    const s = this.socket;
    this.socket = null;
    if (s === null) return;
    if (this.connected) {
      this.connected = false;
      await new Promise<void>((resolve) => {
        s.once('close', () => resolve());
        s.end(encodeTermination(BMP_TERM_REASON.ADMIN_CLOSE, 'meshrr stopping'));
        setTimeout(() => s.destroy(), 2000).unref();
      });
    } else s.destroy();
  }

  get isConnected(): boolean {
    return this.connected;
  }

  private connect(): void {
    if (this.stopped) return;
    const s = connect({ host: this.opts.host, port: this.opts.port, noDelay: true });
    this.socket = s;
    s.on('connect', () => {
      this.connected = true;
      this.stats.connects++;
      this.retryMs = this.opts.reconnectMinMs ?? 1000;
      this.opts.log.info({ collector: `${this.opts.host}:${this.opts.port}` }, 'bmpCollectorConnected');
      this.sync(++this.generation);
    });
    s.on('data', () => undefined); // a collector sends nothing (§3.2); ignore what it does
    s.on('error', (err) => this.opts.log.warn({ collector: `${this.opts.host}:${this.opts.port}`, err: err.message }, 'bmpCollectorError'));
    s.on('close', () => {
      const was = this.connected;
      this.connected = false;
      if (this.socket === s) this.socket = null;
      if (was) this.opts.log.info({ collector: `${this.opts.host}:${this.opts.port}` }, 'bmpCollectorDisconnected');
      if (!this.stopped) {
        this.retryTimer = setTimeout(() => this.connect(), this.retryMs);
        this.retryMs = Math.min(this.retryMs * 2, this.opts.reconnectMaxMs ?? 30_000);
      }
    });
  }

  private send(b: Buffer): void {
    const s = this.socket;
    if (s === null || !this.connected) return;
    this.stats.messages++;
    this.stats.bytes += b.length;
    s.write(b);
    if (s.writableLength > (this.opts.highWaterBytes ?? 32 << 20)) {
      this.stats.drops++;
      this.opts.log.warn({ collector: `${this.opts.host}:${this.opts.port}`, queued: s.writableLength }, 'bmpCollectorTooSlow');
      s.destroy();
    }
  }

  private perPeer(m: Monitored): PerPeer {
    return { ...m.header, timestampMs: Date.now() };
  }

  /** Starts monitoring a peer whose session is Established: its header and a Peer Up. */
  private peerUp(peer: Peer, neg: Negotiated): Monitored | null {
    const address = addressOctets(peer.remoteAddress);
    if (address === null) return null;
    const m: Monitored = {
      header: { peerType: 0, flags: neg.as4 ? 0 : PEER_FLAG.LEGACY_AS_PATH, address, peerAs: neg.peerAs, peerBgpId: neg.peerBgpId },
      negotiated: neg,
    };
    this.monitored.set(peer.name, m);
    const local = this.opts.rr.speaker.local;
    const sent = encodeOpen(buildOpen(local, peer.config));
    const received = encodeOpen({
      version: 4,
      myAs: neg.peerAs > 0xffff ? AS_TRANS : neg.peerAs,
      holdTime: neg.holdTime,
      bgpId: neg.peerBgpId,
      params: neg.peerCapabilities.length === 0 ? [] : [{ type: 'capabilities', capabilities: neg.peerCapabilities }],
      extendedParams: false,
    });
    const localAddress = addressOctets(peer.session?.localSocketAddress ?? '') ?? Buffer.alloc(address.length);
    // No Information TLVs: optional (§4.10), and Wireshark 4.0 reads bytes after the OPENs as BGP.
    this.send(encodePeerUp(this.perPeer(m), { localAddress, localPort: 0, remotePort: 0, sentOpen: sent, receivedOpen: received }));
    return m;
  }

  private peerDown(peer: Peer, down: SessionDown): void {
    const m = this.monitored.get(peer.name);
    if (m === undefined) return;
    this.monitored.delete(peer.name);
    let msg: Buffer;
    if (down.notificationSent !== null) msg = encodePeerDown(this.perPeer(m), BMP_DOWN.LOCAL_NOTIFICATION, encodeNotification(down.notificationSent));
    else if (down.notificationReceived !== null) msg = encodePeerDown(this.perPeer(m), BMP_DOWN.REMOTE_NOTIFICATION, encodeNotification(down.notificationReceived));
    else if (down.reason === 'tcpConnectionFails') msg = encodePeerDown(this.perPeer(m), BMP_DOWN.REMOTE_NO_DATA);
    else {
      const ev = Buffer.alloc(2);
      ev.writeUInt16BE(FSM_EVENT[down.reason] ?? 0, 0);
      msg = encodePeerDown(this.perPeer(m), BMP_DOWN.LOCAL_NO_NOTIFICATION, ev);
    }
    this.send(msg);
  }

  private onEvent(e: RouterEvent): void {
    if (!this.connected) return;
    switch (e.type) {
      case 'peerUp':
        this.peerUp(e.peer, e.negotiated);
        return;
      case 'peerDown':
        this.peerDown(e.peer, e.down);
        return;
      case 'update': {
        const m = this.monitored.get(e.peer.name);
        if (m === undefined) return;
        this.send(encodeRouteMonitoring(this.perPeer(m), encodeUpdate(e.update.update, m.negotiated.decodeCtx)));
        return;
      }
    }
  }

  /** The initial dump after a connect (§5), in chunks so sessions keep their timers. */
  private sync(gen: number): void {
    const rr = this.opts.rr;
    this.monitored.clear();
    this.send(encodeInitiation(this.opts.sysDescr, this.opts.sysName));
    const byIndex = new Map<number, Monitored>();
    for (const peer of rr.speaker.allPeers()) {
      const neg = peer.negotiated;
      if (peer.state !== 'Established' || neg === null) continue;
      const m = this.peerUp(peer, neg);
      const index = rr.peerIndexOf(peer.name);
      if (m !== null && index !== undefined) byIndex.set(index, m);
    }
    const families = [...rr.reflector.rib.families.values()].filter((f) => f.safi === 1 && (f.afi === 1 || f.afi === 2));
    let fi = 0;
    let next = 0;
    const step = (): void => {
      if (gen !== this.generation || !this.connected) return;
      let budget = DUMP_CHUNK;
      while (fi < families.length && budget > 0) {
        const f = families[fi] as (typeof families)[number];
        const limit = f.table.idLimit;
        for (; next < limit && budget > 0; next++) {
          if (!f.table.has(next)) continue;
          const ranked = f.rank(next);
          if (ranked.length === 0) continue;
          budget--;
          const nlri = Buffer.alloc(f.table.nlriLength(next));
          f.table.writeNlri(next, nlri, 0);
          for (const p of ranked) {
            const m = byIndex.get(p.peer);
            // Only peers still monitored: a peer that went down meanwhile had its Peer Down.
            if (m === undefined || this.monitored.get(rr.peerNameOf(p.peer) ?? '') !== m) continue;
            this.send(encodeRouteMonitoring(this.perPeer(m), routeUpdate(f.afi, p.set.attributes, p.set.nextHop, nlri, p.pathId, m.negotiated)));
          }
        }
        if (next >= limit) {
          fi++;
          next = 0;
        }
      }
      if (fi < families.length) {
        setImmediate(step);
        return;
      }
      // End-of-RIB per family and peer (RFC 4724 §2): the initial dump of that Adj-RIB-In is complete.
      for (const m of byIndex.values()) {
        for (const fam of m.negotiated.families) {
          if (fam.safi !== 1 || (fam.afi !== 1 && fam.afi !== 2)) continue;
          const eor =
            fam.afi === 1
              ? makeUpdate({})
              : makeUpdate({ attributes: [{ kind: 'mpUnreach', code: 15, flags: FLAG.OPTIONAL, value: { afi: 2, safi: 1, withdrawn: { afi: 2, safi: 1, addPath: false, bytes: Buffer.alloc(0) } } }] });
          this.send(encodeRouteMonitoring(this.perPeer(m), encodeUpdate(eor, m.negotiated.decodeCtx)));
        }
      }
    };
    step();
  }
}

/** An UPDATE announcing one RIB path as the peer would have sent it. */
function routeUpdate(afi: number, attrs: readonly PathAttribute[], nextHop: Buffer, nlri: Buffer, pathId: number, neg: Negotiated): Buffer {
  const ctx = neg.decodeCtx;
  const addPath = hasAddPath(ctx, afi, 1);
  let bytes = nlri;
  if (addPath) {
    bytes = Buffer.alloc(4 + nlri.length);
    bytes.writeUInt32BE(pathId >>> 0, 0);
    nlri.copy(bytes, 4);
  }
  if (afi === 1) return encodeUpdate(makeUpdate({ attributes: attrs, nlri: { afi: 1, safi: 1, addPath, bytes } }), ctx);
  const mp: PathAttribute = {
    kind: 'mpReach',
    code: 14,
    flags: FLAG.OPTIONAL,
    value: { afi: 2, safi: 1, nextHop, reserved: Buffer.from([0]), nlri: { afi: 2, safi: 1, addPath, bytes } },
  };
  return encodeUpdate(makeUpdate({ attributes: [mp, ...attrs] }), ctx);
}
