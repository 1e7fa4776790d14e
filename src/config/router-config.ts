/**
 * The router config loader: YAML text -> a validated `RouterConfig` (router-config-types.ts),
 * the file `meshrr rr --config FILE` runs from and the file the meshrr pod renders from its
 * Nunjucks template (issues 5 and 7). The format is documented in docs/router-config.md.
 *
 * Every problem in a file is reported at once, each with the file, the key path, the line
 * and what was expected; YAML syntax errors throw `ConfigError` 'MESHRR_CONFIG_PARSE', schema
 * and cross-check problems 'MESHRR_CONFIG_INVALID', an unreadable file `ConfigReadError`.
 *
 * Owns: the top-level keys and their defaults; groups are in router-config-group.ts, checks
 * across groups in router-config-checks.ts. Must not: open sockets or apply the config (the
 * composition root turns it into session and RIB settings).
 */
import { readFile } from 'node:fs/promises';
import { hostname as osHostname } from 'node:os';
import { crossCheck } from './router-config-checks.js';
import { ConfigError, ConfigReadError } from './router-config-errors.js';
import type { ConfigProblem } from './router-config-errors.js';
import { Ctx, opt, readAddress, readAsn, readBool, readDottedQuad, readInt, readList, readMap, readString } from './router-config-fields.js';
import type { MapReader } from './router-config-fields.js';
import { parseGroup } from './router-config-group.js';
import type { GroupEnv, ParsedGroup } from './router-config-group.js';
import { addressText, numberToDottedQuad } from './router-config-ip.js';
import type { ConnectionRateConfig, GracefulRestartConfig, GroupConfig, ListenConfig, RouterConfig } from './router-config-types.js';
import { readYaml, show, toPlain } from './router-config-yaml.js';
import type { YNode } from './router-config-yaml.js';
import { checkPolicies } from '../policy/compile.js';
import { indexPath, joinPath } from '../policy/reader.js';
import type { PolicySet } from '../policy/types.js';

export type * from './router-config-types.js';
export { ConfigError, ConfigReadError, formatProblem } from './router-config-errors.js';
export type { ConfigProblem } from './router-config-errors.js';
export { FAMILY_NAMES, GROUP_DEFAULTS, GROUP_KEYS, GROUP_ROLES, LIMIT_DEFAULTS } from './router-config-group.js';
export { routerConfigToData, stringifyRouterConfig } from './router-config-render.js';

/** Defaults of the optional top-level keys (docs/router-config.md lists them). */
export const ROUTER_DEFAULTS = {
  listen: [
    { address: '0.0.0.0', port: 179 },
    { address: '::', port: 179 },
  ] as readonly ListenConfig[],
  maxDynamicPeers: 1000,
  alwaysCompareMed: false,
  deterministicMed: true,
  gracefulRestart: { enabled: true, restartTime: 120, staleRoutesTime: 360, notification: true } as GracefulRestartConfig,
} as const;

export const ROOT_KEYS = ['routerId', 'asn', 'hostname', 'listen', 'maxDynamicPeers', 'maxRoutes', 'connectionRate', 'decision', 'gracefulRestart', 'policies', 'groups'] as const;

/**
 * Parses and validates a router config. `file` names the source in problems (as given).
 * @throws ConfigError with every problem found.
 */
export function parseRouterConfig(text: string, file: string): RouterConfig {
  const yaml = readYaml(text.startsWith('\uFEFF') ? text.slice(1) : text, file);
  if (yaml.problems.length > 0) throw new ConfigError('MESHRR_CONFIG_PARSE', byLine(yaml.problems));
  const ctx = new Ctx(file);
  const config = yaml.root === null ? ctx.report('', 1, 'the file is empty; expected a mapping with routerId, asn and groups') : parseRoot(ctx, yaml.root);
  if (ctx.problems.length > 0 || config === undefined) throw new ConfigError('MESHRR_CONFIG_INVALID', byLine(ctx.problems));
  return config;
}

/**
 * Reads and parses a router config file.
 * @throws ConfigReadError when the file cannot be read, ConfigError when it is not valid.
 */
export async function loadRouterConfig(path: string): Promise<RouterConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new ConfigReadError(path, readReason(e), e);
  }
  return parseRouterConfig(text, path);
}

function readReason(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return e instanceof Error ? e.message : String(e);
}

/** Problems sorted by line, keeping the order of problems on one line. */
function byLine(problems: readonly ConfigProblem[]): ConfigProblem[] {
  return problems.map((p, i) => ({ p, i })).sort((a, b) => a.p.line - b.p.line || a.i - b.i).map((x) => x.p);
}

