/**
 * A plain, comparable summary of what our codec decoded from an UPDATE: prefixes as text per
 * family, next hops as text, the interpreted attributes. Other decoders' output (ExaBGP's
 * JSON, tshark's dissection) is normalised to the same shapes by their helpers.
 */
import type { AsPath, PathAttribute, UpdateMessage } from '../../src/wire/attribute-types.js';
import { AFI, SAFI } from '../../src/wire/iana.js';
import { ipv4ToString, ipv6ToString, isParsedFamily, listPrefixes, parseIpv6, parsePrefix, prefixToString } from '../../src/wire/nlri.js';
import type { NlriBlock } from '../../src/wire/attribute-types.js';

/** One announced or withdrawn prefix: "prefix" or "prefix#pathId" (add-path). */
export type RouteKey = string;

export interface UpdateSummary {
  /** "afi/safi" -> next hop text -> prefixes, for the families we parse (IPv4/IPv6 unicast, multicast). */
  readonly announced: Map<string, Map<string, RouteKey[]>>;
  readonly withdrawn: Map<string, RouteKey[]>;
  /** Families whose NLRI we carry opaque, seen in MP_REACH / MP_UNREACH ("afi/safi"). */
  readonly opaqueReach: string[];
  readonly opaqueUnreach: string[];
  /** MP_REACH link-local next hop (second half of a 32-octet IPv6 next hop), if any. */
  readonly linkLocalNextHop: string | null;
  readonly attributes: readonly PathAttribute[];
}

export function familyKey(afi: number, safi: number): string {
  return `${afi}/${safi}`;
}

function routeKey(prefix: string, pathId: number, addPath: boolean): RouteKey {
  return addPath ? `${prefix}#${pathId}` : prefix;
}

/** The prefixes of a block as route keys, in wire order. */
export function blockRoutes(b: NlriBlock): RouteKey[] {
  return listPrefixes(b).map((p) => routeKey(p.prefix, p.pathId, b.addPath));
}

/** Text of a next hop as carried by MP_REACH (4: IPv4, 16: IPv6, 32: IPv6 global + link-local). */
export function nextHopText(nh: Buffer): string {
  if (nh.length === 4) return ipv4ToString(nh.readUInt32BE(0));
  if (nh.length === 16 || nh.length === 32) return ipv6ToString(nh.subarray(0, 16));
  return `0x${nh.toString('hex')}`;
}

/** Normalises an address written by another program ("2001:DB8::1", "::ffff:1.2.3.4", "10.0.0.1"). */
export function normaliseAddress(text: string): string {
  if (!text.includes(':')) return text;
  const b = parseIpv6(text);
  return b === null ? text : ipv6ToString(b);
}

/** Normalises a prefix written by another program; bits past the length are masked. */
export function normalisePrefix(text: string): string {
  const p = parsePrefix(text);
  if (p === null) return text;
  return prefixToString(p.afi, p.bits, p.octets, 0);
}

export function normaliseRoute(prefix: string, pathId: number | null): RouteKey {
  const p = normalisePrefix(prefix);
  return pathId === null ? p : `${p}#${pathId}`;
}

function push<K, V>(m: Map<K, V[]>, k: K, v: readonly V[]): void {
  const list = m.get(k);
  if (list === undefined) m.set(k, [...v]);
  else list.push(...v);
}

/** Summarises a decoded UPDATE. */
export function summarise(u: UpdateMessage): UpdateSummary {
  const announced = new Map<string, Map<string, RouteKey[]>>();
  const withdrawn = new Map<string, RouteKey[]>();
  const opaqueReach: string[] = [];
  const opaqueUnreach: string[] = [];
  let linkLocalNextHop: string | null = null;
  const announce = (fam: string, nh: string, routes: RouteKey[]): void => {
    if (routes.length === 0) return;
    let byNh = announced.get(fam);
    if (byNh === undefined) announced.set(fam, (byNh = new Map()));
    push(byNh, nh, routes);
  };
  const v4 = familyKey(AFI.IPV4, SAFI.UNICAST);
  if (u.withdrawn.bytes.length > 0) push(withdrawn, v4, blockRoutes(u.withdrawn));
  if (u.nlri.bytes.length > 0) {
    const nh = u.attributes.find((a) => a.kind === 'nextHop');
    announce(v4, nh === undefined ? '(none)' : ipv4ToString(nh.value as number), blockRoutes(u.nlri));
  }
  for (const a of u.attributes) {
    if (a.kind === 'mpReach') {
      const m = a.value;
      const fam = familyKey(m.afi, m.safi);
      if (isParsedFamily(m.afi, m.safi)) announce(fam, nextHopText(m.nextHop), blockRoutes(m.nlri));
      else opaqueReach.push(fam);
      if (m.nextHop.length === 32) linkLocalNextHop = ipv6ToString(m.nextHop.subarray(16, 32));
    } else if (a.kind === 'mpUnreach') {
      const m = a.value;
      const fam = familyKey(m.afi, m.safi);
      if (isParsedFamily(m.afi, m.safi)) push(withdrawn, fam, blockRoutes(m.withdrawn));
      else opaqueUnreach.push(fam);
    }
  }
  return { announced, withdrawn, opaqueReach, opaqueUnreach, linkLocalNextHop, attributes: u.attributes };
}

/** The first attribute of a kind, or undefined. */
export function attrOf<K extends PathAttribute['kind']>(s: UpdateSummary, kind: K): Extract<PathAttribute, { kind: K }> | undefined {
  return s.attributes.find((a): a is Extract<PathAttribute, { kind: K }> => a.kind === kind);
}

/** AS_PATH as a list of [segment type, ASNs]. */
export function asPathPairs(p: AsPath): [number, number[]][] {
  return p.map((seg) => [seg.type, [...seg.asns]]);
}

/** Communities as "hi:lo" text. */
export function communityText(c: number): string {
  return `${c >>> 16}:${c & 0xffff}`;
}

/** Large communities (flat triples) as "a:b:c" text. */
export function largeCommunityTexts(flat: readonly number[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 2 < flat.length; i += 3) out.push(`${flat[i]}:${flat[i + 1]}:${flat[i + 2]}`);
  return out;
}

/** Sorted copy (order-insensitive comparison of prefix lists). */
export function sorted<T>(xs: readonly T[]): T[] {
  return [...xs].sort();
}
