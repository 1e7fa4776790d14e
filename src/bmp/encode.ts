/**
 * BMP message encoders (RFC 7854), pure: each returns one whole BMP message (common header
 * included). BGP PDUs inside (OPEN, UPDATE, NOTIFICATION) are passed in already encoded,
 * with their own BGP header, as §4.9/§4.10/§4.6 require.
 *
 * Owns: BMP framing and the per-peer header. Must not: do I/O or read router state.
 */

/** RFC 7854 §4.1: the version this encoder writes. */
export const BMP_VERSION = 3;
const COMMON_HEADER = 6;
const PER_PEER_HEADER = 42;

/** Message types (RFC 7854 §4.1, IANA "BMP Message Types"). */
export const BMP_TYPE = {
  ROUTE_MONITORING: 0,
  STATISTICS_REPORT: 1,
  PEER_DOWN: 2,
  PEER_UP: 3,
  INITIATION: 4,
  TERMINATION: 5,
  ROUTE_MIRRORING: 6,
} as const;

/** Information TLV types of the Initiation message (§4.4). */
export const BMP_INFO = { STRING: 0, SYS_DESCR: 1, SYS_NAME: 2 } as const;

/** Termination TLV types (§4.5) and reasons. */
export const BMP_TERM = { STRING: 0, REASON: 1 } as const;
export const BMP_TERM_REASON = { ADMIN_CLOSE: 0, UNSPECIFIED: 1, OUT_OF_RESOURCES: 2, REDUNDANT: 3, PERMANENTLY_ADMIN_CLOSE: 4 } as const;

/** Peer Down reasons (§4.9). */
export const BMP_DOWN = {
  LOCAL_NOTIFICATION: 1,
  LOCAL_NO_NOTIFICATION: 2,
  REMOTE_NOTIFICATION: 3,
  REMOTE_NO_DATA: 4,
  PEER_DECONFIGURED: 5,
} as const;

/** Per-peer header flags (§4.2). */
export const PEER_FLAG = { IPV6: 0x80, POST_POLICY: 0x40, LEGACY_AS_PATH: 0x20 } as const;

export interface PerPeer {
  /** 0 Global Instance Peer (§4.2). */
  readonly peerType: number;
  /** PEER_FLAG bits; V is set from the address length. */
  readonly flags: number;
  /** 8 octets; zero for a global instance peer. */
  readonly distinguisher?: Buffer;
  /** 4 (IPv4) or 16 (IPv6) octets. */
  readonly address: Buffer;
  readonly peerAs: number;
  readonly peerBgpId: number;
  /** ms since the epoch: when the routes / event were seen. */
  readonly timestampMs: number;
}

function common(type: number, bodyLength: number): Buffer {
  const b = Buffer.allocUnsafe(COMMON_HEADER + bodyLength);
  b[0] = BMP_VERSION;
  b.writeUInt32BE(COMMON_HEADER + bodyLength, 1);
  b[5] = type;
  return b;
}

function writePerPeer(b: Buffer, o: number, p: PerPeer): number {
  if (p.address.length !== 4 && p.address.length !== 16) throw new RangeError(`peer address of ${p.address.length} octets`);
  b[o] = p.peerType;
  b[o + 1] = (p.flags & ~PEER_FLAG.IPV6) | (p.address.length === 16 ? PEER_FLAG.IPV6 : 0);
  (p.distinguisher ?? Buffer.alloc(8)).copy(b, o + 2, 0, 8);
  b.fill(0, o + 10, o + 26);
  // An IPv4 address sits in the last four octets of the 16 (§4.2).
  p.address.copy(b, p.address.length === 4 ? o + 22 : o + 10);
  b.writeUInt32BE(p.peerAs >>> 0, o + 26);
  b.writeUInt32BE(p.peerBgpId >>> 0, o + 30);
  const sec = Math.floor(p.timestampMs / 1000);
  b.writeUInt32BE(sec >>> 0, o + 34);
  b.writeUInt32BE(Math.round((p.timestampMs - sec * 1000) * 1000) >>> 0, o + 38);
  return o + PER_PEER_HEADER;
}

