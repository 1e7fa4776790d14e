/**
 * JIT warm-up: before the first session comes up, run the import → decision → update-group
 * → packing path once over a small synthetic table, in a throwaway Reflector whose two peers
 * are in-memory ports. V8 interprets a function until it has run enough times to be
 * optimised, so without this the first full table after a start (a pod replaced by
 * Kubernetes, a rolling upgrade, RFC 4724 restarting-speaker mode) runs through unoptimised
 * code exactly when hundreds of clients send their tables at once. FRR and BIRD are compiled
 * ahead of time and have no such start-up cost; this removes ours. It takes about 0.1 s once,
 * allocates a few MB that are freed afterwards, and touches no real session or RIB.
 *
 * Covered: UPDATE decoding as the session does it, IPv4 and IPv6 (MP_REACH) announcements,
 * implicit withdrawals (a second path and a better one), withdrawals, the decision process
 * with one and with several paths, export entries, packing, writes, and dropping a peer.
 */
import { setImmediate as turn } from 'node:timers/promises';
import type { PathAttribute, UpdateMessage } from '../wire/attribute-types.js';
import { AS4_CTX } from '../wire/context.js';
import { ATTR, FLAG, HEADER_LENGTH } from '../wire/iana.js';
import { decodeUpdate, encodeUpdate, makeUpdate } from '../wire/update.js';
import { localPeer } from './local-peer.js';
import { Reflector, type ReflectorPeer } from './reflector.js';

export interface WarmUpReport {
  /** Prefixes announced per peer (IPv4 + IPv6). */
  readonly prefixes: number;
  /** UPDATE messages the receiving port was written. */
  readonly messages: number;
  readonly ms: number;
}

/** IPv4 prefixes per peer: enough runs for V8 to optimise the per-prefix loops. */
const V4_PREFIXES = 24_000;
const V6_PREFIXES = 4_000;
/** Attribute sets: prefixes per UPDATE like a real table (hundreds of sets, runs of prefixes). */
const SETS = 48;
const PER_UPDATE = 500;

function attributes(i: number, peer: number, v6: boolean): PathAttribute[] {
  const asns = [64512 + (i % 7), 65000 + i, 4200000000 + peer];
  const a: PathAttribute[] = [
    { kind: 'origin', code: ATTR.ORIGIN, flags: FLAG.TRANSITIVE, value: i % 3 === 0 ? 2 : 0 },
    { kind: 'asPath', code: ATTR.AS_PATH, flags: FLAG.TRANSITIVE, value: [{ type: 2, asns: asns.slice(0, 1 + (i % 3)) }] },
    { kind: 'localPref', code: ATTR.LOCAL_PREF, flags: FLAG.TRANSITIVE, value: 100 + (i % 4) * 10 },
    { kind: 'med', code: ATTR.MULTI_EXIT_DISC, flags: FLAG.OPTIONAL, value: i * 10 },
    { kind: 'communities', code: ATTR.COMMUNITIES, flags: FLAG.OPTIONAL | FLAG.TRANSITIVE, value: [((64512 << 16) | i) >>> 0, ((64512 << 16) | (100 + peer)) >>> 0] },
  ];
  if (!v6) a.push({ kind: 'nextHop', code: ATTR.NEXT_HOP, flags: FLAG.TRANSITIVE, value: ((198 << 24) | (18 << 16) | (peer << 8) | (1 + (i % 250))) >>> 0 });
  return a;
}

/** NLRI octets of `count` prefixes from `first` on: IPv4 /24s in 10/8, or IPv6 /48s in 2001:db8::/32. */
function nlri(v6: boolean, first: number, count: number): Buffer {
  const step = v6 ? 7 : 4;
  const b = Buffer.alloc(count * step);
  for (let k = 0, p = 0; k < count; k++, p += step) {
    const n = first + k;
    if (v6) {
      b[p] = 48;
      b.writeUInt32BE(0x20010db8, p + 1);
      b.writeUInt16BE(n & 0xffff, p + 5);
    } else {
      b[p] = 24;
      b[p + 1] = 10;
      b[p + 2] = (n >> 8) & 0xff;
      b[p + 3] = n & 0xff;
    }
  }
  return b;
}

