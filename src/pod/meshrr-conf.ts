/**
 * The meshrr.conf.yml loader: YAML text -> a validated `MeshrrConf` (meshrr-conf-types.ts),
 * compatible with Juniper's meshrr v0.2 files. Every problem is reported at once with the
 * file, the key path, the line and what was expected, as a `ConfigError` (the router config's
 * error type: `MESHRR_CONFIG_PARSE` for YAML syntax, `MESHRR_CONFIG_INVALID` otherwise).
 *
 * Compatibility rules (docs/pod.md has the reference):
 * 1. Keys as in meshrr: `asn` (string, asplain or asdot), `mode`, `bgpgroups`, and
 *    `encrypted_root_pw`, accepted and ignored with a notice. `type` and `sourcetype` are
 *    case-insensitive, as meshrr's `casefold()` made them.
 * 2. Extra keys of a group are kept for the template; so are unknown top-level keys. A key
 *    within two edits of a known one (`max_peer`) is an error with a suggestion instead.
 * 3. AUTONOMOUS_SYSTEM and MESHRR_MODE win over the file (meshrr used the file's `asn`, and
 *    only MESHRR_MODE picked the template); a differing value is logged as a notice.
 * 4. Without a file, meshrr's defaults apply: MESHRR-MESH (dns `meshrr`), MESHRR-CLIENTS
 *    (subtractive 0.0.0.0/0) and MESHRR-UPSTREAM (dns `meshrr.core.svc.cluster.local`,
 *    max_peers 2), AS 65000, routereflector mode, overridden by the environment as above.
 *
 * Owns: schema, defaults, cross-group checks. Must not: read the environment (pod-env.ts).
 */
import { readFile } from 'node:fs/promises';
import { ConfigError, ConfigReadError } from '../config/router-config-errors.js';
import type { ConfigProblem } from '../config/router-config-errors.js';
import { AS_TRANS, ASN_MAX, Ctx, opt, readInt, readList, readMap, readPrefix, readString, suggestKey } from '../config/router-config-fields.js';
import type { MapReader } from '../config/router-config-fields.js';
import { prefixText, prefixesOverlap } from '../config/router-config-ip.js';
import type { IpPrefix } from '../config/router-config-ip.js';
import { readYaml, show, toPlain } from '../config/router-config-yaml.js';
import type { YNode } from '../config/router-config-yaml.js';
import { MODE_ALIASES } from './meshrr-conf-types.js';
import type { AsRange, BgpGroupConf, ConfOverrides, KubernetesSourceConf, MeshrrConf, MeshrrMode } from './meshrr-conf-types.js';

export const DEFAULT_CONF_PATH = '/opt/meshrr/conf/meshrr.conf.yml';
export const BUILTIN_SOURCE = '(built-in defaults)';

/** Juniper meshrr v0.2's defaults/meshrr.conf.yml, same groups and values. */
export const BUILTIN_CONF = `asn: "65000"
mode: routereflector
bgpgroups:
  - name: MESHRR-MESH
    type: mesh
    source:
      sourcetype: dns
      hostname: meshrr
  - name: MESHRR-CLIENTS
    type: subtractive
    prefixes:
      - 0.0.0.0/0
  - name: MESHRR-UPSTREAM
    type: mesh
    source:
      sourcetype: dns
      hostname: meshrr.core.svc.cluster.local
    max_peers: 2
`;

/**
 * The built-in config for a mode: in routeserver mode MESHRR-CLIENTS also gets the AS range
 * meshrr v0.1 defaulted to (MESHRR_ASRANGE 65001-65500), since eBGP clients need one.
 */
export function builtinConf(mode: MeshrrMode | undefined): string {
  return mode === 'routeserver' ? BUILTIN_CONF.replace('      - 0.0.0.0/0\n', '      - 0.0.0.0/0\n    asranges:\n      - 65001-65500\n') : BUILTIN_CONF;
}

