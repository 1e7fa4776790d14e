/**
 * AS-path regular expressions with the Cisco/FRR/Junos `_` convention, behaving as FRR's
 * `bgp as-path access-list` does (FRR bgpd/bgp_regex.c, bgp_vty.c, lib glibc regcomp):
 * 1. The path is matched as text: ASes of an AS_SEQUENCE separated by spaces, an AS_SET as
 *    `{a,b}`, an AS_CONFED_SEQUENCE as `(a b)`, an AS_CONFED_SET as `[a,b]`, segments
 *    separated by a space; the empty path is the empty text (FRR's `aspath->str`).
 * 2. The expression may use only the characters FRR allows: digits, space and `_^$.*+?|()[]{},-\`.
 * 3. Every `_` becomes `(^|[,{}() ]|$)` before anything else, wherever it stands (FRR's
 *    blind textual replacement, so `[_]` means what it means there).
 * 4. The result is a POSIX extended regular expression (glibc `REG_EXTENDED`): it is
 *    translated to an equivalent JS expression, so what FRR refuses is refused and what it
 *    accepts matches the same paths (test/policy/as-path-frr.test.ts checks a table against
 *    bgpd). Details of the translation are in `ereToJs`.
 * Matching is unanchored (`65000` matches `650001`); anchor with `^`, `$` or `_`.
 *
 * Owns: the path text form and the expression dialect. Must not: cache per attribute set
 * (set-view.ts does).
 */
import { AS_PATH_SEGMENT } from '../wire/iana.js';
import type { AsPath } from '../wire/attribute-types.js';

/** FRR's `config_bgp_aspath_validate` character set. */
export const AS_PATH_REGEX_CHARS = '1234567890_^|[,{}() ]$*+.?-\\';
/** What `_` stands for (FRR bgp_regex.c `magic_regexp`). */
export const UNDERSCORE_ERE = '(^|[,{}() ]|$)';
/** glibc RE_DUP_MAX: the largest count in `{m,n}`. */
const DUP_MAX = 0x7fff;

/** FRR's text form of a path (rule 1 above). */
export function asPathText(path: AsPath): string {
  let s = '';
  for (const seg of path) {
    if (s !== '') s += ' ';
    switch (seg.type) {
      case AS_PATH_SEGMENT.AS_SET:
        s += `{${seg.asns.join(',')}}`;
        break;
      case AS_PATH_SEGMENT.AS_CONFED_SEQUENCE:
        s += `(${seg.asns.join(' ')})`;
        break;
      case AS_PATH_SEGMENT.AS_CONFED_SET:
        s += `[${seg.asns.join(',')}]`;
        break;
      default:
        s += seg.asns.join(' ');
    }
  }
  return s;
}

export type AsPathRegexResult = { readonly ok: true; readonly regex: RegExp; readonly js: string } | { readonly ok: false; readonly message: string };

/** Compiles an AS-path expression (rules 2 to 4); `message` says what is wrong. */
export function compileAsPathRegex(source: string): AsPathRegexResult {
  if (source === '') return { ok: false, message: 'an empty expression; use .* to match every path or ^$ for the empty path' };
  for (const ch of source) {
    if (!AS_PATH_REGEX_CHARS.includes(ch)) {
      return { ok: false, message: `character ${JSON.stringify(ch)} is not allowed: AS-path expressions use digits, space and _^$.*+?|()[]{},-\\ only (as FRR)` };
    }
  }
  // Expand `_`, remembering which source character each ERE character came from.
  let ere = '';
  const from: number[] = [];
  for (let i = 0; i < source.length; i++) {
    const part = source[i] === '_' ? UNDERSCORE_ERE : (source[i] as string);
    ere += part;
    for (let k = 0; k < part.length; k++) from.push(i);
  }
  const js = ereToJs(ere, (i) => (from[i] ?? source.length) + 1);
  if (typeof js !== 'string') return { ok: false, message: js.error };
  try {
    return { ok: true, regex: new RegExp(js, 'u'), js };
  } catch (e) {
    return { ok: false, message: e instanceof Error ? e.message : String(e) };
  }
}

const JS_SYNTAX = new Set('^$\\.*+?()[]{}|/');
const lit = (ch: string): string => (JS_SYNTAX.has(ch) ? `\\${ch}` : ch);
const classLit = (ch: string): string => (ch === '\\' || ch === ']' || ch === '[' || ch === '^' || ch === '-' ? `\\${ch}` : ch);

