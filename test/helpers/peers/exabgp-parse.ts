/**
 * Parsers for the JSON events ExaBGP 4.2 writes to its `dump` API process (one object per
 * line): neighbour state changes, OPENs sent and received, parsed UPDATEs. The session state,
 * the negotiated capabilities (the intersection of the last OPEN sent and the last OPEN
 * received on the current connection) and the Adj-RIB-In (announces and withdraws replayed in
 * order, cleared when the session goes down) are all derived from that stream.
 */
import { emptyCapabilities } from './daemon.js';
import type { JsonRecord } from './json.js';
import { arr, familyOf, isRecord, normalizeAddress, normalizePrefix, num, rec, str } from './json.js';
import type { BgpRoute, Family, NegotiatedCapabilities, Origin } from './types.js';

/** Parse the dump file: one JSON object per line, other lines skipped. */
export function parseExabgpDump(text: string): JsonRecord[] {
  const out: JsonRecord[] = [];
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (!t.startsWith('{')) continue;
    try {
      const v: unknown = JSON.parse(t);
      if (isRecord(v)) out.push(v);
    } catch {
      // a line cut mid-write: the next read sees it whole
    }
  }
  return out;
}

/** The neighbour address (`neighbor.address.peer`) of an event. */
export function eventPeer(msg: unknown): string | undefined {
  const p = str(rec(rec(msg, 'neighbor'), 'address'), 'peer');
  return p === undefined ? undefined : normalizeAddress(p);
}

/** Events about one neighbour since its last TCP connect ("connected" state). */
function currentSession(msgs: readonly JsonRecord[], peer: string): JsonRecord[] {
  const mine = msgs.filter((m) => eventPeer(m) === normalizeAddress(peer));
  let start = 0;
  mine.forEach((m, i) => {
    if (str(m, 'type') === 'state' && str(rec(m, 'neighbor'), 'state') === 'connected') start = i;
  });
  return mine.slice(start);
}

/** Last state event for `peer`: `up` -> Established, else ExaBGP's word; Idle when none. */
export function exabgpState(msgs: readonly JsonRecord[], peer: string): { state: string; since: number | undefined } {
  const states = msgs.filter((m) => str(m, 'type') === 'state' && eventPeer(m) === normalizeAddress(peer));
  const last = states[states.length - 1];
  if (last === undefined) return { state: 'Idle', since: undefined };
  const s = str(rec(last, 'neighbor'), 'state') ?? 'unknown';
  return { state: s === 'up' ? 'Established' : s, since: num(last, 'time') };
}

interface OpenCaps {
  names: Set<string>;
  families: Set<string>;
  addPath: Map<string, string>;
  hold: number | undefined;
}

function openCaps(m: JsonRecord): OpenCaps {
  const open = rec(rec(m, 'neighbor'), 'open');
  const caps: OpenCaps = { names: new Set(), families: new Set(), addPath: new Map(), hold: num(open, 'hold_time') };
  for (const c of Object.values(rec(open, 'capabilities') ?? {})) {
    const name = str(c, 'name');
    if (name === undefined || !isRecord(c)) continue;
    caps.names.add(name);
    if (name === 'multiprotocol') for (const f of arr(c, 'families')) if (typeof f === 'string') caps.families.add(f);
    if (name === 'addpath') for (const [k, v] of Object.entries(c)) if (k !== 'name' && typeof v === 'string') caps.addPath.set(k, v);
  }
  return caps;
}

const FAMS: Record<string, Family> = { 'ipv4/unicast': 'ipv4-unicast', 'ipv6/unicast': 'ipv6-unicast' };

export function exabgpCapabilities(msgs: readonly JsonRecord[], peer: string): NegotiatedCapabilities | undefined {
  const session = currentSession(msgs, peer).filter((m) => str(m, 'type') === 'open');
  const dir = (d: string): JsonRecord | undefined => session.filter((m) => str(rec(m, 'neighbor'), 'direction') === d).pop();
  const sent = dir('send');
  const recv = dir('receive');
  if (sent === undefined || recv === undefined) return undefined;
  const l = openCaps(sent);
  const r = openCaps(recv);
  const both = (n: string): boolean => l.names.has(n) && r.names.has(n);
  const caps = emptyCapabilities();
  caps.fourOctetAs = both('asn4');
  caps.routeRefresh = both('route-refresh');
  caps.enhancedRouteRefresh = both('enhanced-route-refresh');
  caps.gracefulRestart = both('graceful restart');
  caps.extendedMessage = both('extended-message');
  for (const [f, fam] of Object.entries(FAMS)) {
    if (!l.families.has(f) || !r.families.has(f)) continue;
    caps.families.push(fam);
    const lm = l.addPath.get(f) ?? '';
    const rm = r.addPath.get(f) ?? '';
    const send = lm.includes('send') && rm.includes('receive');
    const receive = lm.includes('receive') && rm.includes('send');
    if (send || receive) caps.addPath.push({ family: fam, send, receive });
  }
  if (l.hold !== undefined && r.hold !== undefined) caps.holdTime = Math.min(l.hold, r.hold);
  caps.raw = [...[...l.names].map((n) => `sent: ${n}`), ...[...r.names].map((n) => `received: ${n}`)];
  return caps;
}

