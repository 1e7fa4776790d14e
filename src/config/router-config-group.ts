/**
 * One peer group of the router config (`groups[i]` in the YAML) and its static neighbours:
 * keys, defaults and the checks that need only the group and the top-level `asn`, router ID
 * and policy names. Checks across groups live in router-config-checks.ts.
 *
 * Owns: GroupConfig and NeighborConfig construction and their defaults. Must not: compare
 * groups with each other.
 *
 * RFCs: 4271 §4.2 and §10 (hold time 0 or ≥ 3, keepalive below it), 4456 (roles, cluster ID),
 * 7911 (add-path), 7947 (route server), 6793 §9 (AS_TRANS).
 */
import type { Ctx, MapReader } from './router-config-fields.js';
import { ASN_MAX, opt, readAddress, readAsn, readAsRange, readBool, readDottedQuad, readEnum, readInt, readList, readMap, readPrefix, readString, suggestKey } from './router-config-fields.js';
import type { IpAddress, IpPrefix } from './router-config-ip.js';
import { addressText, prefixText } from './router-config-ip.js';
import type { AsRangeConfig, FamilyName, GroupConfig, GroupRole, LimitsConfig, MaxPrefixConfig, Md5KeyRef, NeighborConfig, PeerAsConfig } from './router-config-types.js';
import { show } from './router-config-yaml.js';
import type { YNode } from './router-config-yaml.js';

/** Every family name; a Record so a new FamilyName member fails to compile until added here. */
const FAMILY_SET: Record<FamilyName, true> = {
  'ipv4-unicast': true,
  'ipv6-unicast': true,
  'l2vpn-evpn': true,
  'ipv4-vpn': true,
  'ipv6-vpn': true,
  'ipv4-flowspec': true,
  'ipv6-flowspec': true,
  'ipv4-labeled-unicast': true,
  'ipv6-labeled-unicast': true,
};
export const FAMILY_NAMES = Object.keys(FAMILY_SET) as FamilyName[];
export const GROUP_ROLES: readonly GroupRole[] = ['client', 'nonClient', 'ebgp'];

/** Defaults of the optional group and neighbour keys (docs/router-config.md lists them). */
export const GROUP_DEFAULTS = {
  clientToClient: true,
  routeServer: false,
  extendedNextHop: false,
  families: ['ipv4-unicast', 'ipv6-unicast'] as readonly FamilyName[],
  /** RFC 4271 §10 suggests 90 s. */
  holdTime: 90,
  /** FRR and BIRD wait 120 s; meshrr retries after 30 s so a mesh heals quickly after a pod restart. */
  connectRetryTime: 30,
  port: 179,
  warningPercent: 90,
  restartSeconds: 0,
} as const;

/** Defaults of `limits` (docs/router-config.md): generous, far above the global table's extremes. */
export const LIMIT_DEFAULTS: LimitsConfig = {
  maxAsPathLength: 1000,
  maxCommunities: 4000,
  inboundBufferBytes: 1 << 20,
  outboundBufferBytes: 32 << 20,
  openTimeout: 240,
};
const LIMIT_KEYS = ['maxAsPathLength', 'maxCommunities', 'inboundBufferBytes', 'outboundBufferBytes', 'openTimeout'] as const;

export const GROUP_KEYS = [
  'name', 'role', 'clusterId', 'clientToClient', 'routeServer', 'peerAs', 'passive', 'families', 'holdTime', 'keepaliveTime',
  'connectRetryTime', 'multihopTtl', 'listenRanges', 'maxDynamicPeers', 'neighbors', 'maxPrefix', 'addPath', 'extendedNextHop', 'importPolicy', 'exportPolicy',
  'md5PasswordFile', 'md5PasswordEnv', 'ttlSecurity', 'limits',
] as const;
const NEIGHBOR_KEYS = ['address', 'port', 'localAddress', 'peerAs', 'passive', 'description', 'md5PasswordFile', 'md5PasswordEnv', 'ttlSecurity', 'importPolicy'] as const;
const RANGE_KEYS = ['prefix', 'md5PasswordFile', 'md5PasswordEnv'] as const;

/** What a group may refer to at the top level; undefined when that key was itself invalid. */
export interface GroupEnv {
  readonly asn: number | undefined;
  readonly routerId: number | undefined;
  readonly policies: readonly string[] | undefined;
}