const ROOT_KEYS = ['encrypted_root_pw', 'asn', 'mode', 'bgpgroups'] as const;
const GROUP_KEYS = ['name', 'type', 'source', 'max_peers', 'prefixes', 'asranges'] as const;
const SOURCE_KEYS = ['sourcetype', 'hostname', 'service', 'namespace'] as const;
const MESH_ONLY = ['source', 'max_peers'] as const;
const SUBTRACTIVE_ONLY = ['prefixes', 'asranges'] as const;

const ASN_WHAT = 'expected asplain like "65000" or asdot like "65000.1"';

/**
 * An AS number from text, with a specific reason when it is not one: asplain 1..4294967295
 * or asdot `HIGH.LOW` (RFC 5396, each half 0..65535); never 0 (RFC 7607) or AS_TRANS.
 */
export function parseAsnStrict(text: string): { value: number } | { error: string } {
  const t = text.trim();
  const m = /^(\d+)(?:\.(\d+))?$/.exec(t);
  if (m === null) return { error: `'${text}' is not an AS number; ${ASN_WHAT}` };
  let value: number;
  if (m[2] !== undefined) {
    const hi = Number(m[1]);
    const lo = Number(m[2]);
    if (hi > 0xffff || lo > 0xffff) return { error: `asdot '${t}' is out of range: both halves must be 0 to 65535 (RFC 5396)` };
    value = hi * 65536 + lo;
  } else {
    value = Number(m[1]);
    if (value > ASN_MAX) return { error: `${t} is out of range: AS numbers go from 1 to 4294967295` };
  }
  if (value === 0) return { error: `AS 0 is reserved and cannot be our AS (RFC 7607)` };
  if (value === AS_TRANS) return { error: `${t} is AS_TRANS (RFC 6793), not a real AS number` };
  return { value };
}

/** The text of a scalar that should hold an AS number (an unquoted 65000.10 is a YAML float). */
function asnText(n: YNode): string | null {
  if (n.kind !== 'scalar') return null;
  if (typeof n.value === 'string') return n.value;
  if (typeof n.value === 'number') return n.plain ?? String(n.value);
  return null;
}

function readAsnField(ctx: Ctx, n: YNode, path: string): { value: number; text: string } | undefined {
  const text = asnText(n);
  if (text === null) return ctx.report(path, n.line, `expected an AS number like "65000" or "65000.1", got ${show(n)}`);
  const r = parseAsnStrict(text);
  if ('error' in r) return ctx.report(path, n.line, r.error);
  return { value: r.value, text };
}

/** A mode name (meshrr's or ours) -> the canonical mode; null if unknown. */
export function parseMode(text: string): MeshrrMode | null {
  return MODE_ALIASES[text.trim().toLowerCase()] ?? null;
}

export const MODE_WHAT = 'routereflector (or ipv4rr) or routeserver (or evpnrs)';

const HOSTNAME_LABEL = /^[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/;

/** A DNS name: labels of 1 to 63 letters, digits, hyphens (underscores tolerated), ≤ 253 chars. */
export function isDnsName(text: string): boolean {
  const t = text.endsWith('.') ? text.slice(0, -1) : text;
  return t.length > 0 && t.length <= 253 && t.split('.').every((l) => HOSTNAME_LABEL.test(l));
}

/**
 * Parses and validates meshrr.conf.yml text. `file` names the source in problems.
 * @throws ConfigError with every problem found.
 */
export function parseMeshrrConf(text: string, file: string, overrides: ConfOverrides = {}): MeshrrConf {
  const yaml = readYaml(text.startsWith('\uFEFF') ? text.slice(1) : text, file);
  if (yaml.problems.length > 0) throw new ConfigError('MESHRR_CONFIG_PARSE', yaml.problems);
  const ctx = new Ctx(file);
  const conf = yaml.root === null ? ctx.report('', 1, 'the file is empty; expected a mapping with asn, mode and bgpgroups') : parseRoot(ctx, yaml.root, file, overrides);
  if (ctx.problems.length > 0 || conf === undefined) throw new ConfigError('MESHRR_CONFIG_INVALID', byLine(ctx.problems));
  return conf;
}

/**
 * Reads meshrr.conf.yml at `path`; a missing file means the built-in defaults (with a notice).
 * @throws ConfigReadError when the file exists but cannot be read, ConfigError when invalid.
 */
export async function loadMeshrrConf(path: string, overrides: ConfOverrides = {}): Promise<MeshrrConf> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as { code?: unknown } | null)?.code;
    if (code === 'ENOENT') {
      const conf = parseMeshrrConf(builtinConf(overrides.mode), BUILTIN_SOURCE, overrides);
      return { ...conf, notices: [`no ${path}: using the built-in defaults (MESHRR-MESH, MESHRR-CLIENTS, MESHRR-UPSTREAM)`, ...conf.notices] };
    }
    const reason = code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : e instanceof Error ? e.message : String(e);
    throw new ConfigReadError(path, reason, e);
  }
  return parseMeshrrConf(text, path, overrides);
}

