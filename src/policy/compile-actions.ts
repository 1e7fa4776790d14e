/**
 * A term's `then:` → compiled actions and the term's flow (accept, reject, next-term).
 * `then` is either one word (`accept`, `reject`, `next-term`) or a mapping of actions with an
 * optional `action:` word (default next-term). Actions run in the order of THEN_KEYS; within
 * a community key: `set`, then `remove`, then `add` (so "remove 65000:*, add 65000:5"
 * re-tags in one term).
 *
 * Choices the issue leaves open (docs/policy.md):
 * 1. Communities keep their order; added ones go last and are not duplicated; a list left
 *    empty removes the attribute (RFC 7606 §7.8 makes a zero-length one malformed).
 * 2. MED arithmetic saturates at 0 and 4294967295; a missing MED counts as 0, so `add` on a
 *    route without MED creates one.
 * 3. AS-path prepend adds to the leading AS_SEQUENCE while it has room for 255 ASes, else
 *    starts a new segment (RFC 4271 §4.3 segment length is one octet).
 * 4. `nextHop: <address>` on a route with an IPv4 NEXT_HOP attribute rewrites that attribute
 *    as well as reporting the change; `self` and `unchanged` are reported for the caller.
 *
 * Owns: then keys, their value forms and their effect on the EvalState. Must not: evaluate
 * conditions.
 */
import type { AsPath, AsPathSegment } from '../wire/attribute-types.js';
import { AS_PATH_SEGMENT } from '../wire/iana.js';
import { matchesAt, readRemovePatterns, readValues } from './community-patterns.js';
import type { CommunityKey, CommunityValue, PatternSet } from './community-patterns.js';
import { ORIGINS, parseAsn } from './compile-match.js';
import { addressText, parseAddress } from './prefix.js';
import type { Problems } from './reader.js';
import { checkKeys, get, isMap, joinPath, readEnum, readInt, scalarText, show } from './reader.js';
import type { EvalState } from './state.js';
import type { Action, TermFlow } from './term.js';
import type { NextHopChange } from './types.js';

export const FLOWS: readonly TermFlow[] = ['accept', 'reject', 'next-term'];
export const THEN_KEYS = ['action', 'community', 'extendedCommunity', 'largeCommunity', 'localPref', 'med', 'origin', 'asPathPrepend', 'nextHop'] as const;

const U32_MAX = 0xffffffff;
/** Most prepends one action may add (Junos allows 32; more is never useful). */
export const MAX_PREPEND = 32;

export interface ThenResult {
  readonly actions: Action[];
  readonly flow: TermFlow;
}

export function compileThen(p: Problems, v: unknown, path: string): ThenResult | undefined {
  if (v === undefined) return p.report(path, 'required key is missing; expected accept, reject, next-term or a mapping of actions');
  if (!isMap(v)) {
    const flow = readEnum(p, v, path, FLOWS);
    return flow === undefined ? undefined : { actions: [], flow };
  }
  let ok = checkKeys(p, v, path, THEN_KEYS);
  const flowV = get(v, 'action');
  const flow = flowV === undefined ? 'next-term' : readEnum(p, flowV, joinPath(path, 'action'), FLOWS);
  if (flow === undefined) ok = false;
  const actions: Action[] = [];
  for (const key of THEN_KEYS) {
    const raw = get(v, key);
    if (key === 'action' || raw === undefined) continue;
    const a = build(p, key, raw, joinPath(path, key));
    if (a === undefined) ok = false;
    else actions.push(...a);
  }
  if (flow === 'reject' && actions.length > 0) {
    p.report(path, `actions before reject have no effect; remove them or use accept/next-term (found ${actions.map((a) => a.key).join(', ')})`);
    ok = false;
  }
  return ok ? { actions, flow: flow as TermFlow } : undefined;
}

