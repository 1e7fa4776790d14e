/**
 * A term's `match:` mapping → compiled conditions, ANDed in the order of MATCH_KEYS (cheap
 * tests on precomputed fields first, regular expressions last). Lists are any-of unless the
 * key says otherwise; docs/policy.md has the full table.
 *
 * Owns: match keys, their value forms and their problems. Must not: evaluate.
 */
import { compileAsPathRegex } from './as-path-regex.js';
import { readCommunityMatch } from './community-patterns.js';
import { entryMatches, nextHopAddress, parsePrefix, parsePrefixEntry, sameBits } from './prefix.js';
import type { ParsedPrefix, PrefixEntry } from './prefix.js';
import type { Problems } from './reader.js';
import { checkKeys, get, isMap, items, joinPath, quote, readEnumList, readInt, scalarText, show, suggest } from './reader.js';
import { neighborAsOf, originAsOf } from './state.js';
import type { Condition, ConditionDeps } from './term.js';
import { POLICY_FAMILIES } from './family.js';
import type { SourceRole } from './types.js';

/** Evaluation order of the match keys. */
export const MATCH_KEYS = [
  'family', 'routeType', 'fromGroup', 'origin', 'localPref', 'med', 'clusterListLength', 'rpki', 'nextHop', 'neighborAs', 'originAs',
  'prefixList', 'community', 'largeCommunity', 'extendedCommunity', 'asPath',
] as const;

const ROUTE_TYPES = { fromClient: 'client', fromNonClient: 'nonClient', fromEbgp: 'ebgp', local: 'local' } as const satisfies Record<string, SourceRole>;
type RouteType = keyof typeof ROUTE_TYPES;
export const ORIGINS = ['igp', 'egp', 'incomplete'] as const;
const RPKI_STATES = ['valid', 'invalid', 'not-found'] as const;
const U32_MAX = 0xffffffff;

/** What match conditions may refer to. */
export interface MatchEnv {
  readonly groups: readonly string[];
  readonly prefixLists: ReadonlyMap<string, readonly PrefixEntry[]>;
}

type Built = { text: string; test: Condition['test']; deps?: ConditionDeps } | undefined;

export function compileMatch(p: Problems, v: unknown, path: string, env: MatchEnv): Condition[] | undefined {
  if (v === undefined) return [];
  if (!isMap(v)) return p.report(path, `expected a mapping of match conditions (${MATCH_KEYS.join(', ')}), got ${show(v)}`);
  let ok = checkKeys(p, v, path, MATCH_KEYS);
  const out: Condition[] = [];
  for (const key of MATCH_KEYS) {
    const raw = get(v, key);
    if (raw === undefined) continue;
    const b = build(p, key, raw, joinPath(path, key), env);
    if (b === undefined) ok = false;
    else out.push({ key, text: b.text, deps: b.deps ?? {}, test: b.test });
  }
  return ok ? out : undefined;
}

function build(p: Problems, key: (typeof MATCH_KEYS)[number], v: unknown, path: string, env: MatchEnv): Built {
  switch (key) {
    case 'community':
    case 'extendedCommunity':
    case 'largeCommunity':
      return readCommunityMatch(p, key, v, path);
    case 'asPath':
      return readAsPath(p, v, path);
    case 'originAs':
    case 'neighborAs': {
      const ranges = readAsRanges(p, v, path);
      if (ranges === undefined) return undefined;
      const text = `${key} ${ranges.map((r) => (r.min === r.max ? `${r.min}` : `${r.min}-${r.max}`)).join(' ')}`;
      const inRanges = (a: number | null): boolean => a !== null && ranges.some((r) => a >= r.min && a <= r.max);
      return key === 'originAs' ? { text, test: (st) => inRanges(originAsOf(st.getAsPath(), st.localAs)) } : { text, test: (st) => inRanges(neighborAsOf(st.getAsPath())) };
    }
    case 'fromGroup': {
      const names = readNames(p, v, path, env.groups, 'peer group', 'groups');
      return names === undefined ? undefined : { text: `fromGroup ${names.join(' ')}`, deps: { group: true }, test: (st) => names.includes(st.route.source.group) };
    }
    case 'routeType': {
      const types = readEnumList(p, v, path, Object.keys(ROUTE_TYPES) as RouteType[]);
      if (types === undefined) return undefined;
      const roles = types.map((t) => ROUTE_TYPES[t]);
      return { text: `routeType ${types.join(' ')}`, deps: { role: true }, test: (st) => roles.includes(st.route.source.role) };
    }
    case 'origin': {
      const names = readEnumList(p, v, path, ORIGINS);
      if (names === undefined) return undefined;
      const codes = names.map((n) => ORIGINS.indexOf(n));
      return { text: `origin ${names.join(' ')}`, test: (st) => codes.includes(st.getOrigin()) };
    }
    case 'localPref':
    case 'med':
    case 'clusterListLength': {
      const r = readRange(p, v, path, key === 'clusterListLength' ? 255 : U32_MAX);
      if (r === undefined) return undefined;
      const text = `${key} ${r.min === r.max ? r.min : `${r.min}..${r.max}`}`;
      const inR = (x: number): boolean => x >= r.min && x <= r.max;
      if (key === 'localPref') return { text, test: (st) => inR(st.getLocalPref()) };
      if (key === 'med') return { text, test: (st) => inR(st.getMed()) };
      return { text, test: (st) => inR(st.set.clusterList.length) };
    }
    case 'family': {
      const fams = readEnumList(p, v, path, POLICY_FAMILIES);
      return fams === undefined ? undefined : { text: `family ${fams.join(' ')}`, deps: { family: true }, test: (st) => fams.includes(st.route.family) };
    }
    case 'rpki': {
      // Placeholder until RPKI exists: every route is not-found (docs/policy.md).
      const states = readEnumList(p, v, path, RPKI_STATES);
      if (states === undefined) return undefined;
      const result = states.includes('not-found');
      return { text: `rpki ${states.join(' ')} (every route is not-found until RPKI exists)`, test: () => result };
    }
    case 'nextHop':
      return readNextHop(p, v, path);
    case 'prefixList':
      return readPrefixListMatch(p, v, path, env);
  }
}