function byLine(problems: readonly ConfigProblem[]): ConfigProblem[] {
  return problems.map((p, i) => ({ p, i })).sort((a, b) => a.p.line - b.p.line || a.i - b.i).map((x) => x.p);
}

interface Parsed {
  readonly conf: BgpGroupConf;
  readonly path: string;
  readonly line: number;
  readonly prefixes: readonly { readonly value: IpPrefix; readonly path: string; readonly line: number }[];
  readonly hostnameAt?: { readonly path: string; readonly line: number };
}

function parseRoot(ctx: Ctx, n: YNode, file: string, overrides: ConfOverrides): MeshrrConf | undefined {
  if (n.kind !== 'map') return ctx.report('', n.line, `expected a mapping with asn, mode and bgpgroups, got ${show(n)}`);
  const r = readMap(ctx, n, '', { known: ROOT_KEYS, keepExtra: true }) as MapReader;
  const notices: string[] = [];
  if (r.get('encrypted_root_pw') !== undefined) notices.push(`${file}: encrypted_root_pw is ignored: meshrr has no root login (it set cRPD's root password)`);

  const asnNode = r.get('asn');
  const fileAsn = asnNode === undefined ? undefined : readAsnField(ctx, asnNode, 'asn');
  if (asnNode === undefined && overrides.asn === undefined) r.missing(ctx, 'asn', 'our AS number as a string, asplain like "65000" or asdot like "65000.1" (or set AUTONOMOUS_SYSTEM)');
  if (overrides.asn !== undefined && fileAsn !== undefined && fileAsn.value !== overrides.asn.value) {
    notices.push(`AUTONOMOUS_SYSTEM=${overrides.asn.text} overrides asn ${fileAsn.text} of ${file}`);
  }

  const modeNode = r.get('mode');
  const fileMode = modeNode === undefined ? 'routereflector' : readModeField(ctx, modeNode);
  if (overrides.mode !== undefined && fileMode !== undefined && modeNode !== undefined && fileMode !== overrides.mode) {
    notices.push(`MESHRR_MODE=${overrides.mode} overrides mode ${fileMode} of ${file}`);
  }
  const mode = overrides.mode ?? fileMode;

  const groupsNode = r.get('bgpgroups');
  let parsed: (Parsed | undefined)[] = [];
  if (groupsNode === undefined) r.missing(ctx, 'bgpgroups', 'a list of groups, at least one with type: mesh');
  else parsed = readList(ctx, groupsNode, 'bgpgroups', (g, p) => parseGroup(ctx, g, p, mode ?? 'routereflector')) ?? [];
  if (groupsNode !== undefined) crossCheck(ctx, groupsNode, parsed);

  const asn = overrides.asn ?? fileAsn;
  if (ctx.problems.length > 0 || asn === undefined || mode === undefined) return undefined;
  return { source: file, asn: asn.value, asnText: asn.text, mode, groups: parsed.map((p) => (p as Parsed).conf), extra: r.extra, notices };
}