export interface Located<T> {
  readonly value: T;
  readonly path: string;
  readonly line: number;
}

/** A parsed group plus what the cross-checks need, even when other keys were invalid. */
export interface ParsedGroup {
  readonly name: Located<string> | undefined;
  readonly neighbors: readonly Located<IpAddress>[];
  readonly listenRanges: readonly Located<IpPrefix>[];
  /** undefined when any key of the group had a problem. */
  readonly config: GroupConfig | undefined;
}

const u32 = readInt(0, ASN_MAX);
const port = readInt(1, 65535);

export function parseGroup(ctx: Ctx, n: YNode, path: string, env: GroupEnv): ParsedGroup {
  const before = ctx.problems.length;
  const r = readMap(ctx, n, path, { known: GROUP_KEYS, keepExtra: true });
  if (r === undefined) return { name: undefined, neighbors: [], listenRanges: [], config: undefined };
  const nameNode = r.get('name');
  const name = nameNode === undefined ? r.missing(ctx, 'name', 'a group name unique in this file') : readString(ctx, nameNode, r.at('name'));
  const roleNode = r.get('role');
  const role = roleNode === undefined ? r.missing(ctx, 'role', `one of ${GROUP_ROLES.join(', ')}`) : readEnum(GROUP_ROLES)(ctx, roleNode, r.at('role'));

  const clusterId = opt(r, 'clusterId', env.routerId, (v, p) => readClusterId(ctx, v, p));
  const clientToClient = opt(r, 'clientToClient', GROUP_DEFAULTS.clientToClient, (v, p) => readBool(ctx, v, p));
  const routeServer = opt(r, 'routeServer', GROUP_DEFAULTS.routeServer, (v, p) => readBool(ctx, v, p));
  if (routeServer === true && role !== undefined && role !== 'ebgp') {
    ctx.report(r.at('routeServer'), r.get('routeServer')?.line ?? r.node.line, `routeServer needs role ebgp (a route server peers over eBGP, RFC 7947), not ${role}`);
  }
  const peerAs = readGroupPeerAs(ctx, r, role, env.asn);

  const families = opt(r, 'families', [...GROUP_DEFAULTS.families], (v, p) => readFamilies(ctx, v, p));
  const holdTime = opt(r, 'holdTime', GROUP_DEFAULTS.holdTime, (v, p) => readHoldTime(ctx, v, p));
  const keepaliveTime = opt(r, 'keepaliveTime', null, (v, p) => readKeepalive(ctx, v, p, holdTime));
  const connectRetryTime = opt(r, 'connectRetryTime', GROUP_DEFAULTS.connectRetryTime, (v, p) => readInt(1, 65535)(ctx, v, p));
  const multihopTtl = opt(r, 'multihopTtl', null, (v, p) => readInt(1, 255)(ctx, v, p));
  const maxDynamicPeers = opt(r, 'maxDynamicPeers', null, (v, p) => u32(ctx, v, p));

  const listenRanges: Located<IpPrefix>[] = [];
  const listenRangeMd5: Record<string, Md5KeyRef> = {};
  opt(r, 'listenRanges', [], (v, p) =>
    readList(ctx, v, p, (item, ip) => {
      // A prefix, or {prefix, md5PasswordFile | md5PasswordEnv} for a range with its own key.
      const rr = item.kind === 'map' && item.entries.some((e) => e.key === 'prefix') ? readMap(ctx, item, ip, { known: RANGE_KEYS }) : undefined;
      const pNode = rr === undefined ? item : rr.get('prefix');
      if (pNode === undefined) return rr?.missing(ctx, 'prefix', 'an IPv4 or IPv6 prefix');
      const prefix = readPrefix(ctx, pNode, rr === undefined ? ip : rr.at('prefix'));
      if (prefix !== undefined) listenRanges.push({ value: prefix, path: ip, line: item.line });
      const md5 = rr === undefined ? undefined : readMd5Ref(ctx, rr);
      if (prefix !== undefined && md5 !== undefined) listenRangeMd5[prefixText(prefix)] = md5;
      return prefix;
    }),
  );
  const md5 = readMd5Ref(ctx, r);
  const ttlSecurityHops = opt(r, 'ttlSecurity', undefined, (v, p) => readTtlSecurity(ctx, v, p));
  const limits = opt(r, 'limits', undefined, (v, p) => readLimits(ctx, v, p));
  const neighbors: Located<IpAddress>[] = [];
  const neighborConfigs = opt(r, 'neighbors', [], (v, p) =>
    readList(ctx, v, p, (item, ip) => {
      const nb = parseNeighbor(ctx, item, ip, role, env);
      if (nb !== undefined) neighbors.push({ value: nb.address, path: nb.addressPath, line: nb.addressLine });
      return nb?.config;
    }),
  );
  const passive = opt(r, 'passive', listenRanges.length > 0 && (neighborConfigs?.length ?? 0) === 0, (v, p) => readBool(ctx, v, p));
  const maxPrefix = opt(r, 'maxPrefix', null, (v, p) => readMaxPrefix(ctx, v, p));
  const addPath = opt(r, 'addPath', { send: 0 as number | 'all', receive: false }, (v, p) => readAddPath(ctx, v, p));
  const extendedNextHop = opt(r, 'extendedNextHop', GROUP_DEFAULTS.extendedNextHop, (v, p) => readBool(ctx, v, p));
  const importPolicy = opt(r, 'importPolicy', null, (v, p) => readPolicyName(ctx, v, p, env.policies));
  const exportPolicy = opt(r, 'exportPolicy', null, (v, p) => readPolicyName(ctx, v, p, env.policies));

  const located = name === undefined ? undefined : { value: name, path: r.at('name'), line: nameNode?.line ?? r.node.line };
  if (ctx.problems.length > before) return { name: located, neighbors, listenRanges, config: undefined };
  const config: GroupConfig = {
    name: name as string,
    role: role as GroupRole,
    clusterId: clusterId as number,
    clientToClient: clientToClient as boolean,
    routeServer: routeServer as boolean,
    peerAs: peerAs as PeerAsConfig,
    passive: passive as boolean,
    families: families as FamilyName[],
    holdTime: holdTime as number,
    keepaliveTime: keepaliveTime as number | null,
    connectRetryTime: connectRetryTime as number,
    multihopTtl: multihopTtl as number | null,
    listenRanges: listenRanges.map((l) => prefixText(l.value)),
    maxDynamicPeers: maxDynamicPeers as number | null,
    neighbors: neighborConfigs as NeighborConfig[],
    maxPrefix: maxPrefix as MaxPrefixConfig | null,
    addPathSend: (addPath as { send: number | 'all' }).send,
    addPathReceive: (addPath as { receive: boolean }).receive,
    ...(extendedNextHop === true ? { extendedNextHop: true } : {}),
    importPolicy: importPolicy as string | null,
    exportPolicy: exportPolicy as string | null,
    ...(Object.keys(listenRangeMd5).length > 0 ? { listenRangeMd5 } : {}),
    ...(md5 !== undefined ? { md5 } : {}),
    ...(ttlSecurityHops !== undefined ? { ttlSecurityHops } : {}),
    ...(limits !== undefined ? { limits } : {}),
    extra: r.extra,
  };
  return { name: located, neighbors, listenRanges, config };
}