function readAsPath(p: Problems, v: unknown, path: string): Built {
  if (Array.isArray(v) && v.length === 0) return p.report(path, 'an empty list matches nothing; expected AS-path regular expressions');
  const res: RegExp[] = [];
  const srcs: string[] = [];
  let ok = true;
  for (const it of items(v, path)) {
    const src = scalarText(it.value);
    const r = src === null ? { ok: false as const, message: `expected an AS-path regular expression, got ${show(it.value)}` } : compileAsPathRegex(src);
    if (!r.ok) {
      ok = false;
      p.report(it.path, src === null ? r.message : `bad AS-path regular expression ${quote(src)}: ${r.message}`);
    } else {
      res.push(r.regex);
      srcs.push(src as string);
    }
  }
  if (!ok) return undefined;
  return {
    text: `asPath ${srcs.join(' | ')}`,
    test: (st) => {
      const text = st.asPathText();
      for (const re of res) if (re.test(text)) return true;
      return false;
    },
  };
}

/** asplain (65000, "4200000000") or asdot ("65000.1", RFC 5396) text → number. */
export function parseAsn(t: string): number | null {
  const m = /^(\d{1,10})(?:\.(\d{1,5}))?$/.exec(t);
  if (m === null) return null;
  const hi = Number(m[1]);
  const v = m[2] === undefined ? hi : hi <= 0xffff && Number(m[2]) <= 0xffff ? hi * 65536 + Number(m[2]) : -1;
  return v >= 0 && v <= U32_MAX ? v : null;
}

function readAsRanges(p: Problems, v: unknown, path: string): { min: number; max: number }[] | undefined {
  if (Array.isArray(v) && v.length === 0) return p.report(path, 'an empty list matches nothing; expected AS numbers or ranges');
  const out: { min: number; max: number }[] = [];
  let ok = true;
  for (const it of items(v, path)) {
    const t = scalarText(it.value);
    const parts = t === null ? [] : t.split('-').map((s) => parseAsn(s.trim()));
    const [a, b] = parts;
    if (a == null || (parts.length === 2 && b == null) || parts.length > 2) {
      ok = false;
      p.report(it.path, `${show(it.value)} is not an AS number (like 65001 or 65000.1) or an AS range (like 64512-65534)`);
      continue;
    }
    const max = parts.length === 2 ? (b as number) : a;
    if (max < a) {
      ok = false;
      p.report(it.path, `${show(it.value)} is an empty range (${a} > ${max})`);
      continue;
    }
    out.push({ min: a, max });
  }
  return ok ? out : undefined;
}

/** Names that must be among `known` (groups, prefix lists), with a "did you mean". */
export function readNames(p: Problems, v: unknown, path: string, known: readonly string[], what: string, where: string): string[] | undefined {
  if (Array.isArray(v) && v.length === 0) return p.report(path, `an empty list matches nothing; expected ${what} names`);
  const out: string[] = [];
  let ok = true;
  for (const it of items(v, path)) {
    if (typeof it.value !== 'string' || it.value === '') {
      ok = false;
      p.report(it.path, `expected a ${what} name, got ${show(it.value)}`);
    } else if (!known.includes(it.value)) {
      ok = false;
      const hint = suggest(it.value, known);
      const list = known.length === 0 ? `no ${where} are defined` : `defined: ${known.join(', ')}`;
      p.report(it.path, `unknown ${what} ${quote(it.value)} (${list})${hint === null ? '' : `; did you mean ${hint}?`}`);
    } else out.push(it.value);
  }
  return ok ? out : undefined;
}

