/**
 * The demo's topology: Juniper meshrr's `2regions-hrr` example laid out on loopback
 * addresses, as plain data. A core group of two route reflectors; two regions, lothlorien
 * and mirkwood, each with two regional reflectors (a full iBGP mesh of non-clients inside the
 * region, each a client of both core reflectors) and two "physical routers" (RR clients of
 * both regional reflectors of their region) that announce a few prefixes, some tagged with
 * the communities the example's regional policy acts on (issue 6).
 *
 *     core-1 127.0.10.1 ===== core-2 127.0.10.2              (MESHRR-MESH, non-clients)
 *        |  \____________  ____/  |                          (MESHRR-UPSTREAM: clients of
 *        |   ____________\/_____  |                           both core reflectors)
 *     lothlorien-a/b 127.0.11.1-2        mirkwood-a/b 127.0.12.1-2   (each pair: a mesh)
 *        |    \/    |                       |    \/    |     (MESHRR-CLIENTS)
 *     lothlorien-r1/r2 127.0.11.11-12    mirkwood-r1/r2 127.0.12.11-12
 *
 * Every node has its own 127.x address (Linux routes all of 127.0.0.0/8 to the loopback
 * interface, so no root is needed) and they all use the same unprivileged port. AS 65000
 * everywhere (iBGP); next hops in 198.18.0.0/15 (RFC 2544 benchmarking space).
 *
 * Owns: names, addresses and prefixes. Must not: open sockets or build configs.
 */

/** Our AS, everywhere in the demo. */
export const DEMO_ASN = 65000;
/** The default TCP port of every demo speaker (unprivileged: no root, no CAP_NET_BIND_SERVICE). */
export const DEMO_PORT = 1790;

/** The example's communities: the regional policy (issue 6) acts on them. */
export const COMMUNITY_REGION_ONLY = '65000:101';
export const COMMUNITY_LOW_PREF_UPSTREAM = '65000:102';

export type Tier = 'core' | 'regional';

export interface ReflectorNode {
  readonly name: string;
  readonly tier: Tier;
  /** null for the core. */
  readonly region: string | null;
  /** Listen and source address; also the router ID and the cluster ID of its client group. */
  readonly address: string;
}

export interface Announcement {
  readonly prefix: string;
  readonly nextHop: string;
  readonly communities: readonly string[];
}

export interface RouterNode {
  readonly name: string;
  readonly region: string;
  /** Source address and BGP identifier. */
  readonly address: string;
  readonly announces: readonly Announcement[];
}

export interface Region {
  readonly name: string;
  /** Third octet of every address of the region: 127.0.<n>.x, 10.<n>.x.0/24, 198.18.<n>.x. */
  readonly octet: number;
}

export const REGIONS: readonly Region[] = [
  { name: 'lothlorien', octet: 11 },
  { name: 'mirkwood', octet: 12 },
];

export const CORE: readonly ReflectorNode[] = [
  { name: 'core-1', tier: 'core', region: null, address: '127.0.10.1' },
  { name: 'core-2', tier: 'core', region: null, address: '127.0.10.2' },
];

/** Loopback addresses of the core's clients (the "pod CIDR" of the example): every region. */
export const CORE_CLIENT_RANGES: readonly string[] = REGIONS.map((r) => `127.0.${r.octet}.0/24`);

export function regionalReflectors(r: Region): ReflectorNode[] {
  return ['a', 'b'].map((side, i) => ({ name: `${r.name}-${side}`, tier: 'regional', region: r.name, address: `127.0.${r.octet}.${i + 1}` }));
}

/** The listen range of a region's MESHRR-CLIENTS group (explicit peers in it still win). */
export function regionClientRange(r: Region): string {
  return `127.0.${r.octet}.0/24`;
}

/**
 * Router r<i> of a region announces two prefixes: 10.<region>.<i>.0/24 untagged and
 * 10.<region>.10<i>.0/24 tagged 65000:10<i> (router 1 tags 65000:101, router 2 65000:102),
 * so each region originates one route of each community.
 */
export function routers(r: Region): RouterNode[] {
  return [1, 2].map((i) => {
    const nextHop = `198.18.${r.octet}.${10 + i}`;
    return {
      name: `${r.name}-r${i}`,
      region: r.name,
      address: `127.0.${r.octet}.${10 + i}`,
      announces: [
        { prefix: `10.${r.octet}.${i}.0/24`, nextHop, communities: [] },
        { prefix: `10.${r.octet}.${100 + i}.0/24`, nextHop, communities: [i === 1 ? COMMUNITY_REGION_ONLY : COMMUNITY_LOW_PREF_UPSTREAM] },
      ],
    };
  });
}

export const REFLECTORS: readonly ReflectorNode[] = [...CORE, ...REGIONS.flatMap(regionalReflectors)];
export const ROUTERS: readonly RouterNode[] = REGIONS.flatMap(routers);

/** The name of the node at `address`, or the address itself for a speaker outside the demo. */
export function nodeName(address: string): string {
  return REFLECTORS.find((n) => n.address === address)?.name ?? ROUTERS.find((n) => n.address === address)?.name ?? address;
}

/** The router that announces `prefix`, if any. */
export function originOf(prefix: string): RouterNode | undefined {
  return ROUTERS.find((r) => r.announces.some((a) => a.prefix === prefix));
}

/**
 * Sessions the demo must bring up: every pair that is configured on both sides (core mesh,
 * region meshes, regional to core, routers to their regional reflectors).
 */
export function expectedSessions(): { a: string; b: string }[] {
  const out: { a: string; b: string }[] = [];
  const pairs = <T extends { address: string }>(xs: readonly T[]): void => {
    for (let i = 0; i < xs.length; i++) for (let j = i + 1; j < xs.length; j++) out.push({ a: (xs[i] as T).address, b: (xs[j] as T).address });
  };
  pairs(CORE);
  for (const r of REGIONS) {
    const rrs = regionalReflectors(r);
    pairs(rrs);
    for (const rr of rrs) {
      for (const c of CORE) out.push({ a: rr.address, b: c.address });
      for (const router of routers(r)) out.push({ a: router.address, b: rr.address });
    }
  }
  return out;
}
