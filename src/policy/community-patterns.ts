/**
 * Community patterns shared by match conditions and `remove` actions, for the three community
 * kinds: exact values (`65000:101`, `no-export`, `rt:65000:1`, `65000:1:2`), `*` wildcards per
 * field (`65000:*`, `rt:*:7`, `65000:*:2`) and regular expressions over each community's text.
 * Also the exact-value lists `set` and `add` take.
 *
 * Match forms (docs/policy.md):
 * - a value or a list: any of them is present;
 * - a mapping `{anyOf: [...], allOf: [...], regex: ...}`: every key given must hold; `allOf`
 *   needs each pattern matched by some community, `regex` (one or a list) needs some
 *   community whose text matches some expression.
 *
 * Owns: parsing these forms for one kind. Must not: decide evaluation order.
 */
import { formatExtended, matchLarge, matchStandard, parseExtended, parseExtendedWildcard, parseLarge, parseLargeWildcard, parseStandard, parseStandardWildcard, WELL_KNOWN_NAMES } from './communities.js';
import type { Problems } from './reader.js';
import { checkKeys, get, isMap, items, joinPath, readRegex, scalarText, show } from './reader.js';
import type { EvalState } from './state.js';

export type CommunityKey = 'community' | 'extendedCommunity' | 'largeCommunity';

/** Does community `i` of the route match? */
type ItemTest = (st: EvalState, i: number) => boolean;

export interface PatternSet {
  readonly tests: readonly ItemTest[];
  readonly regexes: readonly RegExp[];
  readonly text: string;
}

/** An exact value ready to write: a number (standard), 16 hex digits (extended) or a triple. */
export type CommunityValue = number | string | readonly [number, number, number];

interface Kind {
  readonly what: string;
  readonly count: (st: EvalState) => number;
  readonly texts: (st: EvalState) => readonly string[];
  /** An exact value, or undefined when `text` is not one. */
  readonly exact: (text: string) => { value: CommunityValue; test: ItemTest } | undefined;
  readonly wildcard: (text: string) => ItemTest | undefined;
}

const KINDS: Record<CommunityKey, Kind> = {
  community: {
    what: `a community ASN:VALUE (each 0 to 65535, like 65000:101), a well-known name (${Object.keys(WELL_KNOWN_NAMES).join(', ')}), or a wildcard like 65000:*`,
    count: (st) => st.getCommunities().length,
    texts: (st) => st.communityTexts(),
    exact: (t) => {
      const v = parseStandard(t);
      return v === null ? undefined : { value: v, test: (st, i) => st.getCommunities()[i] === v };
    },
    wildcard: (t) => {
      const f = parseStandardWildcard(t);
      return f === null ? undefined : (st, i) => matchStandard(st.getCommunities()[i] as number, f);
    },
  },
  extendedCommunity: {
    what: 'an extended community rt:ASN:N, soo:ASN:N, rt:A.B.C.D:N, 16 hex digits like 0x0002fde800000001, or a wildcard like rt:65000:*',
    count: (st) => st.getExtended().length,
    texts: (st) => st.extendedTexts(),
    exact: (t) => {
      const hex = parseExtended(t);
      if (hex === null) return undefined;
      const text = formatExtended(hex);
      return { value: hex, test: (st, i) => st.extendedTexts()[i] === text };
    },
    wildcard: (t) => {
      const re = parseExtendedWildcard(t);
      return re === null ? undefined : (st, i) => re.test(st.extendedTexts()[i] as string);
    },
  },
  largeCommunity: {
    what: 'a large community GLOBAL:LOCAL1:LOCAL2 (each 0 to 4294967295, like 65000:1:2), or a wildcard like 65000:*:2',
    count: (st) => st.getLarge().length / 3,
    texts: (st) => st.largeTexts(),
    exact: (t) => {
      const v = parseLarge(t);
      return v === null ? undefined : { value: v, test: (st, i) => matchLarge(st.getLarge(), i * 3, v) };
    },
    wildcard: (t) => {
      const f = parseLargeWildcard(t);
      return f === null ? undefined : (st, i) => matchLarge(st.getLarge(), i * 3, f);
    },
  },
};

export const communityCount = (key: CommunityKey, st: EvalState): number => KINDS[key].count(st);
export const communityTexts = (key: CommunityKey, st: EvalState): readonly string[] => KINDS[key].texts(st);

/** One exact value or wildcard. */
function readPattern(p: Problems, kind: Kind, v: unknown, path: string): ItemTest | undefined {
  const t = scalarText(v);
  if (t === null) return p.report(path, `expected ${kind.what}, got ${show(v)}`);
  const e = kind.exact(t);
  if (e !== undefined) return e.test;
  const w = kind.wildcard(t);
  if (w !== undefined) return w;
  return p.report(path, `${show(v)} is not ${kind.what}`);
}

function readPatterns(p: Problems, kind: Kind, v: unknown, path: string): { tests: ItemTest[]; texts: string[] } | undefined {
  if (Array.isArray(v) && v.length === 0) return p.report(path, `an empty list matches nothing; expected ${kind.what}`);
  const tests: ItemTest[] = [];
  const texts: string[] = [];
  let ok = true;
  for (const it of items(v, path)) {
    const t = readPattern(p, kind, it.value, it.path);
    if (t === undefined) ok = false;
    else {
      tests.push(t);
      texts.push(scalarText(it.value) as string);
    }
  }
  return ok ? { tests, texts } : undefined;
}