/** A number (exact) or `{min, max}` (either may be left out). */
function readRange(p: Problems, v: unknown, path: string, top: number): { min: number; max: number } | undefined {
  if (!isMap(v)) {
    const n = readInt(p, v, path, 0, top, `a number from 0 to ${top}, or a range {min, max}`);
    return n === undefined ? undefined : { min: n, max: n };
  }
  if (!checkKeys(p, v, path, ['min', 'max'])) return undefined;
  const minV = get(v, 'min');
  const maxV = get(v, 'max');
  if (minV === undefined && maxV === undefined) return p.report(path, 'expected min, max or both');
  const min = minV === undefined ? 0 : readInt(p, minV, joinPath(path, 'min'), 0, top);
  const max = maxV === undefined ? top : readInt(p, maxV, joinPath(path, 'max'), 0, top);
  if (min === undefined || max === undefined) return undefined;
  if (min > max) return p.report(path, `min ${min} is above max ${max}`);
  return { min, max };
}

function readNextHop(p: Problems, v: unknown, path: string): Built {
  if (Array.isArray(v) && v.length === 0) return p.report(path, 'an empty list matches nothing; expected prefixes');
  const prefixes: ParsedPrefix[] = [];
  const texts: string[] = [];
  let ok = true;
  for (const it of items(v, path)) {
    const t = scalarText(it.value);
    // A bare address means a host prefix.
    const text = t !== null && !t.includes('/') ? `${t}/${t.includes(':') ? 128 : 32}` : t;
    const r = text === null ? { error: `expected a prefix, got ${show(it.value)}` } : parsePrefix(text);
    if ('error' in r) {
      ok = false;
      p.report(it.path, text === null ? r.error : `${show(it.value)} ${r.error}`);
    } else {
      prefixes.push(r);
      texts.push(text as string);
    }
  }
  if (!ok) return undefined;
  return {
    text: `nextHop within ${texts.join(' ')}`,
    test: (st) => {
      const a = nextHopAddress(st.getNextHop());
      if (a === null) return false;
      for (const x of prefixes) if (x.afi === a.afi && sameBits(x.octets, a.octets, x.bits)) return true;
      return false;
    },
  };
}

/** Prefix-list names and inline entries (`10.0.0.0/8 le 24`), any-of. */
function readPrefixListMatch(p: Problems, v: unknown, path: string, env: MatchEnv): Built {
  if (Array.isArray(v) && v.length === 0) return p.report(path, 'an empty list matches nothing; expected prefix-list names or prefixes');
  const entries: PrefixEntry[] = [];
  const texts: string[] = [];
  let ok = true;
  for (const it of items(v, path)) {
    if (isMap(it.value) || (typeof it.value === 'string' && it.value.includes('/'))) {
      const e = readPrefixEntry(p, it.value, it.path);
      if (e === undefined) ok = false;
      else {
        entries.push(e);
        texts.push(e.text);
      }
      continue;
    }
    const names = readNames(p, it.value, it.path, [...env.prefixLists.keys()], 'prefix list', 'prefix lists (policies.prefixLists)');
    if (names === undefined) ok = false;
    else {
      entries.push(...(env.prefixLists.get(names[0] as string) ?? []));
      texts.push(names[0] as string);
    }
  }
  if (!ok) return undefined;
  return {
    text: `prefixList ${texts.join(' ')}`,
    deps: { prefix: true },
    test: (st) => {
      const pfx = st.route.prefix;
      if (pfx === null) return false;
      for (const e of entries) if (entryMatches(e, pfx.afi, pfx.bits, pfx.octets)) return true;
      return false;
    },
  };
}

/** `10.0.0.0/8 ge 16 le 24` or `{prefix: 10.0.0.0/8, ge: 16, le: 24}`. */
export function readPrefixEntry(p: Problems, v: unknown, path: string): PrefixEntry | undefined {
  let text: string | null = null;
  let ge: number | undefined;
  let le: number | undefined;
  if (isMap(v)) {
    if (!checkKeys(p, v, path, ['prefix', 'ge', 'le'])) return undefined;
    const pv = get(v, 'prefix');
    if (pv === undefined) return p.report(joinPath(path, 'prefix'), 'required key is missing; expected a prefix like 10.0.0.0/8');
    text = typeof pv === 'string' ? pv : null;
    const gv = get(v, 'ge');
    const lv = get(v, 'le');
    ge = gv === undefined ? undefined : readInt(p, gv, joinPath(path, 'ge'), 0, 128);
    le = lv === undefined ? undefined : readInt(p, lv, joinPath(path, 'le'), 0, 128);
    if ((gv !== undefined && ge === undefined) || (lv !== undefined && le === undefined)) return undefined;
    if (text === null) return p.report(joinPath(path, 'prefix'), `expected a prefix like 10.0.0.0/8, got ${show(pv)}`);
  } else if (typeof v === 'string') text = v;
  if (text === null) return p.report(path, `expected a prefix like 10.0.0.0/8 le 24 or {prefix, ge, le}, got ${show(v)}`);
  const e = parsePrefixEntry(text, ge, le);
  return 'error' in e ? p.report(path, `${quote(text)} ${e.error}`) : e;
}
