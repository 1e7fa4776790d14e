/**
 * The policy compiler: the router config's raw `policies:` value → a validated, compiled
 * `PolicySet`, or every problem in it at once (ConfigError 'MESHRR_CONFIG_INVALID' with
 * `{file, path, line, message}` problems, the router config's own error shape). Regular
 * expressions, community values and prefixes are compiled here, once.
 *
 * Layout of `policies:` (docs/policy.md):
 *
 *     policies:
 *       prefixLists:            # reserved name: the named prefix lists
 *         NAME: [ENTRY, ...]
 *       POLICY:
 *         default: accept | reject     # when no term decides; default reject
 *         terms:
 *           - name: TEXT               # optional, unique in the policy
 *             match: {KEY: VALUE, ...} # optional: no conditions match every route
 *             then: accept | reject | next-term | {ACTION: VALUE, ..., action: FLOW}
 *
 * Owns: the policy and term levels, prefix-list definitions, reference checks. Must not:
 * read files (the config layer hands over the parsed value and, optionally, YAML lines).
 */
import { ConfigError } from '../config/router-config-errors.js';
import type { ConfigProblem } from '../config/router-config-errors.js';
import { compileThen } from './compile-actions.js';
import { compileMatch, readPrefixEntry } from './compile-match.js';
import type { MatchEnv } from './compile-match.js';
import type { PrefixEntry } from './prefix.js';
import { checkKeys, get, indexPath, isMap, joinPath, Problems, quote, readEnum, show, suggest } from './reader.js';
import type { CompiledTerm } from './term.js';
import { acceptedUnchangedBy, makeRef, rejectedBy } from './term.js';
import type { Policy, PolicyDefault, PolicySet } from './types.js';

/** The key under `policies:` that holds prefix lists instead of a policy. */
export const PREFIX_LISTS_KEY = 'prefixLists';
export const POLICY_KEYS = ['description', 'default', 'terms'] as const;
export const TERM_KEYS = ['name', 'description', 'match', 'then'] as const;
/** What a policy without `default:` does with routes no term decided (FRR's implicit deny). */
export const DEFAULT_POLICY_DEFAULT: PolicyDefault = 'reject';

export interface CompileOptions {
  /** Our AS: `asPathPrepend {asn: own}` and the origin AS of an empty path (RFC 6811 §2). */
  readonly localAs: number;
  /** Peer group names `fromGroup` may use. */
  readonly groups: readonly string[];
  /** 1-based line of a key path (`policies.x.terms[0]`) when the caller kept YAML positions. */
  readonly lineOf?: (path: string) => number | undefined;
  /** Root path of the raw value in the document (default `policies`). */
  readonly root?: string;
}

/** Where a group names a policy: `{name: 'region-out', path: 'groups[2].exportPolicy', line: 31}`. */
export interface PolicyReference {
  readonly name: string;
  readonly path: string;
  readonly line: number;
}

/**
 * Compiles every policy; throws on any problem.
 * @throws ConfigError 'MESHRR_CONFIG_INVALID' listing every problem.
 */
export function compilePolicies(raw: unknown, file: string, opts: CompileOptions): PolicySet {
  const r = checkPolicies(raw, file, opts);
  if (r.set === null) throw new ConfigError('MESHRR_CONFIG_INVALID', r.problems);
  return r.set;
}

/** Like `compilePolicies`, but returns the problems (for a loader that merges them with its own). */
export function checkPolicies(raw: unknown, file: string, opts: CompileOptions): { set: PolicySet | null; problems: ConfigProblem[] } {
  const p = new Problems(file, opts.lineOf);
  const root = opts.root ?? 'policies';
  const policies = new Map<string, Policy>();
  let prefixLists = new Map<string, readonly PrefixEntry[]>();
  if (raw === undefined || raw === null) {
    // no policies
  } else if (!isMap(raw)) {
    p.report(root, `expected a mapping of policy names to definitions, got ${show(raw)}`);
  } else {
    const plRaw = get(raw, PREFIX_LISTS_KEY);
    if (plRaw !== undefined) prefixLists = readPrefixLists(p, plRaw, joinPath(root, PREFIX_LISTS_KEY));
    const env: MatchEnv = { groups: opts.groups, prefixLists };
    for (const [name, def] of Object.entries(raw)) {
      if (name === PREFIX_LISTS_KEY) continue;
      const path = joinPath(root, name);
      if (name === '') {
        p.report(path, 'a policy name must not be empty');
        continue;
      }
      const pol = compilePolicy(p, name, def, path, env, opts.localAs);
      if (pol !== undefined) policies.set(name, pol);
    }
  }
  const problems = byLine(p.list);
  if (problems.length > 0) return { set: null, problems };
  return { set: { file, localAs: opts.localAs, policies, prefixLists: [...prefixLists.keys()] }, problems };
}

function byLine(problems: readonly ConfigProblem[]): ConfigProblem[] {
  return problems.map((x, i) => ({ x, i })).sort((a, b) => a.x.line - b.x.line || a.i - b.i).map((e) => e.x);
}

