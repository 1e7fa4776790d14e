/**
 * A "physical router" of the demo: a plain BGP speaker (src/session Speaker, no RIB, no
 * reflection) that connects to the regional reflectors of its region as an iBGP RR client,
 * announces its prefixes once each session is up (then End-of-RIB, RFC 4724 §2), and keeps
 * what it receives per session (an Adj-RIB-In) so the demo can print ORIGINATOR_ID and
 * CLUSTER_LIST as they arrive.
 *
 * Like any RR client it drops a route carrying its own BGP Identifier as ORIGINATOR_ID
 * (RFC 4456 §8); it never re-advertises anything. Best-path marking is only for display:
 * the shorter CLUSTER_LIST, then the lower neighbour address (RFC 4456 §9, RFC 4271 §9.1.2.2 f).
 *
 * Owns: the announcements and the received routes. Must not: reflect routes.
 */
import type { Logger } from 'pino';
import type { PathAttribute } from '../wire/attribute-types.js';
import { findAttribute } from '../wire/attribute-types.js';
import type { CodecCtx } from '../wire/context.js';
import { AFI, FLAG, ORIGIN, SAFI } from '../wire/iana.js';
import { encodePrefixes, ipv4ToString, listPrefixes, nlriBlock, parseIpv4 } from '../wire/nlri.js';
import { encodeUpdate, makeUpdate } from '../wire/update.js';
import type { ReceivedUpdate } from '../session/connection-types.js';
import { DEFAULT_TIMERS, defaultPeerConfig, IPV4_UNICAST, type PeerSessionConfig } from '../session/peer-config.js';
import type { Peer, PeerHooks } from '../session/peer.js';
import { Speaker } from '../session/speaker.js';
import { DEMO_ASN, type Announcement, type ReflectorNode, type RouterNode } from './topology.js';
import { DEMO_TIMERS } from './configs.js';

/** One received path, as the demo prints it. */
export interface RouterPath {
  readonly prefix: string;
  /** Address of the reflector that sent it. */
  readonly from: string;
  readonly nextHop: string;
  readonly originatorId: string | null;
  /** First element: the cluster that reflected it last. */
  readonly clusterList: readonly string[];
  readonly communities: readonly string[];
  readonly localPref: number | null;
  /** The path a router would install (display only). */
  readonly best: boolean;
}

type StoredPath = Omit<RouterPath, 'best'>;

const communityText = (c: number): string => `${c >>> 16}:${c & 0xffff}`;
const communityValue = (text: string): number => {
  const [hi, lo] = text.split(':').map(Number);
  return (((hi ?? 0) << 16) | (lo ?? 0)) >>> 0;
};

export class DemoRouter {
  readonly speaker: Speaker;
  /** Bumped on every change of the received routes (for the heartbeat). */
  version = 0;
  /** Routes dropped because they carried our own ORIGINATOR_ID (RFC 4456 §8). */
  loopsDropped = 0;
  private readonly bgpId: number;
  private readonly adjRibIn = new Map<string, Map<string, StoredPath>>();

  constructor(
    readonly node: RouterNode,
    private readonly opts: { readonly port: number; readonly reflectors: readonly ReflectorNode[]; readonly log: Logger },
  ) {
    this.bgpId = parseIpv4(node.address);
    this.speaker = new Speaker({
      local: { localAs: DEMO_ASN, bgpId: this.bgpId, hostname: node.name, domain: '' },
      listen: [],
      maxDynamicPeers: 0,
      log: opts.log,
      hooks: this.hooks,
    });
  }

  /** Connects to every regional reflector of the region. */
  start(): void {
    const base = defaultPeerConfig({ kind: 'internal' });
    const config: PeerSessionConfig = {
      ...base,
      families: [IPV4_UNICAST],
      timers: { ...DEFAULT_TIMERS, ...DEMO_TIMERS, idleHoldTime: DEMO_TIMERS.connectRetryTime },
    };
    for (const rr of this.opts.reflectors) {
      this.speaker.addNeighbor({ address: rr.address, port: this.opts.port, group: 'regional-rrs', origin: 'static', config, localAddress: this.node.address });
    }
  }

  stop(text: string): Promise<void> {
    return this.speaker.shutdown(text);
  }