const NOT_A_MAPPING = 'expected a mapping with routerId, asn and groups';

function parseRoot(ctx: Ctx, n: YNode): RouterConfig | undefined {
  if (n.kind !== 'map') return ctx.report('', n.line, `${NOT_A_MAPPING}, got ${show(n)}`);
  // `x-` keys hold YAML anchors for reuse (as in Compose files); they are not config.
  const r = readMap(ctx, n, '', { known: ROOT_KEYS, ignore: (k) => k.startsWith('x-') }) as MapReader;
  const routerIdNode = r.get('routerId');
  const routerId = routerIdNode === undefined ? r.missing(ctx, 'routerId', 'the BGP identifier, a dotted quad like 192.0.2.1') : readDottedQuad(ctx, routerIdNode, 'routerId');
  const asnNode = r.get('asn');
  const asn = asnNode === undefined ? r.missing(ctx, 'asn', 'our AS number (1 to 4294967295, or asdot like 65000.1)') : readAsn(ctx, asnNode, 'asn');
  const hostname = opt(r, 'hostname', null, (v, p) => readHostname(ctx, v, p)) ?? osHostname();
  const listen = opt(r, 'listen', ROUTER_DEFAULTS.listen.map((l) => ({ ...l })), (v, p) => readListen(ctx, v, p));
  const maxDynamicPeers = opt(r, 'maxDynamicPeers', ROUTER_DEFAULTS.maxDynamicPeers, (v, p) => readInt(0, 0xffffffff)(ctx, v, p));
  const maxRoutes = opt(r, 'maxRoutes', undefined, (v, p) => readInt(1, 0xffffffff)(ctx, v, p));
  const connectionRate = opt(r, 'connectionRate', undefined, (v, p) => readConnectionRate(ctx, v, p));
  const decision = opt(r, 'decision', { alwaysCompareMed: ROUTER_DEFAULTS.alwaysCompareMed, deterministicMed: ROUTER_DEFAULTS.deterministicMed }, (v, p) => readDecision(ctx, v, p));
  const gracefulRestart = opt(r, 'gracefulRestart', { ...ROUTER_DEFAULTS.gracefulRestart }, (v, p) => readGracefulRestart(ctx, v, p));
  const policies = opt(r, 'policies', {}, (v, p) => (v.kind === 'map' ? (toPlain(v) as Record<string, unknown>) : ctx.report(p, v.line, `expected a mapping of policy names to definitions, got ${show(v)}`)));

  const env: GroupEnv = { asn, routerId, policies: policies === undefined ? undefined : Object.keys(policies) };
  const groupsNode = r.get('groups');
  let groups: ParsedGroup[] = [];
  if (groupsNode === undefined) r.missing(ctx, 'groups', 'a non-empty list of peer groups');
  else if (groupsNode.kind === 'seq' && groupsNode.items.length === 0) ctx.report('groups', groupsNode.line, 'expected a non-empty list of peer groups, got an empty list');
  else groups = (readList(ctx, groupsNode, 'groups', (g, p) => parseGroup(ctx, g, p, env)) ?? []) as ParsedGroup[];
  crossCheck(ctx, groups);
  let policySet: PolicySet | null = null;
  const policiesNode = r.get('policies');
  if (asn !== undefined && policies !== undefined) {
    const lines = new Map<string, number>();
    if (policiesNode !== undefined) collectLines(policiesNode, 'policies', lines);
    const checked = checkPolicies(policies, ctx.file, {
      localAs: asn,
      groups: groups.map((g) => g.config?.name).filter((n): n is string => n !== undefined),
      lineOf: (path) => lines.get(path),
    });
    for (const problem of checked.problems) ctx.problems.push(problem);
    policySet = checked.set;
  }

  if (ctx.problems.length > 0 || routerId === undefined || asn === undefined || policySet === null) return undefined;
  return {
    routerId,
    routerIdText: numberToDottedQuad(routerId),
    asn,
    hostname,
    listen: listen as ListenConfig[],
    maxDynamicPeers: maxDynamicPeers as number,
    ...(maxRoutes !== undefined ? { maxRoutes } : {}),
    ...(connectionRate !== undefined ? { connectionRate } : {}),
    alwaysCompareMed: (decision as { alwaysCompareMed: boolean }).alwaysCompareMed,
    deterministicMed: (decision as { deterministicMed: boolean }).deterministicMed,
    gracefulRestart: gracefulRestart as GracefulRestartConfig,
    groups: groups.map((g) => g.config as GroupConfig),
    policies: policies as Record<string, unknown>,
    policySet,
  };
}