function readModeField(ctx: Ctx, n: YNode): MeshrrMode | undefined {
  const m = n.kind === 'scalar' && typeof n.value === 'string' ? parseMode(n.value) : null;
  if (m !== null) return m;
  return ctx.report('mode', n.line, `${show(n)} is not a mode; expected ${MODE_WHAT}`);
}

function parseGroup(ctx: Ctx, n: YNode, path: string, mode: MeshrrMode): Parsed | undefined {
  const r = readMap(ctx, n, path, { known: GROUP_KEYS, keepExtra: true });
  if (r === undefined) return undefined;
  const nameNode = r.get('name');
  const name = nameNode === undefined ? r.missing(ctx, 'name', 'the BGP group name, like MESHRR-MESH') : readString(ctx, nameNode, r.at('name'));
  const typeNode = r.get('type');
  let type: 'mesh' | 'subtractive' | undefined;
  if (typeNode === undefined) r.missing(ctx, 'type', 'mesh or subtractive');
  else if (typeNode.kind === 'scalar' && typeof typeNode.value === 'string' && ['mesh', 'subtractive'].includes(typeNode.value.toLowerCase())) type = typeNode.value.toLowerCase() as 'mesh' | 'subtractive';
  else {
    const hint = typeNode.kind === 'scalar' && typeof typeNode.value === 'string' ? suggestKey(typeNode.value.toLowerCase(), ['mesh', 'subtractive']) : null;
    ctx.report(r.at('type'), typeNode.line, `unknown type ${show(typeNode)}; expected mesh or subtractive${hint === null ? '' : ` (did you mean ${hint}?)`}`);
  }
  if (type === undefined || name === undefined) return undefined;

  const wrong = type === 'mesh' ? SUBTRACTIVE_ONLY : MESH_ONLY;
  for (const k of wrong) {
    if (r.get(k) === undefined) continue;
    const why = type === 'mesh' ? `a mesh group's peers come from DNS (source.hostname)` : `a subtractive group accepts routers from its prefixes`;
    ctx.report(r.at(k), r.node.entries.find((e) => e.key === k)?.keyLine ?? r.node.line, `${k} belongs to ${type === 'mesh' ? 'subtractive' : 'mesh'} groups; ${why}`);
  }
  const data: Record<string, unknown> = { ...(toPlain(r.node) as Record<string, unknown>), name, type };
  return type === 'mesh' ? parseMesh(ctx, r, path, name, data) : parseSubtractive(ctx, r, path, name, data, mode);
}