/**
 * POSIX ERE (glibc `RE_SYNTAX_POSIX_EXTENDED`, restricted to the characters above) to a JS
 * expression with the `u` flag. Whether a path matches does not depend on leftmost-longest
 * versus leftmost-first, so only the syntax differs:
 * - An unmatched `)` and a `}` that closes no interval are literals (RE_UNMATCHED_RIGHT_PAREN_ORD).
 * - `*`, `+`, `?` or an interval at the start, after `(`, `|` or an anchor is an error
 *   (RE_CONTEXT_INVALID_OPS); stacked operators (`a**`, `a+?`) apply in turn, so they are
 *   wrapped, `(?:a*)*`, instead of becoming JS's lazy quantifiers.
 * - `{,n}` means `{0,n}`; a `{` that does not start a valid interval is an error.
 * - In a bracket expression `\` is literal and a leading `]` is a member; ranges must be
 *   ascending; `[.`, `[=`, `[:` forms are refused (no such characters occur in paths).
 * - `\` before a digit is a back reference; before anything else, that character literally.
 */
export function ereToJs(ere: string, column: (i: number) => number = (i) => i + 1): string | { error: string } {
  let out = '';
  /** Where the last repeatable atom starts in `out`; -1 when an operator would have nothing to repeat. */
  let atom = -1;
  let quantified = false;
  const groups: number[] = [];
  const setAtom = (start: number): void => {
    atom = start;
    quantified = false;
  };
  const quantify = (q: string, at: number): { error: string } | null => {
    if (atom < 0) return { error: `${JSON.stringify(q)} at character ${column(at)} has nothing to repeat` };
    if (quantified) out = `${out.slice(0, atom)}(?:${out.slice(atom)})`;
    out += q;
    quantified = true;
    return null;
  };
  for (let i = 0; i < ere.length; i++) {
    const ch = ere[i] as string;
    const start = out.length;
    switch (ch) {
      case '\\': {
        const next = ere[i + 1];
        if (next === undefined) return { error: 'a trailing backslash escapes nothing' };
        i++;
        out += /[1-9]/.test(next) ? `\\${next}` : lit(next);
        setAtom(start);
        break;
      }
      case '[': {
        const cls = bracket(ere, i, column);
        if ('error' in cls) return cls;
        out += cls.js;
        i = cls.end;
        setAtom(start);
        break;
      }
      case '(':
        groups.push(start);
        out += '(';
        atom = -1;
        break;
      case ')': {
        const open = groups.pop();
        if (open === undefined) {
          out += '\\)';
          setAtom(start);
        } else {
          out += ')';
          setAtom(open);
        }
        break;
      }
      case '.':
        out += '.';
        setAtom(start);
        break;
      case '|':
      case '^':
      case '$':
        out += ch;
        atom = -1;
        break;
      case '*':
      case '+':
      case '?': {
        const err = quantify(ch, i);
        if (err !== null) return err;
        break;
      }
      case '{': {
        const m = /^\{(\d*)(,(\d*))?\}/.exec(ere.slice(i));
        if (m === null || (m[1] === '' && m[2] === undefined)) return { error: `'{' at character ${column(i)} does not start an interval like {2}, {1,3} or {2,}; write \\{ for a brace` };
        const min = m[1] === '' ? 0 : Number(m[1]);
        const max = m[2] === undefined ? min : m[3] === '' ? null : Number(m[3]);
        if (min > DUP_MAX || (max !== null && max > DUP_MAX)) return { error: `the interval ${m[0]} exceeds ${DUP_MAX}` };
        if (max !== null && max < min) return { error: `the interval ${m[0]} has its bounds the wrong way round` };
        const err = quantify(max === min ? `{${min}}` : `{${min},${max ?? ''}}`, i);
        if (err !== null) return err;
        i += m[0].length - 1;
        break;
      }
      default:
        out += lit(ch);
        setAtom(start);
    }
  }
  if (groups.length > 0) return { error: 'a ( is never closed' };
  return out;
}

/** A bracket expression starting at `ere[open]` (`[`), POSIX rules. */
function bracket(ere: string, open: number, column: (i: number) => number): { js: string; end: number } | { error: string } {
  let i = open + 1;
  let negate = false;
  if (ere[i] === '^') {
    negate = true;
    i++;
  }
  const members: string[] = [];
  let first = true;
  for (;;) {
    const ch = ere[i];
    if (ch === undefined) return { error: `the [ at character ${column(open)} is never closed` };
    if (ch === ']' && !first) break;
    first = false;
    if (ch === '[' && (ere[i + 1] === '.' || ere[i + 1] === '=' || ere[i + 1] === ':')) {
      return { error: `[${ere[i + 1] as string} at character ${column(i)}: collating elements and character classes are not supported` };
    }
    const hi = ere[i + 2];
    if (ere[i + 1] === '-' && hi !== undefined && hi !== ']') {
      if (hi < ch) return { error: `the range ${ch}-${hi} at character ${column(i)} is out of order` };
      members.push(`${classLit(ch)}-${classLit(hi)}`);
      i += 3;
      continue;
    }
    members.push(classLit(ch));
    i++;
  }
  return { js: `[${negate ? '^' : ''}${members.join('')}]`, end: i };
}