function build(p: Problems, key: Exclude<(typeof THEN_KEYS)[number], 'action'>, v: unknown, path: string): Action[] | undefined {
  switch (key) {
    case 'community':
    case 'extendedCommunity':
    case 'largeCommunity':
      return readCommunityActions(p, key, v, path);
    case 'localPref': {
      const n = readInt(p, v, path, 0, U32_MAX);
      return n === undefined ? undefined : [{ key, text: `localPref ${n}`, apply: (st) => void (st.localPref = n) }];
    }
    case 'med':
      return readMed(p, v, path);
    case 'origin': {
      const o = readEnum(p, v, path, ORIGINS);
      if (o === undefined) return undefined;
      const code = ORIGINS.indexOf(o);
      return [{ key, text: `origin ${o}`, apply: (st) => void (st.origin = code) }];
    }
    case 'asPathPrepend':
      return readPrepend(p, v, path);
    case 'nextHop':
      return readNextHopAction(p, v, path);
  }
}

function readCommunityActions(p: Problems, key: CommunityKey, v: unknown, path: string): Action[] | undefined {
  if (!isMap(v)) return p.report(path, `expected a mapping with set, add and/or remove, got ${show(v)}`);
  if (!checkKeys(p, v, path, ['set', 'add', 'remove'])) return undefined;
  const setV = v['set'];
  const addV = get(v, 'add');
  const removeV = get(v, 'remove');
  if (setV === undefined && addV === undefined && removeV === undefined) return p.report(path, 'expected set, add, remove or several of them');
  // `set: null` and `set: []` both clear.
  const set = setV === undefined ? null : setV === null ? { values: [], text: '' } : readValues(p, key, setV, joinPath(path, 'set'));
  const remove = removeV === undefined ? null : readRemovePatterns(p, key, removeV, joinPath(path, 'remove'));
  const add = addV === undefined ? null : readValues(p, key, addV, joinPath(path, 'add'));
  if (set === undefined || remove === undefined || add === undefined) return undefined;
  const out: Action[] = [];
  if (set !== null) out.push({ key, text: `${key} set [${set.text}]`, apply: (st) => writeValues(key, st, dedupe([], set.values)) });
  if (remove !== null) out.push({ key, text: `${key} remove ${remove.text}`, apply: (st) => removeMatching(key, st, remove) });
  if (add !== null) out.push({ key, text: `${key} add ${add.text}`, apply: (st) => writeValues(key, st, dedupe(currentValues(key, st), add.values)) });
  return out;
}

const sameValue = (a: CommunityValue, b: CommunityValue): boolean =>
  typeof a === 'object' && typeof b === 'object' ? a[0] === b[0] && a[1] === b[1] && a[2] === b[2] : a === b;

function currentValues(key: CommunityKey, st: EvalState): CommunityValue[] {
  if (key === 'community') return [...st.getCommunities()];
  if (key === 'extendedCommunity') return [...st.getExtended()];
  const l = st.getLarge();
  const out: CommunityValue[] = [];
  for (let i = 0; i + 2 < l.length; i += 3) out.push([l[i] as number, l[i + 1] as number, l[i + 2] as number]);
  return out;
}

/** `base` followed by the values of `more` it does not hold yet. */
function dedupe(base: CommunityValue[], more: readonly CommunityValue[]): CommunityValue[] {
  for (const m of more) if (!base.some((x) => sameValue(x, m))) base.push(m);
  return base;
}

function writeValues(key: CommunityKey, st: EvalState, values: readonly CommunityValue[]): void {
  if (key === 'community') st.communities = values as number[];
  else if (key === 'extendedCommunity') st.extended = values as string[];
  else st.large = (values as (readonly [number, number, number])[]).flat();
}

function removeMatching(key: CommunityKey, st: EvalState, pats: PatternSet): void {
  const cur = currentValues(key, st);
  const keep: CommunityValue[] = [];
  for (let i = 0; i < cur.length; i++) if (!matchesAt(key, st, i, pats.tests, pats.regexes)) keep.push(cur[i] as CommunityValue);
  if (keep.length !== cur.length) writeValues(key, st, keep);
}