function tlvs(list: readonly { type: number; value: Buffer }[]): Buffer {
  const parts: Buffer[] = [];
  for (const t of list) {
    const h = Buffer.allocUnsafe(4);
    h.writeUInt16BE(t.type, 0);
    h.writeUInt16BE(t.value.length, 2);
    parts.push(h, t.value);
  }
  return Buffer.concat(parts);
}

/** Initiation (§4.3): sysDescr and sysName are mandatory. */
export function encodeInitiation(sysDescr: string, sysName: string, strings: readonly string[] = []): Buffer {
  const body = tlvs([
    { type: BMP_INFO.SYS_DESCR, value: Buffer.from(sysDescr, 'utf8') },
    { type: BMP_INFO.SYS_NAME, value: Buffer.from(sysName, 'utf8') },
    ...strings.map((s) => ({ type: BMP_INFO.STRING, value: Buffer.from(s, 'utf8') })),
  ]);
  const b = common(BMP_TYPE.INITIATION, body.length);
  body.copy(b, COMMON_HEADER);
  return b;
}

/** Termination (§4.5). */
export function encodeTermination(reason: number, text?: string): Buffer {
  const r = Buffer.allocUnsafe(2);
  r.writeUInt16BE(reason, 0);
  const body = tlvs([...(text !== undefined ? [{ type: BMP_TERM.STRING, value: Buffer.from(text, 'utf8') }] : []), { type: BMP_TERM.REASON, value: r }]);
  const b = common(BMP_TYPE.TERMINATION, body.length);
  body.copy(b, COMMON_HEADER);
  return b;
}

/** Route Monitoring (§4.6): the per-peer header and one whole BGP UPDATE. */
export function encodeRouteMonitoring(p: PerPeer, update: Buffer): Buffer {
  const b = common(BMP_TYPE.ROUTE_MONITORING, PER_PEER_HEADER + update.length);
  update.copy(b, writePerPeer(b, COMMON_HEADER, p));
  return b;
}

export interface PeerUpInput {
  /** Local address of the session: 4 or 16 octets (IPv4 is written IPv4-mapped into 16, §4.10). */
  readonly localAddress: Buffer;
  readonly localPort: number;
  readonly remotePort: number;
  /** Whole BGP OPEN messages, header included. */
  readonly sentOpen: Buffer;
  readonly receivedOpen: Buffer;
  readonly info?: readonly string[];
}

/** Peer Up Notification (§4.10). */
export function encodePeerUp(p: PerPeer, u: PeerUpInput): Buffer {
  const info = tlvs((u.info ?? []).map((s) => ({ type: BMP_INFO.STRING, value: Buffer.from(s, 'utf8') })));
  const len = PER_PEER_HEADER + 16 + 2 + 2 + u.sentOpen.length + u.receivedOpen.length + info.length;
  const b = common(BMP_TYPE.PEER_UP, len);
  let o = writePerPeer(b, COMMON_HEADER, p);
  b.fill(0, o, o + 16);
  u.localAddress.copy(b, u.localAddress.length === 4 ? o + 12 : o);
  o += 16;
  o = b.writeUInt16BE(u.localPort, o);
  o = b.writeUInt16BE(u.remotePort, o);
  o += u.sentOpen.copy(b, o);
  o += u.receivedOpen.copy(b, o);
  info.copy(b, o);
  return b;
}

/**
 * Peer Down Notification (§4.9). `data` is a whole BGP NOTIFICATION for reasons 1 and 3,
 * the 2-octet FSM event code for reason 2, and empty otherwise.
 */
export function encodePeerDown(p: PerPeer, reason: number, data: Buffer = Buffer.alloc(0)): Buffer {
  const b = common(BMP_TYPE.PEER_DOWN, PER_PEER_HEADER + 1 + data.length);
  const o = writePerPeer(b, COMMON_HEADER, p);
  b[o] = reason;
  data.copy(b, o + 1);
  return b;
}
