/**
 * A `RouterConfig` back to the YAML file format, every key spelt out (defaults included):
 * what `parseRouterConfig` reads back to an equal config. Useful for showing the effective
 * config (`meshrr render`, status pages) and for the round-trip property test.
 *
 * Owns: the typed -> file-format mapping. Must not: validate (the input is already valid).
 */
import { stringify } from 'yaml';
import { GROUP_KEYS } from './router-config-group.js';
import { numberToDottedQuad } from './router-config-ip.js';
import type { GroupConfig, Md5KeyRef, NeighborConfig, PeerAsConfig, RouterConfig } from './router-config-types.js';

/** A key reference as the file writes it: the path or variable name, never the key (it is not here). */
function md5ToData(m: Md5KeyRef | undefined): Record<string, string | null> {
  return { md5PasswordFile: m?.kind === 'file' ? m.path : null, md5PasswordEnv: m?.kind === 'env' ? m.name : null };
}

/** The config as plain data with the YAML file's keys (docs/router-config.md). */
export function routerConfigToData(c: RouterConfig): Record<string, unknown> {
  return {
    routerId: c.routerIdText,
    asn: c.asn,
    hostname: c.hostname,
    listen: c.listen.map((l) => ({ address: l.address, port: l.port })),
    maxDynamicPeers: c.maxDynamicPeers,
    maxRoutes: c.maxRoutes ?? null,
    connectionRate: c.connectionRate === undefined ? null : { ...c.connectionRate },
    decision: { alwaysCompareMed: c.alwaysCompareMed, deterministicMed: c.deterministicMed },
    gracefulRestart: { ...c.gracefulRestart },
    policies: c.policies,
    groups: c.groups.map(groupToData),
  };
}

/** The config as YAML text. */
export function stringifyRouterConfig(c: RouterConfig): string {
  return stringify(routerConfigToData(c), { aliasDuplicateObjects: false });
}

function peerAsToData(p: PeerAsConfig): unknown {
  switch (p.kind) {
    case 'internal':
    case 'external':
      return p.kind;
    case 'exact':
      return p.asn;
    case 'ranges':
      return p.ranges.map((r) => (r.min === r.max ? r.min : `${r.min}-${r.max}`));
  }
}

function neighborToData(n: NeighborConfig): Record<string, unknown> {
  return {
    address: n.address,
    port: n.port,
    localAddress: n.localAddress,
    peerAs: n.peerAs === null ? null : peerAsToData(n.peerAs),
    passive: n.passive,
    description: n.description,
    importPolicy: n.importPolicy,
    ...md5ToData(n.md5),
    ttlSecurity: n.ttlSecurityHops === undefined ? null : { hops: n.ttlSecurityHops },
  };
}

function groupToData(g: GroupConfig): Record<string, unknown> {
  const known: Record<string, unknown> = {
    name: g.name,
    role: g.role,
    clusterId: numberToDottedQuad(g.clusterId),
    clientToClient: g.clientToClient,
    routeServer: g.routeServer,
    peerAs: peerAsToData(g.peerAs),
    passive: g.passive,
    families: [...g.families],
    holdTime: g.holdTime,
    keepaliveTime: g.keepaliveTime,
    connectRetryTime: g.connectRetryTime,
    multihopTtl: g.multihopTtl,
    listenRanges: g.listenRanges.map((p) => {
      const m = g.listenRangeMd5?.[p];
      return m === undefined ? p : { prefix: p, ...(m.kind === 'file' ? { md5PasswordFile: m.path } : { md5PasswordEnv: m.name }) };
    }),
    maxDynamicPeers: g.maxDynamicPeers,
    neighbors: g.neighbors.map(neighborToData),
    maxPrefix: g.maxPrefix === null ? null : { ...g.maxPrefix },
    addPath: { send: g.addPathSend, receive: g.addPathReceive },
    extendedNextHop: g.extendedNextHop === true,
    importPolicy: g.importPolicy,
    exportPolicy: g.exportPolicy,
    ...md5ToData(g.md5),
    ttlSecurity: g.ttlSecurityHops === undefined ? null : { hops: g.ttlSecurityHops },
    limits: g.limits === undefined ? null : { ...g.limits },
  };
  const keys: readonly string[] = GROUP_KEYS;
  for (const [k, v] of Object.entries(g.extra)) if (!keys.includes(k)) known[k] = v;
  return known;
}