function readRegexes(p: Problems, v: unknown, path: string): RegExp[] | undefined {
  if (Array.isArray(v) && v.length === 0) return p.report(path, 'an empty list matches nothing; expected regular expressions');
  const out: RegExp[] = [];
  let ok = true;
  for (const it of items(v, path)) {
    const re = readRegex(p, it.value, it.path);
    if (re === undefined) ok = false;
    else out.push(re);
  }
  return ok ? out : undefined;
}

/** True when some community `i` passes `tests` or `regexes`. */
function anyMatch(key: CommunityKey, st: EvalState, tests: readonly ItemTest[], regexes: readonly RegExp[]): boolean {
  const n = communityCount(key, st);
  for (let i = 0; i < n; i++) if (matchesAt(key, st, i, tests, regexes)) return true;
  return false;
}

export function matchesAt(key: CommunityKey, st: EvalState, i: number, tests: readonly ItemTest[], regexes: readonly RegExp[]): boolean {
  for (const t of tests) if (t(st, i)) return true;
  if (regexes.length === 0) return false;
  const text = communityTexts(key, st)[i] as string;
  for (const re of regexes) if (re.test(text)) return true;
  return false;
}

/** A match condition on one community kind; undefined after reporting problems. */
export function readCommunityMatch(p: Problems, key: CommunityKey, v: unknown, path: string): { text: string; test: (st: EvalState) => boolean } | undefined {
  const kind = KINDS[key];
  if (!isMap(v)) {
    const pats = readPatterns(p, kind, v, path);
    if (pats === undefined) return undefined;
    const text = `${key} any of ${pats.texts.join(' ')}`;
    const exact = key === 'community' ? pats.texts.map((t) => parseStandard(t)) : [];
    // The common case, standard communities by value: a set lookup per community, no closures.
    if (exact.length > 0 && exact.every((x) => x !== null)) {
      const wanted = new Set(exact as number[]);
      return {
        text,
        test: (st) => {
          const cs = st.getCommunities();
          for (let i = 0; i < cs.length; i++) if (wanted.has(cs[i] as number)) return true;
          return false;
        },
      };
    }
    return { text, test: (st) => anyMatch(key, st, pats.tests, []) };
  }
  const keys = ['anyOf', 'allOf', 'regex'];
  if (!checkKeys(p, v, path, keys)) return undefined;
  if (keys.every((k) => get(v, k) === undefined)) return p.report(path, 'expected at least one of anyOf, allOf, regex');
  const anyV = get(v, 'anyOf');
  const allV = get(v, 'allOf');
  const reV = get(v, 'regex');
  const any = anyV === undefined ? null : readPatterns(p, kind, anyV, joinPath(path, 'anyOf'));
  const all = allV === undefined ? null : readPatterns(p, kind, allV, joinPath(path, 'allOf'));
  const res = reV === undefined ? null : readRegexes(p, reV, joinPath(path, 'regex'));
  if (any === undefined || all === undefined || res === undefined) return undefined;
  const parts: string[] = [];
  if (any !== null) parts.push(`any of ${any.texts.join(' ')}`);
  if (all !== null) parts.push(`all of ${all.texts.join(' ')}`);
  if (res !== null) parts.push(`regex ${res.map((r) => r.source).join(' | ')}`);
  return {
    text: `${key} ${parts.join(' and ')}`,
    test: (st) => {
      if (any !== null && !anyMatch(key, st, any.tests, [])) return false;
      if (all !== null) for (const t of all.tests) if (!anyMatch(key, st, [t], [])) return false;
      return res === null || anyMatch(key, st, [], res);
    },
  };
}

/** What `remove` takes: values/wildcards, or `{anyOf, regex}`. */
export function readRemovePatterns(p: Problems, key: CommunityKey, v: unknown, path: string): PatternSet | undefined {
  const kind = KINDS[key];
  if (!isMap(v)) {
    const pats = readPatterns(p, kind, v, path);
    return pats === undefined ? undefined : { tests: pats.tests, regexes: [], text: pats.texts.join(' ') };
  }
  if (!checkKeys(p, v, path, ['anyOf', 'regex'])) return undefined;
  const anyV = get(v, 'anyOf');
  const reV = get(v, 'regex');
  if (anyV === undefined && reV === undefined) return p.report(path, 'expected anyOf, regex or both');
  const anyOf = anyV === undefined ? null : readPatterns(p, kind, anyV, joinPath(path, 'anyOf'));
  const res = reV === undefined ? null : readRegexes(p, reV, joinPath(path, 'regex'));
  if (anyOf === undefined || res === undefined) return undefined;
  const text = [...(anyOf?.texts ?? []), ...(res ?? []).map((r) => `/${r.source}/`)].join(' ');
  return { tests: anyOf?.tests ?? [], regexes: res ?? [], text };
}

/** Exact values for `set` and `add` (an empty list is allowed: `set: []` clears). */
export function readValues(p: Problems, key: CommunityKey, v: unknown, path: string): { values: CommunityValue[]; text: string } | undefined {
  const kind = KINDS[key];
  const values: CommunityValue[] = [];
  const texts: string[] = [];
  let ok = true;
  for (const it of Array.isArray(v) && v.length === 0 ? [] : items(v, path)) {
    const t = scalarText(it.value);
    const e = t === null ? undefined : kind.exact(t);
    if (e === undefined) {
      ok = false;
      const wild = t !== null && kind.wildcard(t) !== undefined;
      p.report(it.path, wild ? `${show(it.value)} is a pattern; set and add take exact values (${kind.what.split(', or a wildcard')[0] ?? ''})` : `${show(it.value)} is not ${kind.what}`);
    } else {
      values.push(e.value);
      texts.push(t as string);
    }
  }
  return ok ? { values, text: texts.join(' ') } : undefined;
}
