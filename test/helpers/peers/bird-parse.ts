/**
 * Parsers for BIRD 2 `birdc` text output: `show protocols all NAME` (BGP state, since, local
 * and neighbour capabilities, hold timer) and `show route all` (routes with their BGP.*
 * attributes). Negotiated capabilities are what both the "Local capabilities" and the
 * "Neighbor capabilities" blocks list. Pure functions over text, tested through the smoke test.
 */
import { emptyCapabilities } from './daemon.js';
import { familyOf, normalizeAddress, normalizePrefix } from './json.js';
import type { BgpRoute, Family, NegotiatedCapabilities, Origin } from './types.js';

export interface BirdProtocolInfo {
  /** `BGP state:` (Idle ... Established), else the protocol state column (`down`, `start`). */
  state: string;
  /** The `Since` column as a Date (the config sets `timeformat protocol iso long ms`). */
  since: Date | undefined;
  capabilities: NegotiatedCapabilities | undefined;
}

interface CapBlock {
  items: Set<string>;
  families: Set<string>;
  rx: Set<string>;
  tx: Set<string>;
}

const AF: Record<string, Family> = { ipv4: 'ipv4-unicast', ipv6: 'ipv6-unicast' };

export function parseBirdProtocol(text: string, name: string): BirdProtocolInfo {
  const lines = text.split('\n');
  const header = lines.find((l) => l.startsWith(`${name} `));
  if (header === undefined) throw new Error(`birdc: protocol ${name} not in output:\n${text.slice(0, 500)}`);
  // Name Proto Table State Since(date time) Info
  const cols = header.trim().split(/\s+/);
  const since = cols[4] !== undefined && cols[5] !== undefined ? new Date(`${cols[4]}T${cols[5]}`) : undefined;
  const bgpState = /^\s+BGP state:\s+(\S+)/m.exec(text)?.[1];
  const blocks: Record<'local' | 'neighbor', CapBlock | undefined> = { local: undefined, neighbor: undefined };
  let cur: CapBlock | undefined;
  let curIndent = 0;
  let sub = '';
  const raw: string[] = [];
  for (const line of lines) {
    const indent = line.length - line.trimStart().length;
    const t = line.trim();
    if (t === 'Local capabilities' || t === 'Neighbor capabilities') {
      cur = { items: new Set(), families: new Set(), rx: new Set(), tx: new Set() };
      blocks[t === 'Local capabilities' ? 'local' : 'neighbor'] = cur;
      curIndent = indent;
      continue;
    }
    if (cur === undefined) continue;
    if (indent <= curIndent || t === '') {
      cur = undefined;
      continue;
    }
    raw.push(`${cur === blocks.local ? 'local' : 'neighbor'}: ${t}`);
    if (indent === curIndent + 2) {
      sub = t;
      cur.items.add(t);
    } else if (sub === 'Multiprotocol' && t.startsWith('AF announced:')) {
      for (const af of t.slice('AF announced:'.length).trim().split(/\s+/)) cur.families.add(af);
    } else if (sub === 'ADD-PATH' && /^(RX|TX):/.test(t)) {
      const set = t.startsWith('RX') ? cur.rx : cur.tx;
      for (const af of t.slice(3).trim().split(/\s+/).filter((x) => x !== '')) set.add(af);
    }
  }
  let capabilities: NegotiatedCapabilities | undefined;
  const { local, neighbor } = blocks;
  if (local !== undefined && neighbor !== undefined) {
    const both = (item: string): boolean => local.items.has(item) && neighbor.items.has(item);
    capabilities = emptyCapabilities();
    capabilities.fourOctetAs = both('4-octet AS numbers');
    capabilities.routeRefresh = both('Route refresh');
    capabilities.enhancedRouteRefresh = both('Enhanced refresh');
    capabilities.gracefulRestart = both('Graceful restart');
    capabilities.extendedMessage = both('Extended message');
    for (const [af, fam] of Object.entries(AF)) {
      if (!local.families.has(af) || !neighbor.families.has(af)) continue;
      capabilities.families.push(fam);
      const send = local.tx.has(af) && neighbor.rx.has(af);
      const receive = local.rx.has(af) && neighbor.tx.has(af);
      if (send || receive) capabilities.addPath.push({ family: fam, send, receive });
    }
    const hold = /^\s+Hold timer:\s+[\d.]+\/(\d+)/m.exec(text)?.[1];
    if (hold !== undefined) capabilities.holdTime = Number(hold);
    capabilities.raw = raw;
  }
  return { state: bgpState ?? cols[3] ?? 'unknown', since, capabilities };
}