function readClusterId(ctx: Ctx, n: YNode, path: string): number | undefined {
  if (n.kind === 'scalar' && typeof n.value === 'string') return readDottedQuad(ctx, n, path);
  if (n.kind === 'scalar' && n.value === 0) return ctx.report(path, n.line, '0 is not allowed: cluster IDs must be non-zero');
  return readInt(1, ASN_MAX, 'a cluster ID (a dotted quad like 192.0.2.1, or 1 to 4294967295)')(ctx, n, path);
}

const HOLD_WHAT = 'a hold time of 0 or 3 to 65535 seconds (RFC 4271 §4.2)';

function readHoldTime(ctx: Ctx, n: YNode, path: string): number | undefined {
  const v = readInt(0, 65535, HOLD_WHAT)(ctx, n, path);
  return v === 1 || v === 2 ? ctx.report(path, n.line, `${v} is not ${HOLD_WHAT}`) : v;
}

function readKeepalive(ctx: Ctx, n: YNode, path: string, holdTime: number | undefined): number | undefined {
  const v = readInt(0, 65535)(ctx, n, path);
  if (v === undefined || holdTime === undefined) return v;
  // RFC 4271 §4.4: no KEEPALIVEs when the hold time is 0; otherwise they must beat the hold timer.
  if (holdTime === 0 && v !== 0) return ctx.report(path, n.line, `${v} needs a hold time; with holdTime 0 keepaliveTime must be 0 or unset`);
  if (holdTime > 0 && (v === 0 || v >= holdTime)) return ctx.report(path, n.line, `${v} is not from 1 to ${holdTime - 1} (below holdTime ${holdTime}); unset, it is holdTime / 3`);
  return v;
}

