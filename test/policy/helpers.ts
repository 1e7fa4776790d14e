/**
 * Builders for policy tests: interned attribute sets from readable values (AS paths in FRR's
 * text form, communities as text), routes around them, and compiling a policy from YAML text
 * with line numbers (the way the config layer is expected to hand them over).
 */
import { LineCounter, isMap, isSeq, parseDocument } from 'yaml';
import type { Node as YamlNode } from 'yaml';
import { AttrSetTable } from '../../src/rib/attr-set.js';
import type { AttrSet } from '../../src/rib/attr-set.js';
import type { AsPath, AsPathSegment, PathAttribute } from '../../src/wire/attribute-types.js';
import { AS_PATH_SEGMENT, FLAG } from '../../src/wire/iana.js';
import { compilePolicies } from '../../src/policy/compile.js';
import type { Policy, PolicyFamily, PolicyRoute, PolicySet, SourceRole } from '../../src/policy/types.js';
import { parseExtended, parseLarge, parseStandard } from '../../src/policy/communities.js';
import { parseAddress } from '../../src/policy/prefix.js';

export const table = new AttrSetTable();
export const LOCAL_AS = 65000;

/** FRR's path text (`65001 {65002,65003} (65101 65102) [65103,65104]`) → segments. */
export function parsePath(text: string): AsPath {
  const segs: AsPathSegment[] = [];
  const re = /\{([^}]*)\}|\(([^)]*)\)|\[([^\]]*)\]|(\d+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    const nums = (s: string): number[] => s.split(/[ ,]+/).filter((x) => x !== '').map(Number);
    if (m[1] !== undefined) segs.push({ type: AS_PATH_SEGMENT.AS_SET, asns: nums(m[1]) });
    else if (m[2] !== undefined) segs.push({ type: AS_PATH_SEGMENT.AS_CONFED_SEQUENCE, asns: nums(m[2]) });
    else if (m[3] !== undefined) segs.push({ type: AS_PATH_SEGMENT.AS_CONFED_SET, asns: nums(m[3]) });
    else {
      const last = segs[segs.length - 1];
      const asn = Number(m[4]);
      if (last !== undefined && last.type === AS_PATH_SEGMENT.AS_SEQUENCE) segs[segs.length - 1] = { type: last.type, asns: [...last.asns, asn] };
      else segs.push({ type: AS_PATH_SEGMENT.AS_SEQUENCE, asns: [asn] });
    }
  }
  return segs;
}

export interface SetSpec {
  asPath?: string | AsPath;
  origin?: number;
  nextHop?: string;
  localPref?: number | undefined;
  med?: number | undefined;
  communities?: readonly string[];
  extended?: readonly string[];
  large?: readonly string[];
  clusterList?: readonly number[];
  /** Attributes added as they are. */
  extra?: readonly PathAttribute[];
}

const must = <T>(v: T | null, what: string): T => {
  if (v === null) throw new Error(`bad test value ${what}`);
  return v;
};

export function attrsOf(s: SetSpec): PathAttribute[] {
  const out: PathAttribute[] = [];
  out.push({ kind: 'origin', code: 1, flags: FLAG.TRANSITIVE, value: s.origin ?? 0 });
  const path = typeof s.asPath === 'string' ? parsePath(s.asPath) : (s.asPath ?? []);
  out.push({ kind: 'asPath', code: 2, flags: FLAG.TRANSITIVE, value: path });
  const nh = must(parseAddress(s.nextHop ?? '192.0.2.1'), s.nextHop ?? '');
  if (nh.afi === 1) out.push({ kind: 'nextHop', code: 3, flags: FLAG.TRANSITIVE, value: Buffer.from(nh.octets).readUInt32BE(0) });
  if (s.med !== undefined) out.push({ kind: 'med', code: 4, flags: FLAG.OPTIONAL, value: s.med });
  if (s.localPref !== undefined) out.push({ kind: 'localPref', code: 5, flags: FLAG.TRANSITIVE, value: s.localPref });
  const OT = FLAG.OPTIONAL | FLAG.TRANSITIVE;
  if (s.communities !== undefined && s.communities.length > 0) out.push({ kind: 'communities', code: 8, flags: OT, value: s.communities.map((c) => must(parseStandard(c), c)) });
  if (s.clusterList !== undefined && s.clusterList.length > 0) out.push({ kind: 'clusterList', code: 10, flags: FLAG.OPTIONAL, value: s.clusterList });
  if (s.extended !== undefined && s.extended.length > 0) out.push({ kind: 'extendedCommunities', code: 16, flags: OT, value: Buffer.from(s.extended.map((c) => must(parseExtended(c), c)).join(''), 'hex') });
  if (s.large !== undefined && s.large.length > 0) out.push({ kind: 'largeCommunities', code: 32, flags: OT, value: s.large.flatMap((c) => must(parseLarge(c), c)) });
  out.push(...(s.extra ?? []));
  return out;
}