function parseMesh(ctx: Ctx, r: MapReader, path: string, name: string, data: Record<string, unknown>): Parsed | undefined {
  const srcNode = r.get('source');
  if (srcNode === undefined) return r.missing(ctx, 'source', 'a mapping with sourcetype: dns and hostname (the headless Service)');
  const s = readMap(ctx, srcNode, r.at('source'), { known: SOURCE_KEYS });
  if (s === undefined) return undefined;
  const stNode = s.get('sourcetype');
  let sourcetype: 'dns' | 'kubernetes' | undefined = 'dns';
  if (stNode !== undefined) {
    const st = stNode.kind === 'scalar' && typeof stNode.value === 'string' ? stNode.value.toLowerCase() : null;
    if (st === 'dns' || st === 'kubernetes') sourcetype = st;
    else {
      const hint = st === null ? null : st === 'k8s' ? 'kubernetes' : suggestKey(st, ['dns', 'kubernetes']);
      sourcetype = ctx.report(s.at('sourcetype'), stNode.line, `unknown sourcetype ${show(stNode)}; expected dns or kubernetes${hint === null ? '' : ` (did you mean ${hint}?)`}`);
    }
  }
  if (sourcetype === undefined) return undefined;
  const wrongKeys = sourcetype === 'dns' ? (['service', 'namespace'] as const) : (['hostname'] as const);
  for (const k of wrongKeys) {
    if (s.get(k) === undefined) continue;
    const why = sourcetype === 'dns' ? 'a dns source resolves source.hostname; set sourcetype: kubernetes to watch a Service' : 'a kubernetes source watches the EndpointSlices of source.service';
    ctx.report(s.at(k), s.node.entries.find((e) => e.key === k)?.keyLine ?? s.node.line, `${k} belongs to ${sourcetype === 'dns' ? 'kubernetes' : 'dns'} sources; ${why}`);
  }
  let hostname: string | undefined;
  let kubernetes: KubernetesSourceConf | null = null;
  let hNode: YNode | undefined;
  let hostAt: string;
  if (sourcetype === 'dns') {
    hNode = s.get('hostname');
    hostAt = s.at('hostname');
    if (hNode === undefined) s.missing(ctx, 'hostname', 'the headless Service name to resolve, like meshrr or meshrr.core.svc.cluster.local');
    else {
      hostname = readString(ctx, hNode, s.at('hostname'));
      if (hostname !== undefined && !isDnsName(hostname)) hostname = ctx.report(s.at('hostname'), hNode.line, `${show(hNode)} is not a DNS name (letters, digits and hyphens in dot-separated labels of 1 to 63 characters)`);
    }
  } else {
    hNode = s.get('service');
    hostAt = s.at('service');
    const service = readK8sName(ctx, s, 'service', 'the Service whose EndpointSlices list the peers, like meshrr-core', true);
    const namespace = readK8sName(ctx, s, 'namespace', '', false);
    if (typeof service === 'string' && namespace !== undefined) {
      kubernetes = { service, namespace };
      hostname = namespace === null ? service : `${service}.${namespace}.svc`;
    }
  }
  const maxPeers = opt(r, 'max_peers', null, (v, p) => readInt(1, 0xffff, 'a number of peers from 1 to 65535')(ctx, v, p));
  if (hostname === undefined || maxPeers === undefined) return undefined;
  data.source = kubernetes === null ? { sourcetype: 'dns', hostname } : { sourcetype: 'kubernetes', service: kubernetes.service, ...(kubernetes.namespace === null ? {} : { namespace: kubernetes.namespace }) };
  if (maxPeers !== null) data.max_peers = maxPeers;
  return {
    conf: { type: 'mesh', name, sourcetype, hostname, kubernetes, maxPeers, data },
    path,
    line: r.node.line,
    prefixes: [],
    hostnameAt: { path: hostAt, line: hNode?.line ?? r.node.line },
  };
}

const K8S_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * A Service or namespace name (an RFC 1123 label: lower-case letters, digits, hyphens, at most
 * 63). `required`: missing is an error; otherwise missing gives null. undefined: reported.
 */
function readK8sName(ctx: Ctx, s: MapReader, key: 'service' | 'namespace', expected: string, required: boolean): string | null | undefined {
  const n = s.get(key);
  if (n === undefined) return required ? s.missing(ctx, key, expected) : null;
  const v = readString(ctx, n, s.at(key));
  if (v === undefined) return undefined;
  if (!K8S_NAME.test(v)) return ctx.report(s.at(key), n.line, `${show(n)} is not a ${key} name (lower-case letters, digits and hyphens, at most 63 characters, RFC 1123)`);
  return v;
}