/** UPDATE bodies (no header, as the session hands them over) announcing prefixes [from, to). */
function announcements(peer: number, v6: boolean, from: number, to: number, setShift: number): Buffer[] {
  const out: Buffer[] = [];
  for (let first = from, u = 0; first < to; first += PER_UPDATE, u++) {
    const count = Math.min(PER_UPDATE, to - first);
    const i = (u + setShift) % SETS;
    const block = { afi: v6 ? 2 : 1, safi: 1, addPath: false, bytes: nlri(v6, first, count) };
    let m: UpdateMessage;
    if (v6) {
      const nextHop = Buffer.from('20010db8ffff00000000000000000000', 'hex');
      nextHop.writeUInt16BE(peer, 14);
      const mp: PathAttribute = { kind: 'mpReach', code: ATTR.MP_REACH_NLRI, flags: FLAG.OPTIONAL, value: { afi: 2, safi: 1, nextHop, reserved: Buffer.alloc(1), nlri: block } };
      m = makeUpdate({ attributes: [mp, ...attributes(i, peer, true)] });
    } else m = makeUpdate({ attributes: attributes(i, peer, false), nlri: block });
    out.push(encodeUpdate(m, AS4_CTX).subarray(HEADER_LENGTH));
  }
  return out;
}

function withdrawals(from: number, to: number): Buffer[] {
  const out: Buffer[] = [];
  for (let first = from; first < to; first += PER_UPDATE) {
    const bytes = nlri(false, first, Math.min(PER_UPDATE, to - first));
    out.push(encodeUpdate(makeUpdate({ withdrawn: { afi: 1, safi: 1, addPath: false, bytes } }), AS4_CTX).subarray(HEADER_LENGTH));
  }
  return out;
}

function peer(index: number, sink: { messages: number }): ReflectorPeer {
  const port = {
    index,
    writable: true,
    write(): boolean {
      sink.messages++;
      return true;
    },
  };
  return localPeer(index, Buffer.from([198, 18, 255, index]), port, {
    clusterId: 0xc612ff00,
    families: [
      { afi: 1, safi: 1 },
      { afi: 2, safi: 1 },
    ],
    group: 'warm-up',
    peerAs: 64512,
  });
}

/** Feeds UPDATE bodies as the session layer does: decoded one by one, a turn every 64 KiB. */
async function feed(rr: Reflector, index: number, bodies: readonly Buffer[]): Promise<void> {
  let bytes = 0;
  for (const body of bodies) {
    const r = decodeUpdate(body, AS4_CTX);
    if (!r.ok) throw new Error('warm-up: a synthetic UPDATE does not decode');
    rr.onUpdate(index, r.update as UpdateMessage, false);
    bytes += body.length;
    if (bytes >= 65536) {
      bytes = 0;
      await turn();
    }
  }
  await settle(rr);
}

/** Waits until every decision is made and every group has written its log. */
async function settle(rr: Reflector): Promise<void> {
  for (;;) {
    await turn();
    let depth = 0;
    for (const g of rr.groups.values()) depth += g.logDepth.packets;
    if (rr.rib.pendingDecisions === 0 && depth === 0) return;
  }
}

/** Runs the warm-up (see the file comment). */
export async function warmUp(now: () => number = () => performance.now()): Promise<WarmUpReport> {
  const t0 = now();
  const rr = new Reflector({ routerId: 0xc612ff00, localAs: 64512, clusterIds: [0xc612ff00] });
  const sink = { messages: 0 };
  const a = 1;
  const b = 2;
  rr.peerUp(peer(a, sink));
  rr.peerUp(peer(b, sink));
  await settle(rr);
  // Peer a: the table. Peer b: a second path for half of it, then a better one for a quarter
  // (LOCAL_PREF differs by set), then a's withdrawals of an eighth; then a goes down.
  await feed(rr, a, [...announcements(a, false, 0, V4_PREFIXES, 0), ...announcements(a, true, 0, V6_PREFIXES, 0)]);
  await feed(rr, b, announcements(b, false, 0, V4_PREFIXES / 2, 1));
  await feed(rr, b, announcements(b, false, 0, V4_PREFIXES / 4, 3));
  await feed(rr, a, withdrawals(0, V4_PREFIXES / 8));
  rr.peerDown(a, false);
  await settle(rr);
  rr.peerDown(b, false);
  await settle(rr);
  if (rr.rib.sets.size !== 0) throw new Error(`warm-up: ${rr.rib.sets.size} attribute sets left after both peers went down`);
  return { prefixes: V4_PREFIXES + V6_PREFIXES, messages: sink.messages, ms: now() - t0 };
}
