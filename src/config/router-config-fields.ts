/**
 * Field readers for the router-config validator: each narrows one located YAML node to a
 * typed value, or records a problem (key path, line, what was expected) and returns
 * undefined, so one pass reports every problem in the file. Also the typo check that turns
 * `listenRange` into "did you mean listenRanges?".
 *
 * Owns: value wording, AS number text (asplain and asdot, RFC 5396), key-typo detection.
 * Must not: know which key holds which type (router-config.ts and router-config-group.ts do).
 */
import type { ConfigProblem } from './router-config-errors.js';
import { addressText, dottedQuadToNumber, hasHostBits, isIpv4Mapped, masked, parseIpAddress, parseIpPrefix, prefixText } from './router-config-ip.js';
import type { IpAddress, IpPrefix } from './router-config-ip.js';
import { indexPath, joinPath, quote, show, toPlain } from './router-config-yaml.js';
import type { YMap, YNode } from './router-config-yaml.js';

/** AS_TRANS (RFC 6793 §9): only a placeholder in 2-octet fields, never a router's AS. */
export const AS_TRANS = 23456;
export const ASN_MAX = 0xffffffff;

/** Collects problems for one file. */
export class Ctx {
  readonly problems: ConfigProblem[] = [];
  constructor(readonly file: string) {}

  report(path: string, line: number, message: string): undefined {
    this.problems.push({ file: this.file, path, line, message });
    return undefined;
  }
}

// ===== keys =====

/** Levenshtein distance (insert, delete, substitute). */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur.push(Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + cost));
    }
    prev = cur;
  }
  return prev[b.length] as number;
}

const squash = (k: string): string => k.toLowerCase().replace(/[-_]/g, '');

/**
 * The known key an unknown key was probably meant to be: edit distance ≤ 2 (`listenRange`,
 * `holdtime`), or the same word in another case style (`max-dynamic-peers`, `hold_time`).
 */
export function suggestKey(key: string, known: readonly string[]): string | null {
  let best: string | null = null;
  let bestD = 3;
  for (const k of known) {
    const d = squash(k) === squash(key) ? 0 : editDistance(key, k);
    if (d < bestD) {
      best = k;
      bestD = d;
    }
  }
  return best;
}

export interface MapSpec {
  readonly known: readonly string[];
  /** Keep unknown keys (not typos of known ones) as raw values; otherwise they are errors. */
  readonly keepExtra?: boolean;
  /** Keys skipped silently (e.g. `x-` anchors holders at the top level). */
  readonly ignore?: (key: string) => boolean;
}

/** A mapping whose keys were checked against a spec. */
export class MapReader {
  private readonly byKey = new Map<string, YNode>();
  readonly extra: Record<string, unknown> = {};

  constructor(
    ctx: Ctx,
    readonly node: YMap,
    readonly path: string,
    spec: MapSpec,
  ) {
    for (const e of node.entries) {
      if (spec.known.includes(e.key)) {
        this.byKey.set(e.key, e.value);
        continue;
      }
      if (spec.ignore?.(e.key) === true) continue;
      const hint = suggestKey(e.key, spec.known);
      if (hint !== null) ctx.report(joinPath(path, e.key), e.keyLine, `unknown key ${quote(e.key)}; did you mean ${hint}?`);
      else if (spec.keepExtra === true) this.extra[e.key] = toPlain(e.value);
      else ctx.report(joinPath(path, e.key), e.keyLine, `unknown key ${quote(e.key)}; expected one of ${spec.known.join(', ')}`);
    }
  }

  /** The value of `key`; undefined when absent or null (null means "use the default"). */
  get(key: string): YNode | undefined {
    const n = this.byKey.get(key);
    return n === undefined || (n.kind === 'scalar' && n.value === null) ? undefined : n;
  }

  at(key: string): string {
    return joinPath(this.path, key);
  }