/** Prefixes of `birdc show route table T where source = RTS_BGP` (no `all`). */
export function parseBirdPrefixes(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || /^\s/.test(line) || line.startsWith('Table ') || line.startsWith('BIRD ')) continue;
    const p = line.split(/\s/)[0] ?? '';
    if (p.includes('/')) out.push(normalizePrefix(p));
  }
  return out;
}

const ORIGINS: Record<string, Origin> = { IGP: 'igp', EGP: 'egp', Incomplete: 'incomplete' };

/**
 * Parse `birdc show route all [table ...]`. `protocolPeer` maps a BGP protocol name to its
 * neighbour address; routes of other protocols (statics) are skipped.
 */
export function parseBirdRoutes(text: string, protocolPeer: (proto: string) => string | undefined): BgpRoute[] {
  const routes: BgpRoute[] = [];
  let prefix = '';
  let cur: BgpRoute | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('Table ') || line.startsWith('BIRD ') || line.trim() === '') continue;
    if (!line.startsWith('\t')) {
      // A route line; a blank prefix column means "another route for the same prefix".
      const m = /^(\S*)\s+\S+\s+\[(\S+)\s([^\]]*)\](\s+\*)?/.exec(line);
      cur = undefined;
      if (m === null) continue;
      if (m[1] !== undefined && m[1] !== '') prefix = normalizePrefix(m[1]);
      const peer = protocolPeer(m[2] ?? '');
      if (peer === undefined || prefix === '') continue;
      const from = /from (\S+)/.exec(m[3] ?? '')?.[1];
      cur = {
        family: familyOf(prefix),
        prefix,
        nextHop: '',
        asPath: [],
        communities: [],
        largeCommunities: [],
        clusterList: [],
        peer: normalizeAddress(from ?? peer),
        best: m[4] !== undefined,
      };
      routes.push(cur);
      continue;
    }
    if (cur === undefined) continue;
    const a = /^\tBGP\.(\w+):\s*(.*)$/.exec(line);
    if (a === null) continue;
    const [, key, value = ''] = a;
    switch (key) {
      case 'origin': {
        const o = ORIGINS[value.trim()];
        if (o !== undefined) cur.origin = o;
        break;
      }
      case 'as_path':
        cur.asPath = (value.match(/\d+/g) ?? []).map(Number);
        break;
      case 'next_hop':
        cur.nextHop = normalizeAddress(value.trim().split(/\s+/)[0] ?? '');
        break;
      case 'med':
        cur.med = Number(value);
        break;
      case 'local_pref':
        cur.localPref = Number(value);
        break;
      case 'community':
        cur.communities = [...value.matchAll(/\((\d+),\s*(\d+)\)/g)].map((x) => `${x[1]}:${x[2]}`);
        break;
      case 'large_community':
        cur.largeCommunities = [...value.matchAll(/\((\d+),\s*(\d+),\s*(\d+)\)/g)].map((x) => `${x[1]}:${x[2]}:${x[3]}`);
        break;
      case 'originator_id':
        cur.originatorId = value.trim();
        break;
      case 'cluster_list':
        cur.clusterList = value.trim().split(/\s+/).filter((x) => x !== '');
        break;
      default:
        break;
    }
  }
  return routes;
}
