/**
 * Parsers for GoBGP 3 CLI output: `gobgp neighbor ADDR -j` (session state and up time),
 * the text of `gobgp neighbor ADDR` (capabilities: its JSON form carries them as protobuf
 * `Any` blobs, the text says "advertised and received" per capability), and
 * `gobgp global rib -a AFI -j` (paths with attributes by type code). GoBGP's rib JSON has no
 * ADD-PATH path ID, so routes carry none.
 */
import { emptyCapabilities } from './daemon.js';
import { arr, bool, familyOf, isRecord, normalizeAddress, normalizePrefix, num, rec, str } from './json.js';
import type { BgpRoute, Family, NegotiatedCapabilities, Origin } from './types.js';

const STATES = ['Unknown', 'Idle', 'Connect', 'Active', 'OpenSent', 'OpenConfirm', 'Established'] as const;

/** State and up time (seconds) from `gobgp neighbor ADDR -j`. */
export function parseGobgpNeighbor(doc: unknown, nowMs: number): { state: string; upSeconds: number | undefined } {
  const st = rec(doc, 'state');
  const raw = st?.['session_state'];
  let state: string;
  if (typeof raw === 'number') state = STATES[raw] ?? `state ${raw}`;
  else if (typeof raw === 'string') state = STATES.find((s) => s.toUpperCase() === raw.replace(/^BGP_FSM_/, '').toUpperCase()) ?? raw;
  else state = st === undefined ? 'Unknown' : 'Unknown';
  const since = num(rec(rec(rec(doc, 'timers'), 'state'), 'uptime'), 'seconds');
  const upSeconds = state === 'Established' && since !== undefined ? Math.max(0, nowMs / 1000 - since) : undefined;
  return { state, upSeconds };
}

/** Negotiated capabilities from the text of `gobgp neighbor ADDR`. */
export function parseGobgpCapabilities(text: string): NegotiatedCapabilities {
  const caps = emptyCapabilities();
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.trim() === 'Neighbor capabilities:');
  if (start < 0) throw new Error(`gobgp neighbor: no capabilities in output:\n${text.slice(0, 300)}`);
  const status = new Map<string, string>();
  const mp = new Map<string, string>();
  const addPath = { Local: new Map<string, string>(), Remote: new Map<string, string>() };
  let top = '';
  let side: 'Local' | 'Remote' | undefined;
  for (const line of lines.slice(start + 1)) {
    if (/^\s{0,2}\S/.test(line)) break; // "  Message statistics:" ends the block
    const indent = line.length - line.trimStart().length;
    const t = line.trim();
    if (t === '') continue;
    caps.raw.push(t);
    const m = /^([\w-]+):\s*(.*)$/.exec(t);
    if (indent === 4 && m !== null) {
      top = m[1] ?? '';
      status.set(top, (m[2] ?? '').trim());
      side = undefined;
    } else if (top === 'multiprotocol' && m !== null) {
      mp.set(m[1] ?? '', (m[2] ?? '').trim());
    } else if (top === 'add-path' && (t === 'Local:' || t === 'Remote:')) {
      side = t === 'Local:' ? 'Local' : 'Remote';
    } else if (top === 'add-path' && side !== undefined && m !== null) {
      addPath[side].set(m[1] ?? '', (m[2] ?? '').trim());
    }
  }
  const both = (k: string): boolean => status.get(k) === 'advertised and received';
  caps.fourOctetAs = both('4-octet-as');
  caps.routeRefresh = both('route-refresh');
  caps.enhancedRouteRefresh = both('enhanced-route-refresh');
  caps.gracefulRestart = both('graceful-restart');
  caps.extendedMessage = both('extended-message');
  for (const fam of ['ipv4-unicast', 'ipv6-unicast'] as const satisfies readonly Family[]) {
    if (mp.get(fam) === 'advertised and received') caps.families.push(fam);
    const local = addPath.Local.get(fam) ?? '';
    const remote = addPath.Remote.get(fam) ?? '';
    const send = local.includes('send') && remote.includes('receive');
    const receive = local.includes('receive') && remote.includes('send');
    if (both('add-path') && (send || receive)) caps.addPath.push({ family: fam, send, receive });
  }
  const hold = /Hold time is (\d+)/.exec(text)?.[1];
  if (hold !== undefined) caps.holdTime = Number(hold);
  return caps;
}

const ORIGINS: readonly Origin[] = ['igp', 'egp', 'incomplete'];

/** Received paths (those with a `neighbor-ip`) from `gobgp global rib -a AFI -j`. */
export function parseGobgpRib(doc: unknown): BgpRoute[] {
  if (!isRecord(doc)) return [];
  const out: BgpRoute[] = [];
  for (const [key, paths] of Object.entries(doc)) {
    if (!Array.isArray(paths)) continue;
    for (const path of paths) {
      const peer = str(path, 'neighbor-ip');
      if (peer === undefined || peer === '' || peer === '<nil>') continue;
      const prefix = normalizePrefix(str(rec(path, 'nlri'), 'prefix') ?? key);
      const route: BgpRoute = {
        family: familyOf(prefix),
        prefix,
        nextHop: '',
        asPath: [],
        communities: [],
        largeCommunities: [],
        clusterList: [],
        peer: normalizeAddress(peer),
        best: bool(path, 'best') === true,
      };
      for (const attr of arr(path, 'attrs')) applyAttr(route, attr);
      out.push(route);
    }
  }
  return out;
}

/** Prefixes with at least one received path in `gobgp global rib -a AFI -j`. */
export function parseGobgpPrefixes(doc: unknown): string[] {
  if (!isRecord(doc)) return [];
  return Object.entries(doc)
    .filter(([, paths]) => Array.isArray(paths) && paths.some((p) => (str(p, 'neighbor-ip') ?? '') !== ''))
    .map(([p]) => normalizePrefix(p));
}

/** One entry of a GoBGP path's `attrs`, keyed by attribute type code. */
function applyAttr(route: BgpRoute, attr: unknown): void {
  switch (num(attr, 'type')) {
    case 1: {
      const o = ORIGINS[num(attr, 'value') ?? -1];
      if (o !== undefined) route.origin = o;
      break;
    }
    case 2:
      route.asPath = arr(attr, 'as_paths').flatMap((seg) => arr(seg, 'asns').filter((x): x is number => typeof x === 'number'));
      break;
    case 3:
    case 14: {
      const nh = str(attr, 'nexthop');
      if (nh !== undefined) route.nextHop = normalizeAddress(nh);
      break;
    }
    case 4: {
      const med = num(attr, 'metric');
      if (med !== undefined) route.med = med;
      break;
    }
    case 5: {
      const lp = num(attr, 'value');
      if (lp !== undefined) route.localPref = lp;
      break;
    }
    case 8:
      route.communities = arr(attr, 'communities')
        .filter((c): c is number => typeof c === 'number')
        .map((c) => `${Math.floor(c / 65536)}:${c % 65536}`);
      break;
    case 9: {
      const id = str(attr, 'value');
      if (id !== undefined) route.originatorId = id;
      break;
    }
    case 10:
      route.clusterList = arr(attr, 'value').filter((x): x is string => typeof x === 'string');
      break;
    case 32:
      route.largeCommunities = arr(attr, 'value').map((c) => `${num(c, 'ASN') ?? '?'}:${num(c, 'LocalData1') ?? '?'}:${num(c, 'LocalData2') ?? '?'}`);
      break;
    default:
      break;
  }
}