  /** Reports a missing required key at the mapping's line. */
  missing(ctx: Ctx, key: string, expected: string): undefined {
    return ctx.report(this.at(key), this.node.line, `required key is missing; expected ${expected}`);
  }
}

export function readMap(ctx: Ctx, n: YNode, path: string, spec: MapSpec): MapReader | undefined {
  if (n.kind !== 'map') return ctx.report(path, n.line, `expected a mapping, got ${show(n)}`);
  return new MapReader(ctx, n, path, spec);
}

/** A list; each item is handed to `item` with its path. */
export function readList<T>(ctx: Ctx, n: YNode, path: string, item: (n: YNode, path: string) => T | undefined): (T | undefined)[] | undefined {
  if (n.kind !== 'seq') return ctx.report(path, n.line, `expected a list, got ${show(n)}`);
  return n.items.map((it, i) => item(it, indexPath(path, i)));
}

/** Reads `r.get(key)` with `read`, or returns `def` when the key is absent or null. */
export function opt<T, D>(r: MapReader, key: string, def: D, read: (n: YNode, path: string) => T | undefined): T | D | undefined {
  const n = r.get(key);
  return n === undefined ? def : read(n, r.at(key));
}

// ===== scalars =====

function expected(ctx: Ctx, n: YNode, path: string, what: string): undefined {
  if (n.kind === 'map' && n.entries.length === 1 && n.entries[0]?.key === ':') {
    return ctx.report(path, n.line, `expected ${what}, got a mapping: YAML reads an unquoted :: as one; write "::"`);
  }
  if (n.kind !== 'scalar') return ctx.report(path, n.line, `expected ${what}, got ${show(n)}`);
  return ctx.report(path, n.line, `${show(n)} is not ${what}`);
}

export const readInt = (min: number, max: number, what = `an integer from ${min} to ${max}`) =>
  (ctx: Ctx, n: YNode, path: string): number | undefined => {
    if (n.kind === 'scalar' && Number.isSafeInteger(n.value) && (n.value as number) >= min && (n.value as number) <= max) return n.value as number;
    return expected(ctx, n, path, what);
  };

export function readBool(ctx: Ctx, n: YNode, path: string): boolean | undefined {
  if (n.kind === 'scalar' && typeof n.value === 'boolean') return n.value;
  return expected(ctx, n, path, 'true or false');
}

export function readString(ctx: Ctx, n: YNode, path: string): string | undefined {
  if (n.kind === 'scalar' && typeof n.value === 'string' && n.value !== '') return n.value;
  return expected(ctx, n, path, 'a non-empty string');
}

export const readEnum = <T extends string>(values: readonly T[]) =>
  (ctx: Ctx, n: YNode, path: string): T | undefined => {
    if (n.kind === 'scalar' && typeof n.value === 'string' && (values as readonly string[]).includes(n.value)) return n.value as T;
    const hint = n.kind === 'scalar' && typeof n.value === 'string' ? suggestKey(n.value, values) : null;
    return expected(ctx, n, path, `one of ${values.join(', ')}${hint === null ? '' : ` (did you mean ${hint}?)`}`);
  };

// ===== AS numbers =====

const ASN_WHAT = 'an AS number (1 to 4294967295, or asdot like 65000.1)';

/** asplain ("65000") or asdot ("65000.1" = 65000 × 65536 + 1, RFC 5396 §1); null if neither. */
export function parseAsnText(text: string): number | null {
  const m = /^(\d{1,10})(?:\.(\d{1,5}))?$/.exec(text);
  if (m === null) return null;
  const hi = Number(m[1]);
  if (m[2] === undefined) return hi;
  const lo = Number(m[2]);
  return hi > 0xffff || lo > 0xffff ? null : hi * 65536 + lo;
}

/** The AS number a scalar holds; an unquoted `65000.10` is a float to YAML, so read its text. */
function asnOf(n: YNode): number | null {
  if (n.kind !== 'scalar') return null;
  if (typeof n.value === 'string') return parseAsnText(n.value);
  if (typeof n.value !== 'number') return null;
  if (Number.isSafeInteger(n.value)) return n.value;
  return n.plain === null ? null : parseAsnText(n.plain);
}

