/**
 * Parsers for FRR 8 vtysh JSON: `show bgp neighbors ADDR json` (state, up time, negotiated
 * capabilities) and the per-prefix `show bgp ipv4|ipv6 unicast PREFIX json` (every path with
 * its attributes). FRR reports ADD-PATH as who advertised TX and RX, so the negotiated
 * direction is computed here: we may send when we advertised TX and the peer RX, and receive
 * when we advertised RX and the peer TX (RFC 7911 §4).
 */
import { emptyCapabilities } from './daemon.js';
import { arr, bool, familyOf, isRecord, normalizeAddress, normalizePrefix, num, rec, str, strings } from './json.js';
import type { BgpRoute, Family, NegotiatedCapabilities, Origin } from './types.js';

export interface FrrNeighborInfo {
  state: string;
  upSeconds: number | undefined;
  capabilities: NegotiatedCapabilities;
}

const AFS: Record<string, Family> = { ipv4Unicast: 'ipv4-unicast', ipv6Unicast: 'ipv6-unicast' };

/** The single neighbour object of `show bgp neighbors ADDR json`. */
export function parseFrrNeighbor(doc: unknown, address: string): FrrNeighborInfo {
  if (!isRecord(doc)) throw new Error('vtysh show bgp neighbors: not an object');
  const key = Object.keys(doc).find((k) => k !== 'vrfId' && k !== 'vrfName');
  const nb = key === undefined ? undefined : rec(doc, key);
  if (nb === undefined) throw new Error(`vtysh show bgp neighbors ${address}: no neighbour in ${JSON.stringify(doc).slice(0, 200)}`);
  const state = str(nb, 'bgpState') ?? 'unknown';
  const upMs = num(nb, 'bgpTimerUpMsec');
  const caps = emptyCapabilities();
  const nc = rec(nb, 'neighborCapabilities') ?? {};
  const both = (k: string): boolean => (str(nc, k) ?? '').startsWith('advertisedAndReceived');
  caps.fourOctetAs = both('4byteAs');
  caps.routeRefresh = both('routeRefresh');
  caps.enhancedRouteRefresh = both('enhancedRouteRefresh');
  caps.gracefulRestart = both('gracefulRestart');
  caps.extendedMessage = both('extendedMessage');
  for (const [k, v] of Object.entries(nc)) if (typeof v === 'string') caps.raw.push(`${k}: ${v}`);
  const mp = rec(nc, 'multiprotocolExtensions') ?? {};
  for (const [af, fam] of Object.entries(AFS)) {
    const m = rec(mp, af);
    if (m !== undefined) caps.raw.push(`multiprotocol ${af}: ${Object.keys(m).join(',')}`);
    if (bool(m, 'advertisedAndReceived') === true) caps.families.push(fam);
  }
  const ap = rec(nc, 'addPath') ?? {};
  for (const [af, fam] of Object.entries(AFS)) {
    const flags = rec(ap, af);
    if (flags === undefined) continue;
    const has = (k: string): boolean => bool(flags, k) === true;
    caps.raw.push(`addPath ${af}: ${Object.keys(flags).join(',')}`);
    const txAdv = has('txAdvertisedAndReceived') || has('txAdvertised');
    const txRcv = has('txAdvertisedAndReceived') || has('txReceived');
    const rxAdv = has('rxAdvertisedAndReceived') || has('rxAdvertised');
    const rxRcv = has('rxAdvertisedAndReceived') || has('rxReceived');
    const send = txAdv && rxRcv;
    const receive = rxAdv && txRcv;
    if (send || receive) caps.addPath.push({ family: fam, send, receive });
  }
  const hold = num(nb, 'bgpTimerHoldTimeMsecs');
  if (hold !== undefined && state === 'Established') caps.holdTime = hold / 1000;
  return { state, upSeconds: state === 'Established' && upMs !== undefined ? upMs / 1000 : undefined, capabilities: caps };
}

const ORIGINS: Record<string, Origin> = { IGP: 'igp', igp: 'igp', EGP: 'egp', egp: 'egp', incomplete: 'incomplete', '?': 'incomplete' };

/** Prefixes in `show bgp ipv4|ipv6 unicast json`; `receivedOnly` skips local-only ones. */
export function parseFrrPrefixes(doc: unknown, receivedOnly = false): string[] {
  const routes = rec(doc, 'routes') ?? {};
  return Object.keys(routes).filter(
    (p) =>
      !receivedOnly ||
      arr(routes, p).some((path) => {
        const peer = str(path, 'peerId');
        return peer !== undefined && peer !== '(unspec)' && peer !== '0.0.0.0';
      }),
  );
}

/** Received (not locally originated) paths in a per-prefix `show bgp ... PREFIX json`. */
export function parseFrrPrefix(doc: unknown): BgpRoute[] {
  const p = str(doc, 'prefix');
  if (p === undefined) return [];
  const prefix = normalizePrefix(p);
  const family = familyOf(prefix);
  const out: BgpRoute[] = [];
  for (const path of arr(doc, 'paths')) {
    const peer = str(rec(path, 'peer'), 'peerId');
    if (bool(path, 'local') === true || bool(path, 'sourced') === true || peer === undefined || peer === '0.0.0.0' || peer === '(unspec)') continue;
    const hops = arr(path, 'nexthops');
    const hop = hops.find((h) => str(h, 'scope') !== 'link-local') ?? hops[0];
    const route: BgpRoute = {
      family,
      prefix,
      nextHop: normalizeAddress(str(hop, 'ip') ?? ''),
      asPath: arr(rec(path, 'aspath'), 'segments').flatMap((s) => arr(s, 'list').filter((x): x is number => typeof x === 'number')),
      communities: strings(rec(path, 'community')?.['list']),
      largeCommunities: strings(rec(path, 'largeCommunity')?.['list']),
      clusterList: strings(rec(path, 'clusterList')?.['list']),
      peer: normalizeAddress(peer),
      best: bool(rec(path, 'bestpath'), 'overall') === true,
    };
    const origin = ORIGINS[str(path, 'origin') ?? ''];
    if (origin !== undefined) route.origin = origin;
    const med = num(path, 'metric');
    if (med !== undefined) route.med = med;
    const lp = num(path, 'locPrf') ?? num(path, 'localpref');
    if (lp !== undefined) route.localPref = lp;
    const originator = str(path, 'originatorId');
    if (originator !== undefined) route.originatorId = originator;
    const pathId = num(path, 'addpathRxId');
    if (pathId !== undefined && pathId !== 0) route.pathId = pathId;
    out.push(route);
  }
  return out;
}