function readFamilies(ctx: Ctx, n: YNode, path: string): FamilyName[] | undefined {
  const seen = new Set<FamilyName>();
  const items = readList(ctx, n, path, (item, ip) => {
    const f = readEnum(FAMILY_NAMES)(ctx, item, ip);
    if (f !== undefined && seen.has(f)) return ctx.report(ip, item.line, `${f} is listed twice`);
    if (f !== undefined) seen.add(f);
    return f;
  });
  if (items === undefined) return undefined;
  if (items.length === 0) return ctx.report(path, n.line, `an empty list enables no address family; expected some of ${FAMILY_NAMES.join(', ')}`);
  return items.every((f) => f !== undefined) ? (items as FamilyName[]) : undefined;
}

/** `internal`, `external`, one AS, or a list of ASes and ranges (FRR's `remote-as` words). */
export function readPeerAs(ctx: Ctx, n: YNode, path: string): PeerAsConfig | undefined {
  if (n.kind === 'scalar' && (n.value === 'internal' || n.value === 'external')) return { kind: n.value };
  if (n.kind === 'seq' || (n.kind === 'scalar' && typeof n.value === 'string' && n.value.includes('-'))) {
    if (n.kind === 'seq' && n.items.length === 0) return ctx.report(path, n.line, 'an empty list matches no AS; expected ranges like 65001-65535');
    const ranges = n.kind === 'seq' ? readList(ctx, n, path, readAsRange.bind(null, ctx)) : [readAsRange(ctx, n, path)];
    return ranges?.every((x) => x !== undefined) === true ? { kind: 'ranges', ranges: ranges as AsRangeConfig[] } : undefined;
  }
  const hint = n.kind === 'scalar' && typeof n.value === 'string' && !/^\d/.test(n.value) ? suggestKey(n.value, ['internal', 'external']) : null;
  if (hint !== null) return ctx.report(path, n.line, `${show(n)} is not internal, external, an AS number or a list of AS ranges (did you mean ${hint}?)`);
  const asn = readAsn(ctx, n, path);
  return asn === undefined ? undefined : { kind: 'exact', asn };
}

/** The peer AS must fit the role: iBGP roles peer inside our AS, eBGP outside it. */
function checkPeerAs(ctx: Ctx, peerAs: PeerAsConfig, role: GroupRole, asn: number | undefined, path: string, line: number): PeerAsConfig | undefined {
  if (role !== 'ebgp') {
    if (peerAs.kind === 'internal' || (peerAs.kind === 'exact' && peerAs.asn === asn) || asn === undefined) return peerAs;
    const got = peerAs.kind === 'exact' ? String(peerAs.asn) : peerAs.kind === 'ranges' ? 'AS ranges' : 'external';
    return ctx.report(path, line, `a ${role} group is iBGP (RFC 4456): peerAs must be internal or our asn ${asn}, not ${got}`);
  }
  if (peerAs.kind === 'internal') return ctx.report(path, line, 'role ebgp cannot peer with our own AS; expected external, an AS number or AS ranges');
  if (asn === undefined) return peerAs;
  if (peerAs.kind === 'exact' && peerAs.asn === asn) return ctx.report(path, line, `${asn} is our own asn; role ebgp needs another AS (use role nonClient or client for iBGP)`);
  const bad = peerAs.kind === 'ranges' ? peerAs.ranges.find((x) => x.min <= asn && asn <= x.max) : undefined;
  if (bad !== undefined) return ctx.report(path, line, `the range ${bad.min}-${bad.max} includes our own asn ${asn}; role ebgp needs ranges without it`);
  return peerAs;
}

function readGroupPeerAs(ctx: Ctx, r: MapReader, role: GroupRole | undefined, asn: number | undefined): PeerAsConfig | undefined {
  const n = r.get('peerAs');
  if (n === undefined) {
    if (role === 'ebgp') return r.missing(ctx, 'peerAs', 'external, an AS number or a list of AS ranges (role ebgp has no default)');
    return { kind: 'internal' };
  }
  const v = readPeerAs(ctx, n, r.at('peerAs'));
  return v === undefined || role === undefined ? v : checkPeerAs(ctx, v, role, asn, r.at('peerAs'), n.line);
}