/** An AS number 1..4294967295 (RFC 7607: AS 0 is reserved), never AS_TRANS. */
export function readAsn(ctx: Ctx, n: YNode, path: string): number | undefined {
  const v = asnOf(n);
  if (v === null || v < 1 || v > ASN_MAX) return expected(ctx, n, path, ASN_WHAT);
  if (v === AS_TRANS) return ctx.report(path, n.line, `${show(n)} is AS_TRANS (RFC 6793 §9), not a real AS number`);
  return v;
}

/** One AS ("65001", 65001) or an inclusive range ("65001-65535"); AS_TRANS is fine inside a range. */
export function readAsRange(ctx: Ctx, n: YNode, path: string): { min: number; max: number } | undefined {
  if (n.kind === 'scalar' && typeof n.value === 'string' && n.value.includes('-')) {
    const parts = n.value.split('-').map((s) => parseAsnText(s.trim()));
    const [min, max] = parts;
    if (parts.length !== 2 || min === null || max === null || min === undefined || max === undefined || min < 1 || max > ASN_MAX) {
      return ctx.report(path, n.line, `${show(n)} is not an AS range like 65001-65535`);
    }
    if (min > max) return ctx.report(path, n.line, `${show(n)} is an empty range (${min} > ${max})`);
    return { min, max };
  }
  const v = readAsn(ctx, n, path);
  return v === undefined ? undefined : { min: v, max: v };
}

// ===== addresses =====

/** A non-zero dotted quad (RFC 6286 §2.1 for the BGP Identifier), as an unsigned number. */
export function readDottedQuad(ctx: Ctx, n: YNode, path: string): number | undefined {
  const v = n.kind === 'scalar' && typeof n.value === 'string' ? dottedQuadToNumber(n.value) : null;
  if (v === null) return expected(ctx, n, path, 'an IPv4 address in dotted-quad form (like 192.0.2.1)');
  if (v === 0) return ctx.report(path, n.line, '0.0.0.0 is not allowed: BGP identifiers and cluster IDs must be non-zero (RFC 6286 §2.1)');
  return v;
}

/** An IPv4 or IPv6 address as canonical text (RFC 5952); IPv4-mapped IPv6 is refused. */
export function readAddress(ctx: Ctx, n: YNode, path: string): IpAddress | undefined {
  const a = n.kind === 'scalar' && typeof n.value === 'string' ? parseIpAddress(n.value) : null;
  if (a === null) return expected(ctx, n, path, 'an IPv4 or IPv6 address');
  if (isIpv4Mapped(a)) return mappedProblem(ctx, n, path, addressText({ octets: a.octets.subarray(12), v6: false }));
  return a;
}

/** A prefix whose host bits are clear (FRR refuses `bgp listen range 10.0.0.1/8` too). */
export function readPrefix(ctx: Ctx, n: YNode, path: string): IpPrefix | undefined {
  const p = n.kind === 'scalar' && typeof n.value === 'string' ? parseIpPrefix(n.value) : null;
  if (p === null) return expected(ctx, n, path, 'an IPv4 or IPv6 prefix');
  if (hasHostBits(p)) return ctx.report(path, n.line, `${show(n)} has host bits set; did you mean ${prefixText(masked(p))}?`);
  if (p.bits >= 96 && isIpv4Mapped(p)) return mappedProblem(ctx, n, path, `${addressText({ octets: p.octets.subarray(12), v6: false })}/${p.bits - 96}`);
  return p;
}

function mappedProblem(ctx: Ctx, n: YNode, path: string, v4: string): undefined {
  return ctx.report(path, n.line, `${show(n)} is IPv4-mapped IPv6, which meshrr matches as IPv4; write ${v4}`);
}