/** An interned set (kept alive by its reference: tests never release). */
export function mkSet(s: SetSpec = {}): AttrSet {
  const nh = must(parseAddress(s.nextHop ?? '192.0.2.1'), s.nextHop ?? '');
  return table.intern(attrsOf(s), Buffer.from(nh.octets));
}

/** Interns an attribute list as a caller would with an outcome's attributes. */
export function internList(attributes: readonly PathAttribute[], nextHop: Buffer): AttrSet {
  return table.intern(attributes, nextHop);
}

export interface RouteSpec {
  prefix?: string | null;
  group?: string;
  role?: SourceRole;
  peerAs?: number;
  family?: PolicyFamily;
}

export function mkRoute(set: AttrSet, r: RouteSpec = {}): PolicyRoute {
  let prefix: PolicyRoute['prefix'] = null;
  const text = r.prefix === undefined ? '10.0.0.0/24' : r.prefix;
  if (text !== null) {
    const [addr, len] = text.split('/');
    const a = must(parseAddress(addr ?? ''), text);
    prefix = { afi: a.afi, bits: Number(len), octets: a.octets };
  }
  const family = r.family ?? (prefix?.afi === 2 ? 'ipv6-unicast' : 'ipv4-unicast');
  return { set, prefix, family, source: { group: r.group ?? 'clients', role: r.role ?? 'client', peerAs: r.peerAs ?? LOCAL_AS } };
}

export const GROUPS = ['clients', 'core', 'region-a', 'region-b', 'upstream'];

/** Line of each key path in a YAML document (what the config layer would pass as lineOf). */
export function yamlLines(text: string): Map<string, number> {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc });
  const out = new Map<string, number>();
  const walk = (n: unknown, path: string): void => {
    const node = n as YamlNode | null;
    if (node?.range != null) out.set(path, lc.linePos(node.range[0]).line);
    if (isMap(node)) {
      for (const pair of node.items) {
        const k = String((pair.key as { value?: unknown } | null)?.value ?? '');
        const kp = path === '' ? k : `${path}.${/^[A-Za-z_][A-Za-z0-9_-]*$/.test(k) ? k : JSON.stringify(k)}`;
        const keyNode = pair.key as YamlNode | null;
        if (keyNode?.range != null) out.set(kp, lc.linePos(keyNode.range[0]).line);
        walk(pair.value, kp);
      }
    } else if (isSeq(node)) node.items.forEach((it, i) => walk(it, `${path}[${i}]`));
  };
  walk(doc.contents, '');
  return out;
}

/** Compiles the `policies:` of a YAML text (a full document with a top-level `policies:` key). */
export function compileYaml(text: string, opts: { localAs?: number; groups?: readonly string[]; file?: string } = {}): PolicySet {
  const doc = parseDocument(text);
  const raw = (doc.toJS() as { policies?: unknown } | null)?.policies;
  const lines = yamlLines(text);
  return compilePolicies(raw, opts.file ?? 'rr.yml', { localAs: opts.localAs ?? LOCAL_AS, groups: opts.groups ?? GROUPS, lineOf: (p) => lines.get(p) });
}

/** One policy from the plain `policies:` value. */
export function policyOf(raw: unknown, name = 'p', localAs = LOCAL_AS): Policy {
  const set = compilePolicies(raw, 'rr.yml', { localAs, groups: GROUPS });
  const p = set.policies.get(name);
  if (p === undefined) throw new Error(`no policy ${name}`);
  return p;
}

/** A policy with one term `{match, then: accept}` and default reject. */
export function matcher(match: unknown): Policy {
  return policyOf({ p: { default: 'reject', terms: [{ match, then: 'accept' }] } });
}
