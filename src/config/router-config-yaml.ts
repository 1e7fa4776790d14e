/**
 * YAML text -> a small located tree (maps, lists, scalars, each with its 1-based line) that
 * the router-config validator narrows. Built on the `yaml` package (YAML 1.2 core schema)
 * because it keeps source positions; aliases are resolved and `<<` merge keys applied here,
 * so the validator sees plain data with lines.
 *
 * Owns: syntax errors, alias and merge resolution, raw values for pass-through keys. Must
 * not: know any router-config key.
 */
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { Document, Node as YamlNode } from 'yaml';
import type { ConfigProblem } from './router-config-errors.js';

export type ScalarValue = string | number | boolean | null;

export interface YScalar {
  readonly kind: 'scalar';
  readonly line: number;
  readonly value: ScalarValue;
  /** The text as written for plain (unquoted) scalars: `65000.10` is a float to YAML. */
  readonly plain: string | null;
}

export interface YEntry {
  readonly key: string;
  readonly keyLine: number;
  readonly value: YNode;
}

export interface YMap {
  readonly kind: 'map';
  readonly line: number;
  /** Unique keys, in document order; merged (`<<`) entries follow the explicit ones. */
  readonly entries: readonly YEntry[];
}

export interface YSeq {
  readonly kind: 'seq';
  readonly line: number;
  readonly items: readonly YNode[];
}

export type YNode = YScalar | YMap | YSeq;

export interface YamlResult {
  /** null for an empty document. */
  readonly root: YNode | null;
  /** Syntax and structure problems; when any exist, `root` must not be trusted. */
  readonly problems: readonly ConfigProblem[];
}

export function readYaml(text: string, file: string): YamlResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, merge: true, prettyErrors: false, uniqueKeys: true, version: '1.2' });
  const problems: ConfigProblem[] = [];
  const lineAt = (offset: number): number => lineCounter.linePos(offset).line;
  const lines = text.split('\n');
  for (const e of doc.errors) {
    const line = lineAt(e.pos[0]);
    // `address: ::` is a YAML syntax error (`::` starts a mapping); say what to write instead.
    const hint = BARE_COLONS.test(lines[line - 1] ?? '') ? '; an IPv6 address :: must be quoted ("::")' : '';
    problems.push({ file, path: '', line, message: `YAML syntax: ${firstLine(e.message)}${hint}` });
  }
  if (problems.length > 0 || doc.contents === null) return { root: null, problems };
  const root = new TreeBuilder(doc, file, lineAt, problems).node(doc.contents, '');
  if (problems.length > 0) return { root: null, problems };
  try {
    // Only to apply yaml's guard against alias bombs (a few anchors expanding to millions of
    // nodes); the tree below is built from the AST, which keeps the lines.
    doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    problems.push({ file, path: '', line: 1, message: `YAML: ${e instanceof Error ? e.message : String(e)}` });
    return { root: null, problems };
  }
  return { root, problems };
}

/** A bare `::` token: not part of `::1`, `fe80::` or `::/0`, not quoted. */
const BARE_COLONS = /(^|[\s[{,])::(?=$|[\s\]},])/;

function firstLine(message: string): string {
  return message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? message;
}

class TreeBuilder {
  /** Converted nodes, so an alias used many times is converted once (no alias bombs). */
  private readonly done = new Map<YamlNode, YNode>();
  private readonly active = new Set<YamlNode>();

  constructor(
    private readonly doc: Document,
    private readonly file: string,
    private readonly lineAt: (offset: number) => number,
    private readonly problems: ConfigProblem[],
  ) {}

  private lineOf(n: YamlNode | null | undefined, fallback: number): number {
    return n?.range === undefined || n.range === null ? fallback : this.lineAt(n.range[0]);
  }

  private problem(path: string, line: number, message: string): void {
    this.problems.push({ file: this.file, path, line, message });
  }

  /** Resolves aliases; null (with a problem) for a missing or self-containing target. */
  private target(n: unknown, path: string, line: number): YamlNode | null {
    if (!isAlias(n)) return n as YamlNode;
    const t = n.resolve(this.doc);
    if (t === undefined) {
      this.problem(path, line, `alias *${n.source} has no anchor &${n.source} before it`);
      return null;
    }
    if (this.active.has(t)) {
      this.problem(path, line, `alias *${n.source} refers to a node that contains it`);
      return null;
    }
    return t;
  }