function parseSubtractive(ctx: Ctx, r: MapReader, path: string, name: string, data: Record<string, unknown>, mode: MeshrrMode): Parsed | undefined {
  const pNode = r.get('prefixes');
  let prefixes: { value: IpPrefix; path: string; line: number }[] | undefined;
  if (pNode === undefined) r.missing(ctx, 'prefixes', 'a list of prefixes the group accepts routers from, like [0.0.0.0/0]');
  else if (pNode.kind === 'seq' && pNode.items.length === 0) ctx.report(r.at('prefixes'), pNode.line, 'expected at least one prefix, got an empty list');
  else {
    const items = readList(ctx, pNode, r.at('prefixes'), (it, p) => {
      const v = readPrefix(ctx, it, p);
      return v === undefined ? undefined : { value: v, path: p, line: it.line };
    });
    if (items !== undefined && items.every((x) => x !== undefined)) prefixes = items as { value: IpPrefix; path: string; line: number }[];
  }
  const aNode = r.get('asranges');
  let asranges: AsRange[] | undefined = [];
  if (aNode !== undefined) {
    const items = readList(ctx, aNode, r.at('asranges'), (it, p) => readAsRangeField(ctx, it, p));
    asranges = items !== undefined && items.every((x) => x !== undefined) ? (items as AsRange[]) : undefined;
  } else if (mode === 'routeserver') {
    r.missing(ctx, 'asranges', 'the AS ranges of its routers (routeserver mode peers with them over eBGP), like [65001-65535]');
    asranges = undefined;
  }
  if (prefixes === undefined || asranges === undefined) return undefined;
  data.prefixes = prefixes.map((p) => prefixText(p.value));
  if (aNode !== undefined) data.asranges = asranges.map((a) => (a.min === a.max ? String(a.min) : `${a.min}-${a.max}`));
  return { conf: { type: 'subtractive', name, prefixes: data.prefixes as string[], asranges, data }, path, line: r.node.line, prefixes };
}

/** `65001-65535`, `65000.1-65000.100` or one AS. */
function readAsRangeField(ctx: Ctx, n: YNode, path: string): AsRange | undefined {
  const text = asnText(n);
  if (text === null) return ctx.report(path, n.line, `expected an AS number or range like 65001-65535, got ${show(n)}`);
  const parts = text.split('-');
  if (parts.length > 2) return ctx.report(path, n.line, `'${text}' is not an AS range; expected FIRST-LAST like 65001-65535`);
  const ends = parts.map((p) => parseAsnStrict(p));
  for (const e of ends) if ('error' in e) return ctx.report(path, n.line, `in '${text}': ${e.error}`);
  const [min, max] = ends.map((e) => (e as { value: number }).value) as [number, number?];
  const hi = max ?? min;
  if (min > hi) return ctx.report(path, n.line, `'${text}' is an empty range (${min} > ${hi})`);
  return { min, max: hi };
}

/** Unique names, unique hostnames, no overlap between subtractive groups, a mesh group. */
function crossCheck(ctx: Ctx, groupsNode: YNode, parsed: readonly (Parsed | undefined)[]): void {
  const names = new Map<string, string>();
  const hosts = new Map<string, string>();
  const done: Parsed[] = [];
  for (const p of parsed) {
    if (p === undefined) continue;
    const prevName = names.get(p.conf.name);
    if (prevName !== undefined) ctx.report(`${p.path}.name`, p.line, `group name '${p.conf.name}' is already used at ${prevName}`);
    else names.set(p.conf.name, p.path);
    if (p.conf.type === 'mesh' && p.hostnameAt !== undefined) {
      const h = p.conf.hostname.toLowerCase().replace(/\.$/, '');
      const prev = hosts.get(h);
      if (prev !== undefined) ctx.report(p.hostnameAt.path, p.hostnameAt.line, `${p.conf.kubernetes === null ? 'hostname' : 'service'} '${p.conf.kubernetes === null ? p.conf.hostname : p.conf.kubernetes.service}' is already the source of group ${prev}; two groups would discover the same peers`);
      else hosts.set(h, p.conf.name);
    }
    for (const pr of p.prefixes) {
      for (const other of done) {
        const hit = other.prefixes.find((o) => prefixesOverlap(o.value, pr.value));
        if (hit === undefined) continue;
        ctx.report(pr.path, pr.line, `${prefixText(pr.value)} overlaps ${prefixText(hit.value)} of group ${other.conf.name} (${hit.path}); prefixes of different subtractive groups must not overlap`);
        break;
      }
    }
    done.push(p);
  }
  const complete = parsed.every((p) => p !== undefined);
  if (complete && groupsNode.kind === 'seq' && !done.some((p) => p.conf.type === 'mesh')) {
    ctx.report('bgpgroups', groupsNode.line, 'no mesh group: at least one group needs type: mesh (the pod finds its peers through mesh groups)');
  }
}