interface ParsedNeighbor {
  readonly address: IpAddress;
  readonly addressPath: string;
  readonly addressLine: number;
  readonly config: NeighborConfig | undefined;
}

function parseNeighbor(ctx: Ctx, n: YNode, path: string, role: GroupRole | undefined, env: GroupEnv): ParsedNeighbor | undefined {
  const asn = env.asn;
  const before = ctx.problems.length;
  const r = readMap(ctx, n, path, { known: NEIGHBOR_KEYS });
  if (r === undefined) return undefined;
  const addrNode = r.get('address');
  const address = addrNode === undefined ? r.missing(ctx, 'address', 'the IPv4 or IPv6 address of the neighbour') : readAddress(ctx, addrNode, r.at('address'));
  const p = opt(r, 'port', GROUP_DEFAULTS.port, (v, pp) => port(ctx, v, pp));
  const local = opt(r, 'localAddress', null, (v, pp) => readAddress(ctx, v, pp));
  if (local != null && address !== undefined && local.v6 !== address.v6) {
    ctx.report(r.at('localAddress'), r.get('localAddress')?.line ?? r.node.line, `${addressText(local)} is ${local.v6 ? 'IPv6' : 'IPv4'} but the neighbour address ${addressText(address)} is ${address.v6 ? 'IPv6' : 'IPv4'}`);
  }
  const peerAsNode = r.get('peerAs');
  let peerAs = opt(r, 'peerAs', null, (v, pp) => readPeerAs(ctx, v, pp));
  if (peerAs != null && role !== undefined) peerAs = checkPeerAs(ctx, peerAs, role, asn, r.at('peerAs'), peerAsNode?.line ?? r.node.line);
  const passive = opt(r, 'passive', null, (v, pp) => readBool(ctx, v, pp));
  const description = opt(r, 'description', null, (v, pp) => readString(ctx, v, pp));
  const importPolicy = opt(r, 'importPolicy', null, (v, pp) => readPolicyName(ctx, v, pp, env.policies));
  const md5 = readMd5Ref(ctx, r);
  const ttlSecurityHops = opt(r, 'ttlSecurity', undefined, (v, pp) => readTtlSecurity(ctx, v, pp));
  if (address === undefined) return undefined;
  const located = { address, addressPath: r.at('address'), addressLine: addrNode?.line ?? r.node.line };
  if (ctx.problems.length > before) return { ...located, config: undefined };
  const config: NeighborConfig = {
    address: addressText(address),
    port: p as number,
    localAddress: local == null ? null : addressText(local),
    peerAs: peerAs ?? null,
    passive: passive ?? null,
    description: description ?? null,
    importPolicy: importPolicy ?? null,
    ...(md5 !== undefined ? { md5 } : {}),
    ...(ttlSecurityHops !== undefined ? { ttlSecurityHops } : {}),
  };
  return { ...located, config };
}

function readMaxPrefix(ctx: Ctx, n: YNode, path: string): MaxPrefixConfig | undefined {
  const r = readMap(ctx, n, path, { known: ['limit', 'warningPercent', 'restartSeconds'] });
  if (r === undefined) return undefined;
  const limitNode = r.get('limit');
  const limit = limitNode === undefined ? r.missing(ctx, 'limit', 'the most prefixes one peer may send (1 to 4294967295)') : readInt(1, ASN_MAX)(ctx, limitNode, r.at('limit'));
  const warningPercent = opt(r, 'warningPercent', GROUP_DEFAULTS.warningPercent, (v, p) => readInt(1, 100)(ctx, v, p));
  const restartSeconds = opt(r, 'restartSeconds', GROUP_DEFAULTS.restartSeconds, (v, p) => readInt(0, 65535)(ctx, v, p));
  if (limit === undefined || warningPercent === undefined || restartSeconds === undefined) return undefined;
  return { limit, warningPercent, restartSeconds };
}