function readPrefixLists(p: Problems, v: unknown, path: string): Map<string, readonly PrefixEntry[]> {
  const out = new Map<string, readonly PrefixEntry[]>();
  if (!isMap(v)) {
    p.report(path, `expected a mapping of prefix-list names to lists of prefixes, got ${show(v)}`);
    return out;
  }
  for (const [name, list] of Object.entries(v)) {
    const lp = joinPath(path, name);
    if (!Array.isArray(list) || list.length === 0) {
      p.report(lp, Array.isArray(list) ? 'an empty prefix list matches nothing; list at least one prefix' : `expected a list of prefixes (like 10.0.0.0/8 le 24), got ${show(list)}`);
      // Keep the name known, so matches referring to it do not add "unknown prefix list".
      out.set(name, []);
      continue;
    }
    const entries: PrefixEntry[] = [];
    list.forEach((item: unknown, i) => {
      const e = readPrefixEntry(p, item, indexPath(lp, i));
      if (e !== undefined) entries.push(e);
    });
    out.set(name, entries);
  }
  return out;
}

function compilePolicy(p: Problems, name: string, def: unknown, path: string, env: MatchEnv, localAs: number): Policy | undefined {
  if (def === null || def === undefined) return finish(name, localAs, DEFAULT_POLICY_DEFAULT, []);
  if (!isMap(def)) return p.report(path, `expected a policy mapping with default and terms, got ${show(def)}`);
  const before = p.list.length;
  checkKeys(p, def, path, POLICY_KEYS);
  const dv = get(def, 'default');
  const dflt = dv === undefined ? DEFAULT_POLICY_DEFAULT : readEnum(p, dv, joinPath(path, 'default'), ['accept', 'reject'] as const);
  const desc = get(def, 'description');
  if (desc !== undefined && typeof desc !== 'string') p.report(joinPath(path, 'description'), `expected text, got ${show(desc)}`);
  const termsV = get(def, 'terms');
  const terms: CompiledTerm[] = [];
  if (termsV !== undefined && !Array.isArray(termsV)) p.report(joinPath(path, 'terms'), `expected a list of terms, got ${show(termsV)}`);
  else if (termsV !== undefined) {
    const names = new Map<string, string>();
    termsV.forEach((t: unknown, i) => {
      const tp = indexPath(joinPath(path, 'terms'), i);
      const term = compileTerm(p, name, t, i, tp, env, names);
      if (term !== undefined) terms.push(term);
    });
  }
  if (p.list.length > before || dflt === undefined) return undefined;
  return finish(name, localAs, dflt, terms);
}

function compileTerm(p: Problems, policy: string, v: unknown, index: number, path: string, env: MatchEnv, names: Map<string, string>): CompiledTerm | undefined {
  if (!isMap(v)) return p.report(path, `expected a term mapping with match and then, got ${show(v)}`);
  checkKeys(p, v, path, TERM_KEYS);
  const nv = get(v, 'name');
  let name = `terms[${index}]`;
  if (nv !== undefined) {
    if (typeof nv !== 'string' || nv === '') p.report(joinPath(path, 'name'), `expected a non-empty term name, got ${show(nv)}`);
    else if (names.has(nv)) p.report(joinPath(path, 'name'), `term name ${quote(nv)} is already used at ${names.get(nv) as string}`);
    else {
      names.set(nv, path);
      name = nv;
    }
  }
  const conditions = compileMatch(p, get(v, 'match'), joinPath(path, 'match'), env);
  const then = compileThen(p, get(v, 'then'), joinPath(path, 'then'));
  if (conditions === undefined || then === undefined) return undefined;
  const ref = makeRef(policy, index, name);
  return { ref, conditions, actions: then.actions, flow: then.flow, rejected: rejectedBy(ref), acceptedUnchanged: acceptedUnchangedBy(ref) };
}

function finish(name: string, localAs: number, dflt: PolicyDefault, terms: readonly CompiledTerm[]): Policy {
  const uses = (dep: 'prefix' | 'group' | 'role' | 'family'): boolean => terms.some((t) => t.conditions.some((c) => c.deps[dep] === true));
  return Object.freeze({
    name,
    default: dflt,
    localAs,
    terms,
    usesPrefix: uses('prefix'),
    usesGroup: uses('group'),
    usesRole: uses('role'),
    usesFamily: uses('family'),
    setsNextHopSelf: terms.some((t) => t.actions.some((a) => a.nextHopSelf === true)),
    defaultRef: makeRef(name, -1, 'default'),
  });
}

/**
 * Problems for policy names that groups refer to but the set does not define (the config
 * layer passes every `importPolicy`/`exportPolicy`); [] when all exist.
 */
export function checkReferences(set: PolicySet, refs: readonly PolicyReference[]): ConfigProblem[] {
  const known = [...set.policies.keys()];
  const out: ConfigProblem[] = [];
  for (const r of refs) {
    if (set.policies.has(r.name)) continue;
    let message: string;
    if (r.name === PREFIX_LISTS_KEY) message = `${quote(r.name)} holds the prefix lists, not a policy`;
    else {
      const hint = suggest(r.name, known);
      const list = known.length === 0 ? 'no policies are defined' : `defined: ${known.join(', ')}`;
      message = `policy ${quote(r.name)} is not defined under policies (${list})${hint === null ? '' : `; did you mean ${hint}?`}`;
    }
    out.push({ file: set.file, path: r.path, line: r.line, message });
  }
  return out;
}
