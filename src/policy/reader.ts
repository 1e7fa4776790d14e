/**
 * Narrowing of the raw `policies:` value (plain data the router-config loader passed through)
 * with located problems: each problem carries the key path from the document root
 * (`policies.region-out.terms[2].match.community`), a line and what was expected, in the
 * router config's `ConfigProblem` shape, so both loaders report alike. Lines come from the
 * caller's `lineOf` (the config layer keeps YAML positions); a path it does not know is
 * reported at its nearest known ancestor, then at line 1.
 *
 * Owns: paths, key checks with "did you mean", value wording. Must not: know policy keys.
 * (The typo check mirrors src/config/router-config-fields.ts, which this layer may not import.)
 */
import type { ConfigProblem } from '../config/router-config-errors.js';

export type RawMap = Readonly<Record<string, unknown>>;

/** Collects problems for one file. */
export class Problems {
  readonly list: ConfigProblem[] = [];

  constructor(
    readonly file: string,
    private readonly lineOf: ((path: string) => number | undefined) | undefined,
  ) {}

  report(path: string, message: string): undefined {
    this.list.push({ file: this.file, path, line: this.line(path), message });
    return undefined;
  }

  /** The line of `path` or of its nearest ancestor the caller knows; 1 when none. */
  line(path: string): number {
    if (this.lineOf === undefined) return 1;
    for (let p: string | null = path; p !== null; p = parentPath(p)) {
      const l = this.lineOf(p);
      if (l !== undefined) return l;
    }
    return 1;
  }
}

const LAST_SEGMENT = /(?:\.(?:[A-Za-z_][A-Za-z0-9_-]*|<<|"(?:[^"\\]|\\.)*")|\[\d+\])$/;

/** `a.b[2]` → `a.b` → `a`; null above the root. */
export function parentPath(path: string): string | null {
  if (path === '') return null;
  const m = LAST_SEGMENT.exec(path);
  return m === null ? '' : path.slice(0, m.index);
}

/** Same rule as the router config: plain keys bare, others JSON-quoted. */
export function joinPath(path: string, key: string): string {
  const k = /^([A-Za-z_][A-Za-z0-9_-]*|<<)$/.test(key) ? key : JSON.stringify(key);
  return path === '' ? k : `${path}.${k}`;
}

export const indexPath = (path: string, i: number): string => `${path}[${i}]`;

export function isMap(v: unknown): v is RawMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v);
}

/** Text in a message: 'quoted', or JSON when it holds quotes or control characters. */
export function quote(text: string): string {
  const plain = [...text].every((ch) => ch !== "'" && ch !== '\\' && ch >= ' ' && ch !== '\x7f');
  return plain ? `'${text}'` : JSON.stringify(text);
}

/** How a value is shown in a message. */
export function show(v: unknown): string {
  if (v === null || v === undefined) return 'nothing (null)';
  if (Array.isArray(v)) return 'a list';
  if (isMap(v)) return 'a mapping';
  if (typeof v === 'string') return quote(v);
  return String(v);
}

/** Levenshtein distance. */
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

/** The known word `word` was probably meant to be (edit distance ≤ 2, or another case style). */
export function suggest(word: string, known: readonly string[]): string | null {
  let best: string | null = null;
  let bestD = 3;
  for (const k of known) {
    const d = squash(k) === squash(word) ? 0 : editDistance(word, k);
    if (d < bestD) {
      best = k;
      bestD = d;
    }
  }
  return best;
}

/** Reports every key of `m` not in `known`; returns false when there was one. */
export function checkKeys(p: Problems, m: RawMap, path: string, known: readonly string[]): boolean {
  let ok = true;
  for (const k of Object.keys(m)) {
    if (known.includes(k)) continue;
    ok = false;
    const hint = suggest(k, known);
    p.report(joinPath(path, k), hint === null ? `unknown key ${quote(k)}; expected one of ${known.join(', ')}` : `unknown key ${quote(k)}; did you mean ${hint}?`);
  }
  return ok;
}

/** `m[key]`, with null meaning "not set" (as everywhere in the router config). */
export function get(m: RawMap, key: string): unknown {
  const v = m[key];
  return v === null ? undefined : v;
}

/** A scalar or a list of scalars, as a list with each item's path. */
export function items(v: unknown, path: string): { value: unknown; path: string }[] {
  return Array.isArray(v) ? v.map((value: unknown, i) => ({ value, path: indexPath(path, i) })) : [{ value: v, path }];
}

/** A scalar that is text, or a number written as text (YAML reads `65000` as a number). */
export function scalarText(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return null;
}

export function readInt(p: Problems, v: unknown, path: string, min: number, max: number, what = `an integer from ${min} to ${max}`): number | undefined {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max) return v;
  return p.report(path, `${show(v)} is not ${what}`);
}

export function readEnum<T extends string>(p: Problems, v: unknown, path: string, values: readonly T[]): T | undefined {
  if (typeof v === 'string' && (values as readonly string[]).includes(v)) return v as T;
  const hint = typeof v === 'string' ? suggest(v, values) : null;
  return p.report(path, `${show(v)} is not one of ${values.join(', ')}${hint === null ? '' : ` (did you mean ${hint}?)`}`);
}

/** A list (or one value) of enum members, without repeats. */
export function readEnumList<T extends string>(p: Problems, v: unknown, path: string, values: readonly T[]): T[] | undefined {
  if (Array.isArray(v) && v.length === 0) return p.report(path, `an empty list matches nothing; expected some of ${values.join(', ')}`);
  const out: T[] = [];
  let ok = true;
  for (const it of items(v, path)) {
    const e = readEnum(p, it.value, it.path, values);
    if (e === undefined) ok = false;
    else if (!out.includes(e)) out.push(e);
  }
  return ok ? out : undefined;
}

/** A regular expression compiled once (JS syntax, `u` flag); the JS error text on failure. */
export function readRegex(p: Problems, v: unknown, path: string): RegExp | undefined {
  if (typeof v !== 'string' || v === '') return p.report(path, `${show(v)} is not a regular expression; expected non-empty text`);
  try {
    return new RegExp(v, 'u');
  } catch (e) {
    return p.report(path, `bad regular expression ${quote(v)}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