function readAddPath(ctx: Ctx, n: YNode, path: string): { send: number | 'all'; receive: boolean } | undefined {
  const r = readMap(ctx, n, path, { known: ['send', 'receive'] });
  if (r === undefined) return undefined;
  const send = opt(r, 'send', 0, (v, p) =>
    v.kind === 'scalar' && v.value === 'all' ? ('all' as const) : readInt(0, 255, `0 (off), a number of paths up to 255, or all`)(ctx, v, p),
  );
  const receive = opt(r, 'receive', false, (v, p) => readBool(ctx, v, p));
  return send === undefined || receive === undefined ? undefined : { send, receive };
}

function readPolicyName(ctx: Ctx, n: YNode, path: string, policies: readonly string[] | undefined): string | undefined {
  const name = readString(ctx, n, path);
  if (name === undefined || policies === undefined || policies.includes(name)) return name;
  const hint = suggestKey(name, policies);
  const known = policies.length === 0 ? 'no policies are defined' : `defined: ${policies.join(', ')}`;
  return ctx.report(path, n.line, `policy '${name}' is not defined under policies (${known})${hint === null ? '' : `; did you mean ${hint}?`}`);
}

/**
 * `md5PasswordFile: PATH` or `md5PasswordEnv: NAME` (one of them): where the TCP-MD5 key is
 * read when the config is applied. The key itself is never in this file (RFC 2385, issue 10).
 */
function readMd5Ref(ctx: Ctx, r: MapReader): Md5KeyRef | undefined {
  const f = r.get('md5PasswordFile');
  const e = r.get('md5PasswordEnv');
  if (f !== undefined && e !== undefined) {
    return ctx.report(r.at('md5PasswordEnv'), e.line, 'md5PasswordFile and md5PasswordEnv both set; the key comes from one of them');
  }
  if (f !== undefined) {
    const path = readString(ctx, f, r.at('md5PasswordFile'));
    if (path !== undefined && !path.startsWith('/')) return ctx.report(r.at('md5PasswordFile'), f.line, `${show(f)} is not an absolute path (a mounted Secret, like /etc/meshrr/md5/key)`);
    return path === undefined ? undefined : { kind: 'file', path };
  }
  if (e !== undefined) {
    const name = readString(ctx, e, r.at('md5PasswordEnv'));
    if (name !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return ctx.report(r.at('md5PasswordEnv'), e.line, `${show(e)} is not an environment variable name`);
    return name === undefined ? undefined : { kind: 'env', name };
  }
  return undefined;
}

/** `ttlSecurity: {hops: N}` (FRR's `neighbor X ttl-security hops N`, RFC 5082). */
function readTtlSecurity(ctx: Ctx, n: YNode, path: string): number | undefined {
  const r = readMap(ctx, n, path, { known: ['hops'] });
  if (r === undefined) return undefined;
  const h = r.get('hops');
  if (h === undefined) return r.missing(ctx, 'hops', 'how many hops away the peer may be, 1 (directly connected) to 254');
  return readInt(1, 254, 'a hop count from 1 (directly connected) to 254 (RFC 5082)')(ctx, h, r.at('hops'));
}

function readLimits(ctx: Ctx, n: YNode, path: string): LimitsConfig | undefined {
  const r = readMap(ctx, n, path, { known: LIMIT_KEYS });
  if (r === undefined) return undefined;
  const d = LIMIT_DEFAULTS;
  const maxAsPathLength = opt(r, 'maxAsPathLength', d.maxAsPathLength, (v, p) => readInt(1, 65535)(ctx, v, p));
  const maxCommunities = opt(r, 'maxCommunities', d.maxCommunities, (v, p) => readInt(1, 65535)(ctx, v, p));
  // At least one extended message (RFC 8654) must fit in the receive backlog.
  const inboundBufferBytes = opt(r, 'inboundBufferBytes', d.inboundBufferBytes, (v, p) => readInt(65536, 1 << 30)(ctx, v, p));
  const outboundBufferBytes = opt(r, 'outboundBufferBytes', d.outboundBufferBytes, (v, p) => readInt(65536, 1 << 30)(ctx, v, p));
  const openTimeout = opt(r, 'openTimeout', d.openTimeout, (v, p) => readInt(5, 65535)(ctx, v, p));
  if (maxAsPathLength === undefined || maxCommunities === undefined || inboundBufferBytes === undefined || outboundBufferBytes === undefined || openTimeout === undefined) return undefined;
  return { maxAsPathLength, maxCommunities, inboundBufferBytes, outboundBufferBytes, openTimeout };
}