const ORIGINS: Record<string, Origin> = { igp: 'igp', egp: 'egp', incomplete: 'incomplete' };

function flattenNumbers(v: unknown): number[] {
  if (typeof v === 'number') return [v];
  if (Array.isArray(v)) return v.flatMap(flattenNumbers);
  if (isRecord(v)) return Object.values(v).flatMap(flattenNumbers);
  return [];
}

/** `"0.0.0.1"` or `1` -> 1. */
function pathId(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return undefined;
  const parts = v.split('.').map(Number);
  if (parts.length !== 4 || parts.some((x) => !Number.isInteger(x))) return undefined;
  return parts.reduce((a, b) => a * 256 + b, 0);
}

function attributes(route: BgpRoute, attr: JsonRecord | undefined): void {
  if (attr === undefined) return;
  const origin = ORIGINS[str(attr, 'origin') ?? ''];
  if (origin !== undefined) route.origin = origin;
  route.asPath = flattenNumbers(attr['as-path']);
  const med = num(attr, 'med');
  if (med !== undefined) route.med = med;
  const lp = num(attr, 'local-preference');
  if (lp !== undefined) route.localPref = lp;
  route.communities = arr(attr, 'community').map((c) => flattenNumbers(c).join(':'));
  route.largeCommunities = arr(attr, 'large-community').map((c) => flattenNumbers(c).join(':'));
  const originator = str(attr, 'originator-id');
  if (originator !== undefined) route.originatorId = originator;
  route.clusterList = arr(attr, 'cluster-list').filter((x): x is string => typeof x === 'string');
}

/** Replay received UPDATEs into an Adj-RIB-In per neighbour. */
export function exabgpRoutes(msgs: readonly JsonRecord[]): BgpRoute[] {
  const rib = new Map<string, BgpRoute>();
  const key = (peer: string, prefix: string, id: number | undefined): string => `${peer} ${prefix} ${id ?? ''}`;
  for (const m of msgs) {
    const peer = eventPeer(m);
    if (peer === undefined) continue;
    const type = str(m, 'type');
    if (type === 'state' && str(rec(m, 'neighbor'), 'state') !== 'up') {
      for (const [k, r] of rib) if (r.peer === peer) rib.delete(k);
      continue;
    }
    const nb = rec(m, 'neighbor');
    if (type !== 'update' || str(nb, 'direction') !== 'receive') continue;
    const update = rec(rec(nb, 'message'), 'update');
    if (update === undefined) continue;
    for (const entries of Object.values(rec(update, 'withdraw') ?? {})) {
      if (!Array.isArray(entries)) continue;
      for (const e of entries) {
        const p = str(e, 'nlri');
        if (p !== undefined && isRecord(e)) rib.delete(key(peer, normalizePrefix(p), pathId(e['path-information'])));
      }
    }
    for (const byNextHop of Object.values(rec(update, 'announce') ?? {})) {
      if (!isRecord(byNextHop)) continue;
      for (const [nextHop, entries] of Object.entries(byNextHop)) {
        if (!Array.isArray(entries)) continue;
        for (const e of entries) {
          const p = str(e, 'nlri');
          if (p === undefined || !isRecord(e)) continue;
          const prefix = normalizePrefix(p);
          const id = pathId(e['path-information']);
          const route: BgpRoute = { family: familyOf(prefix), prefix, nextHop: normalizeAddress(nextHop), asPath: [], communities: [], largeCommunities: [], clusterList: [], peer };
          if (id !== undefined) route.pathId = id;
          attributes(route, rec(update, 'attribute'));
          rib.set(key(peer, prefix, id), route);
        }
      }
    }
  }
  return [...rib.values()];
}