/** Line of every key path under `node` (the policy compiler reports by path). */
function collectLines(node: YNode, path: string, out: Map<string, number>): void {
  out.set(path, node.line);
  if (node.kind === 'map') {
    for (const e of node.entries) {
      const p = joinPath(path, e.key);
      collectLines(e.value, p, out);
      out.set(p, e.keyLine);
    }
  } else if (node.kind === 'seq') {
    node.items.forEach((item, i) => collectLines(item, indexPath(path, i), out));
  }
}

/** The FQDN capability carries the host name in at most 255 octets. */
function readHostname(ctx: Ctx, n: YNode, path: string): string | undefined {
  const v = readString(ctx, n, path);
  if (v !== undefined && Buffer.byteLength(v) > 255) return ctx.report(path, n.line, `the host name is ${Buffer.byteLength(v)} bytes long; the hostname capability carries at most 255`);
  return v;
}

function readListen(ctx: Ctx, n: YNode, path: string): ListenConfig[] | undefined {
  const seen = new Map<string, string>();
  const items = readList(ctx, n, path, (item, ip) => {
    const r = readMap(ctx, item, ip, { known: ['address', 'port'] });
    if (r === undefined) return undefined;
    const addrNode = r.get('address');
    const addr = addrNode === undefined ? r.missing(ctx, 'address', 'a local IPv4 or IPv6 address (0.0.0.0 or :: for all)') : readAddress(ctx, addrNode, r.at('address'));
    const port = opt(r, 'port', 179, (v, p) => readInt(1, 65535, 'a TCP port from 1 to 65535')(ctx, v, p));
    if (addr === undefined || port === undefined) return undefined;
    const l = { address: addressText(addr), port };
    const key = `${l.address} port ${port}`;
    const prev = seen.get(key);
    if (prev !== undefined) return ctx.report(ip, item.line, `${key} is already listed at ${prev}`);
    seen.set(key, ip);
    return l;
  });
  return items?.every((l) => l !== undefined) === true ? (items as ListenConfig[]) : undefined;
}

function readDecision(ctx: Ctx, n: YNode, path: string): { alwaysCompareMed: boolean; deterministicMed: boolean } | undefined {
  const r = readMap(ctx, n, path, { known: ['alwaysCompareMed', 'deterministicMed'] });
  if (r === undefined) return undefined;
  const alwaysCompareMed = opt(r, 'alwaysCompareMed', ROUTER_DEFAULTS.alwaysCompareMed, (v, p) => readBool(ctx, v, p));
  const deterministicMed = opt(r, 'deterministicMed', ROUTER_DEFAULTS.deterministicMed, (v, p) => readBool(ctx, v, p));
  return alwaysCompareMed === undefined || deterministicMed === undefined ? undefined : { alwaysCompareMed, deterministicMed };
}

function readGracefulRestart(ctx: Ctx, n: YNode, path: string): GracefulRestartConfig | undefined {
  const d = ROUTER_DEFAULTS.gracefulRestart;
  const r = readMap(ctx, n, path, { known: ['enabled', 'restartTime', 'staleRoutesTime', 'notification'] });
  if (r === undefined) return undefined;
  const enabled = opt(r, 'enabled', d.enabled, (v, p) => readBool(ctx, v, p));
  // RFC 4724 §3: the Restart Time field has 12 bits.
  const restartTime = opt(r, 'restartTime', d.restartTime, (v, p) => readInt(0, 4095, 'a restart time from 0 to 4095 seconds (12 bits, RFC 4724 §3)')(ctx, v, p));
  // FRR's `bgp graceful-restart stalepath-time` range.
  const staleRoutesTime = opt(r, 'staleRoutesTime', d.staleRoutesTime, (v, p) => readInt(1, 4095)(ctx, v, p));
  const notification = opt(r, 'notification', d.notification, (v, p) => readBool(ctx, v, p));
  if (enabled === undefined || restartTime === undefined || staleRoutesTime === undefined || notification === undefined) return undefined;
  return { enabled, restartTime, staleRoutesTime, notification };
}

/** `connectionRate: {max, windowSeconds}`: connections accepted per source address per window. */
function readConnectionRate(ctx: Ctx, n: YNode, path: string): ConnectionRateConfig | undefined {
  const r = readMap(ctx, n, path, { known: ['max', 'windowSeconds'] });
  if (r === undefined) return undefined;
  const max = opt(r, 'max', 20, (v, p) => readInt(1, 1_000_000)(ctx, v, p));
  const windowSeconds = opt(r, 'windowSeconds', 10, (v, p) => readInt(1, 3600)(ctx, v, p));
  return max === undefined || windowSeconds === undefined ? undefined : { max, windowSeconds };
}