  node(n: unknown, path: string, fallbackLine = 1): YNode {
    const line = this.lineOf(n as YamlNode | null, fallbackLine);
    const t = n === null || n === undefined ? null : this.target(n, path, line);
    if (t === null) return { kind: 'scalar', line, value: null, plain: null };
    let out = this.done.get(t);
    if (out === undefined) {
      this.active.add(t);
      out = this.convert(t, path, this.lineOf(t, line));
      this.active.delete(t);
      this.done.set(t, out);
    }
    // An alias reports where it is used, not where its anchor is.
    return out.line === line ? out : { ...out, line };
  }

  private convert(n: YamlNode, path: string, line: number): YNode {
    if (isScalar(n)) return { kind: 'scalar', line, value: scalarValue(n.value, n.source), plain: n.type === 'PLAIN' ? (n.source ?? null) : null };
    if (isSeq(n)) return { kind: 'seq', line, items: n.items.map((it, i) => this.node(it, `${path}[${i}]`, line)) };
    if (!isMap(n)) return { kind: 'scalar', line, value: null, plain: null };
    const entries: YEntry[] = [];
    const seen = new Set<string>();
    const merges: { value: unknown; line: number }[] = [];
    for (const pair of n.items) {
      const keyNode = pair.key as YamlNode | null;
      const keyLine = this.lineOf(keyNode, line);
      if (isScalar(keyNode) && typeof keyNode.value === 'symbol') {
        merges.push({ value: pair.value, line: keyLine });
        continue;
      }
      if (keyNode !== null && !isScalar(keyNode)) {
        this.problem(path, keyLine, 'a mapping key must be a scalar (text or number), not a list or mapping');
        continue;
      }
      const key = keyNode === null ? '' : keyText(keyNode.value, keyNode.source);
      if (seen.has(key)) continue; // yaml reports duplicate keys
      seen.add(key);
      entries.push({ key, keyLine, value: this.node(pair.value, joinPath(path, key), keyLine) });
    }
    // YAML merge keys (https://yaml.org/type/merge.html): explicit keys win, then earlier sources.
    for (const m of merges) {
      const src = this.node(m.value, joinPath(path, '<<'), m.line);
      const maps = src.kind === 'seq' ? src.items : [src];
      for (const mp of maps) {
        if (mp.kind !== 'map') {
          this.problem(joinPath(path, '<<'), m.line, 'a merge key (<<) takes a mapping or a list of mappings');
          continue;
        }
        for (const e of mp.entries) {
          if (seen.has(e.key)) continue;
          seen.add(e.key);
          entries.push(e);
        }
      }
    }
    return { kind: 'map', line, entries };
  }
}

function scalarValue(v: unknown, source: string | undefined): ScalarValue {
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return Number(v);
  return source ?? String(v);
}

function keyText(v: unknown, source: string | undefined): string {
  if (typeof v === 'string') return v;
  return source ?? String(v);
}

export function joinPath(path: string, key: string): string {
  const k = /^([A-Za-z_][A-Za-z0-9_-]*|<<)$/.test(key) ? key : JSON.stringify(key);
  return path === '' ? k : `${path}.${k}`;
}

export function indexPath(path: string, i: number): string {
  return `${path}[${i}]`;
}

/** Plain JavaScript data for pass-through values (`policies`, a group's extra keys). */
export function toPlain(n: YNode): unknown {
  switch (n.kind) {
    case 'scalar':
      return n.value;
    case 'seq':
      return n.items.map(toPlain);
    case 'map':
      return Object.fromEntries(n.entries.map((e) => [e.key, toPlain(e.value)]));
  }
}

/** Text in a message: 'quoted', or JSON when it holds quotes or control characters. */
export function quote(text: string): string {
  const plain = [...text].every((ch) => ch !== "'" && ch !== '\\' && ch >= ' ' && ch !== '\x7f');
  return plain ? `'${text}'` : JSON.stringify(text);
}

/** How a value is shown in a message: 'text' quoted, numbers and booleans bare. */
export function show(n: YNode): string {
  if (n.kind === 'map') return 'a mapping';
  if (n.kind === 'seq') return 'a list';
  if (typeof n.value === 'string') return quote(n.value);
  if (n.plain !== null) return n.plain;
  return String(n.value);
}
