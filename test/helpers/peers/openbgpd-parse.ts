/**
 * Parsers for OpenBGPD 7 `bgpctl -j` output: `show neighbor ADDR` (state, last up/down,
 * and `session.capabilities`, which bgpctl already reduces to the negotiated set, the same
 * list its text form prints under "Negotiated capabilities") and `show rib detail` (paths,
 * with ORIGINATOR_ID and CLUSTER_LIST under `attributes`).
 */
import { emptyCapabilities } from './daemon.js';
import { arr, bool, familyOf, isRecord, normalizeAddress, normalizePrefix, num, rec, str, strings } from './json.js';
import type { BgpRoute, Family, NegotiatedCapabilities, Origin } from './types.js';

const FAMILIES: Record<string, Family> = { 'IPv4 unicast': 'ipv4-unicast', 'IPv6 unicast': 'ipv6-unicast' };

export interface BgpctlNeighborInfo {
  state: string;
  upSeconds: number | undefined;
  capabilities: NegotiatedCapabilities | undefined;
}

export function parseBgpctlNeighbor(doc: unknown, address: string): BgpctlNeighborInfo {
  const nb = arr(doc, 'neighbors').find((n) => {
    const a = str(n, 'remote_addr');
    return a !== undefined && normalizeAddress(a) === normalizeAddress(address);
  });
  if (nb === undefined) throw new Error(`bgpctl show neighbor ${address}: not in output`);
  const state = str(nb, 'state') ?? 'unknown';
  const updown = num(nb, 'last_updown_sec');
  const session = rec(nb, 'session');
  const c = rec(session, 'capabilities');
  let capabilities: NegotiatedCapabilities | undefined;
  if (c !== undefined && state === 'Established') {
    capabilities = emptyCapabilities();
    capabilities.fourOctetAs = bool(c, 'as4byte') === true;
    capabilities.routeRefresh = bool(c, 'refresh') === true;
    capabilities.enhancedRouteRefresh = bool(c, 'enhanced_refresh') === true;
    const gr = c['graceful_restart'];
    capabilities.gracefulRestart = gr !== undefined && gr !== false;
    capabilities.extendedMessage = bool(c, 'ext_msg') === true || bool(c, 'extended_message') === true;
    for (const f of strings(c['multiprotocol'])) {
      const fam = FAMILIES[f];
      if (fam !== undefined) capabilities.families.push(fam);
    }
    for (const ap of arr(c, 'add-path')) {
      const fam = FAMILIES[str(ap, 'family') ?? ''];
      const mode = str(ap, 'mode') ?? '';
      if (fam === undefined) continue;
      // The negotiated mode is from this daemon's view: "send" = it may send several paths.
      capabilities.addPath.push({ family: fam, send: mode === 'bidir' || mode === 'send', receive: mode === 'bidir' || mode === 'recv' });
    }
    const hold = num(session, 'holdtime');
    if (hold !== undefined) capabilities.holdTime = hold;
    capabilities.raw = Object.entries(c).map(([k, v]) => `${k}: ${JSON.stringify(v)}`);
  }
  return { state, upSeconds: state === 'Established' ? updown : undefined, capabilities };
}

const ORIGINS: Record<string, Origin> = { IGP: 'igp', EGP: 'egp', incomplete: 'incomplete' };

/** Received paths of `bgpctl -j show rib detail` (locally announced ones are skipped). */
export function parseBgpctlRib(doc: unknown): BgpRoute[] {
  const out: BgpRoute[] = [];
  for (const e of arr(doc, 'rib')) {
    if (!isRecord(e)) continue;
    const p = str(e, 'prefix');
    const peer = str(rec(e, 'neighbor'), 'remote_addr');
    if (p === undefined || peer === undefined || !/^[0-9a-fA-F:.]+$/.test(peer)) continue;
    const prefix = normalizePrefix(p);
    const route: BgpRoute = {
      family: familyOf(prefix),
      prefix,
      nextHop: normalizeAddress(str(e, 'exit_nexthop') ?? ''),
      asPath: ((str(e, 'aspath') ?? '').match(/\d+/g) ?? []).map(Number),
      communities: strings(e['communities']),
      largeCommunities: strings(e['large_communities']),
      clusterList: [],
      peer: normalizeAddress(peer),
      best: bool(e, 'best') === true,
    };
    const origin = ORIGINS[str(e, 'origin') ?? ''];
    if (origin !== undefined) route.origin = origin;
    const med = num(e, 'metric');
    if (med !== undefined) route.med = med;
    const lp = num(e, 'localpref');
    if (lp !== undefined) route.localPref = lp;
    const pathId = num(e, 'path_id');
    if (pathId !== undefined) route.pathId = pathId;
    for (const a of arr(e, 'attributes')) {
      if (!isRecord(a)) continue;
      const originator = str(a, 'originator');
      if (originator !== undefined) route.originatorId = originator;
      if (Array.isArray(a['cluster_list'])) route.clusterList = strings(a['cluster_list']);
    }
    out.push(route);
  }
  return out;
}