  /** Every received path, sorted by prefix then sender, best marked. */
  paths(): RouterPath[] {
    const all: StoredPath[] = [];
    for (const m of this.adjRibIn.values()) all.push(...m.values());
    const better = (a: StoredPath, b: StoredPath): number => a.clusterList.length - b.clusterList.length || compareAddress(a.from, b.from);
    const bestOf = new Map<string, StoredPath>();
    for (const p of all) {
      const cur = bestOf.get(p.prefix);
      if (cur === undefined || better(p, cur) < 0) bestOf.set(p.prefix, p);
    }
    return all
      .map((p) => ({ ...p, best: bestOf.get(p.prefix) === p }))
      .sort((a, b) => compareAddress(a.prefix.split('/')[0] ?? '', b.prefix.split('/')[0] ?? '') || compareAddress(a.from, b.from));
  }

  private readonly hooks: PeerHooks = {
    onEstablished: (peer, negotiated) => {
      // After the hook returns: the FSM finishes its Established transition first.
      setImmediate(() => {
        if (peer.session !== null) this.announce(peer, negotiated.encodeCtx);
      });
    },
    onDown: (peer) => {
      if (this.adjRibIn.delete(peer.name)) this.version++;
    },
    onUpdate: (peer, u) => this.receive(peer, u),
    onRouteRefresh: (peer) => {
      if (peer.negotiated !== null) this.announce(peer, peer.negotiated.encodeCtx);
    },
    onDrain: () => undefined,
    onIdle: () => undefined,
  };

  private announce(peer: Peer, ctx: CodecCtx): void {
    // One UPDATE per attribute set: prefixes with the same next hop and communities share one.
    const sets = new Map<string, Announcement[]>();
    for (const a of this.node.announces) {
      const key = `${a.nextHop} ${a.communities.join(' ')}`;
      sets.set(key, [...(sets.get(key) ?? []), a]);
    }
    for (const list of sets.values()) {
      const first = list[0];
      if (first === undefined) continue;
      const attributes: PathAttribute[] = [
        { kind: 'origin', code: 1, flags: FLAG.TRANSITIVE, value: ORIGIN.IGP },
        { kind: 'asPath', code: 2, flags: FLAG.TRANSITIVE, value: [] },
        { kind: 'nextHop', code: 3, flags: FLAG.TRANSITIVE, value: parseIpv4(first.nextHop) >>> 0 },
        { kind: 'localPref', code: 5, flags: FLAG.TRANSITIVE, value: 100 },
      ];
      if (first.communities.length > 0) {
        attributes.push({ kind: 'communities', code: 8, flags: FLAG.OPTIONAL | FLAG.TRANSITIVE, value: first.communities.map(communityValue) });
      }
      const nlri = nlriBlock(AFI.IPV4, SAFI.UNICAST, false, encodePrefixes(list.map((a) => ({ prefix: a.prefix })), false));
      peer.write(encodeUpdate(makeUpdate({ attributes, nlri }), ctx));
    }
    peer.write(encodeUpdate(makeUpdate({}), ctx)); // End-of-RIB for IPv4 unicast
  }

  private receive(peer: Peer, u: ReceivedUpdate): void {
    let table = this.adjRibIn.get(peer.name);
    if (table === undefined) {
      table = new Map();
      this.adjRibIn.set(peer.name, table);
    }
    for (const w of listPrefixes(u.update.withdrawn)) if (table.delete(w.prefix)) this.version++;
    const announced = listPrefixes(u.update.nlri);
    if (announced.length === 0) return;
    const attrs = u.update.attributes;
    const originator = findAttribute(attrs, 'originatorId')?.value ?? null;
    // RFC 7606 treat-as-withdraw, and RFC 4456 §8: our own route reflected back to us.
    const drop = u.action === 'treatAsWithdraw' || (originator !== null && originator >>> 0 === this.bgpId >>> 0);
    if (drop && u.action !== 'treatAsWithdraw') this.loopsDropped += announced.length;
    for (const a of announced) {
      if (drop) {
        if (table.delete(a.prefix)) this.version++;
        continue;
      }
      table.set(a.prefix, {
        prefix: a.prefix,
        from: peer.name,
        nextHop: ipv4ToString(findAttribute(attrs, 'nextHop')?.value ?? 0),
        originatorId: originator === null ? null : ipv4ToString(originator),
        clusterList: (findAttribute(attrs, 'clusterList')?.value ?? []).map(ipv4ToString),
        communities: (findAttribute(attrs, 'communities')?.value ?? []).map(communityText),
        localPref: findAttribute(attrs, 'localPref')?.value ?? null,
      });
    }
    if (!drop) this.version++;
  }
}

/** Orders dotted quads numerically. */
export function compareAddress(a: string, b: string): number {
  return parseIpv4(a) - parseIpv4(b);
}