function readMed(p: Problems, v: unknown, path: string): Action[] | undefined {
  let op: 'set' | 'add' | 'subtract' = 'set';
  let raw = v;
  let at = path;
  if (isMap(v)) {
    if (!checkKeys(p, v, path, ['set', 'add', 'subtract'])) return undefined;
    const given = (['set', 'add', 'subtract'] as const).filter((k) => get(v, k) !== undefined);
    if (given.length !== 1) return p.report(path, `expected exactly one of set, add, subtract${given.length > 1 ? ` (got ${given.join(', ')})` : ''}`);
    op = given[0] as typeof op;
    raw = get(v, op);
    at = joinPath(path, op);
  }
  const n = readInt(p, raw, at, 0, U32_MAX);
  if (n === undefined) return undefined;
  const apply =
    op === 'set'
      ? (st: EvalState) => void (st.med = n)
      : op === 'add'
        ? (st: EvalState) => void (st.med = Math.min(U32_MAX, st.getMed() + n))
        : (st: EvalState) => void (st.med = Math.max(0, st.getMed() - n));
  return [{ key: 'med', text: `med ${op} ${n}`, apply }];
}

function readPrepend(p: Problems, v: unknown, path: string): Action[] | undefined {
  if (!isMap(v)) return p.report(path, `expected a mapping {asn: own or an AS number, count: 1 to ${MAX_PREPEND}}, got ${show(v)}`);
  if (!checkKeys(p, v, path, ['asn', 'count'])) return undefined;
  const asnV = get(v, 'asn') ?? 'own';
  const countV = get(v, 'count');
  let asn: number | 'own' | undefined = 'own';
  if (asnV !== 'own') {
    const t = scalarText(asnV);
    const n = t === null ? null : parseAsn(t);
    // AS 0 is reserved (RFC 7607) and AS_TRANS is never a real AS (RFC 6793 §9).
    asn = n === null || n === 0 || n === 23456 ? p.report(joinPath(path, 'asn'), `${show(asnV)} is not own or an AS number (1 to 4294967295, not 23456)`) : n;
  }
  const count = countV === undefined ? 1 : readInt(p, countV, joinPath(path, 'count'), 1, MAX_PREPEND);
  if (asn === undefined || count === undefined) return undefined;
  const fixed = asn;
  return [{ key: 'asPathPrepend', text: `asPathPrepend ${fixed} × ${count}`, apply: (st) => void (st.asPath = prepend(st.getAsPath(), fixed === 'own' ? st.localAs : fixed, count)) }];
}

/** `path` with `asn` prepended `count` times (choice 3 above). */
export function prepend(path: AsPath, asn: number, count: number): AsPath {
  const segs: AsPathSegment[] = [...path];
  let left = count;
  while (left > 0) {
    const first = segs[0];
    if (first !== undefined && first.type === AS_PATH_SEGMENT.AS_SEQUENCE && first.asns.length < 255) {
      const n = Math.min(left, 255 - first.asns.length);
      segs[0] = { type: first.type, asns: [...new Array<number>(n).fill(asn), ...first.asns] };
      left -= n;
    } else {
      const n = Math.min(left, 255);
      segs.unshift({ type: AS_PATH_SEGMENT.AS_SEQUENCE, asns: new Array<number>(n).fill(asn) });
      left -= n;
    }
  }
  return segs;
}

const SELF: NextHopChange = Object.freeze({ kind: 'self' });
const UNCHANGED: NextHopChange = Object.freeze({ kind: 'unchanged' });

function readNextHopAction(p: Problems, v: unknown, path: string): Action[] | undefined {
  if (v === 'self') return [{ key: 'nextHop', text: 'nextHop self', nextHopSelf: true, apply: (st) => void (st.nextHop = SELF) }];
  if (v === 'unchanged') return [{ key: 'nextHop', text: 'nextHop unchanged', apply: (st) => void (st.nextHop = UNCHANGED) }];
  const a = typeof v === 'string' ? parseAddress(v) : null;
  if (a === null) return p.report(path, `${show(v)} is not self, unchanged or an IPv4/IPv6 address`);
  const change: NextHopChange = Object.freeze({ kind: 'address', octets: Buffer.from(a.octets) });
  return [{ key: 'nextHop', text: `nextHop ${addressText(a)}`, apply: (st) => void (st.nextHop = change) }];
}
