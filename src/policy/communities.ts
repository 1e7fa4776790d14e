/**
 * Community text for policies: parsing and printing standard (RFC 1997, `65000:101` and the
 * well-known names), extended (RFC 4360, `rt:65000:1`, `soo:192.0.2.1:7`, raw `0x…`) and
 * large (RFC 8092, `65000:1:2`) communities, and the patterns policies match them with
 * (exact, `*` wildcards per field, regular expressions over the text).
 *
 * Owns: the text forms (docs/policy.md lists them). Must not: touch attribute sets.
 */
import { WELL_KNOWN_COMMUNITY } from '../wire/iana.js';

/** Well-known community names (RFC 1997, 3765, 7611, 7999, 8326, 9494). */
export const WELL_KNOWN_NAMES: Readonly<Record<string, number>> = {
  'no-export': WELL_KNOWN_COMMUNITY.NO_EXPORT,
  'no-advertise': WELL_KNOWN_COMMUNITY.NO_ADVERTISE,
  'no-export-subconfed': WELL_KNOWN_COMMUNITY.NO_EXPORT_SUBCONFED,
  'no-peer': WELL_KNOWN_COMMUNITY.NOPEER,
  blackhole: WELL_KNOWN_COMMUNITY.BLACKHOLE,
  'graceful-shutdown': WELL_KNOWN_COMMUNITY.GRACEFUL_SHUTDOWN,
  'accept-own': WELL_KNOWN_COMMUNITY.ACCEPT_OWN,
  'llgr-stale': WELL_KNOWN_COMMUNITY.LLGR_STALE,
  'no-llgr': WELL_KNOWN_COMMUNITY.NO_LLGR,
};

const U16 = /^(0|[1-9]\d{0,4})$/;
const U32 = /^(0|[1-9]\d{0,9})$/;

function u16(s: string): number | null {
  if (!U16.test(s)) return null;
  const n = Number(s);
  return n <= 0xffff ? n : null;
}

function u32(s: string): number | null {
  if (!U32.test(s)) return null;
  const n = Number(s);
  return n <= 0xffffffff ? n : null;
}

/** One field of a wildcard pattern: a number, or null for `*`. */
type Field = number | null;

// ===== standard =====

/** `65000:101` or a well-known name → the 32-bit value; null when neither. */
export function parseStandard(text: string): number | null {
  const named = WELL_KNOWN_NAMES[text];
  if (named !== undefined) return named;
  const [a, b, ...rest] = text.split(':');
  if (a === undefined || b === undefined || rest.length > 0) return null;
  const hi = u16(a);
  const lo = u16(b);
  return hi === null || lo === null ? null : (hi * 65536 + lo) >>> 0;
}

/** `ASN:VAL` text of a standard community (well-known ones too: `65535:65281`). */
export function formatStandard(c: number): string {
  return `${c >>> 16}:${c & 0xffff}`;
}

/** `65000:*`, `*:101`, `*:*` → the fields; null when not a wildcard pattern. */
export function parseStandardWildcard(text: string): [Field, Field] | null {
  if (!text.includes('*')) return null;
  const parts = text.split(':');
  if (parts.length !== 2) return null;
  const f = parts.map((s) => (s === '*' ? null : u16(s)));
  return f.every((x, i) => x !== null || parts[i] === '*') ? [f[0] as Field, f[1] as Field] : null;
}

// ===== large =====

/** `65000:1:2` → [global administrator, local data 1, local data 2]; null when malformed. */
export function parseLarge(text: string): [number, number, number] | null {
  const parts = text.split(':');
  if (parts.length !== 3) return null;
  const f = parts.map(u32);
  return f.every((x) => x !== null) ? (f as [number, number, number]) : null;
}

export function formatLarge(a: number, b: number, c: number): string {
  return `${a}:${b}:${c}`;
}

export function parseLargeWildcard(text: string): [Field, Field, Field] | null {
  if (!text.includes('*')) return null;
  const parts = text.split(':');
  if (parts.length !== 3) return null;
  const f = parts.map((s) => (s === '*' ? null : u32(s)));
  return f.every((x, i) => x !== null || parts[i] === '*') ? (f as [Field, Field, Field]) : null;
}

// ===== extended =====

const EXT_NAMES = { rt: 0x02, soo: 0x03 } as const;

/**
 * `rt:ASN:N`, `soo:ASN:N` (2-octet AS with a 4-octet value, type 0x00; a larger AS needs the
 * 4-octet-AS type 0x02 with a 2-octet value), `rt:A.B.C.D:N` (type 0x01, 2-octet value), or
 * 16 hex digits `0x0002fde800000001` → 8 octets as hex; null when none of these.
 */
export function parseExtended(text: string): string | null {
  const raw = /^0x([0-9a-fA-F]{16})$/.exec(text);
  if (raw !== null) return (raw[1] as string).toLowerCase();
  const m = /^(rt|soo):(.+):([^:]+)$/.exec(text);
  if (m === null) return null;
  const sub = EXT_NAMES[m[1] as keyof typeof EXT_NAMES];
  const admin = m[2] as string;
  const b = Buffer.alloc(8);
  b[1] = sub;
  const ip = ipv4(admin);
  if (ip !== null) {
    const v = u16(m[3] as string);
    if (v === null) return null;
    b[0] = 0x01;
    b.writeUInt32BE(ip, 2);
    b.writeUInt16BE(v, 6);
    return b.toString('hex');
  }
  const asn = u32(admin);
  const v = u32(m[3] as string);
  if (asn === null || v === null) return null;
  if (asn <= 0xffff) {
    b[0] = 0x00;
    b.writeUInt16BE(asn, 2);
    b.writeUInt32BE(v, 4);
  } else {
    if (v > 0xffff) return null;
    b[0] = 0x02;
    b.writeUInt32BE(asn, 2);
    b.writeUInt16BE(v, 6);
  }
  return b.toString('hex');
}

function ipv4(s: string): number | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  let n = 0;
  for (const x of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(x) || Number(x) > 255) return null;
    n = n * 256 + Number(x);
  }
  return n;
}

/**
 * Canonical text of one extended community given as 16 hex digits: route target and site of
 * origin of the three transitive AS/IPv4 types as `rt:`/`soo:`, anything else `0x` + hex.
 * The 2-octet and 4-octet AS forms of one AS print alike (`rt:65000:1`), as FRR shows them.
 */
export function formatExtended(hex: string): string {
  const type = parseInt(hex.slice(0, 2), 16);
  const sub = parseInt(hex.slice(2, 4), 16);
  const name = sub === 0x02 ? 'rt' : sub === 0x03 ? 'soo' : null;
  if (name === null || type > 0x02) return `0x${hex}`;
  const v = (a: number, b: number): number => parseInt(hex.slice(a, b), 16);
  if (type === 0x00) return `${name}:${v(4, 8)}:${v(8, 16)}`;
  if (type === 0x02) return `${name}:${v(4, 12)}:${v(12, 16)}`;
  return `${name}:${v(4, 6)}.${v(6, 8)}.${v(8, 10)}.${v(10, 12)}:${v(12, 16)}`;
}

/** `rt:65000:*`-style wildcard → a RegExp over the canonical text; null when not a wildcard. */
export function parseExtendedWildcard(text: string): RegExp | null {
  if (!text.includes('*')) return null;
  const m = /^(rt|soo):([^:]+):([^:]+)$/.exec(text);
  if (m === null) return null;
  const field = (s: string, ipOk: boolean): string | null => {
    if (s === '*') return ipOk ? '[0-9.]+' : '[0-9]+';
    if (u32(s) !== null) return s;
    if (ipOk && ipv4(s) !== null) return s.replace(/\./g, '\\.');
    return null;
  };
  const admin = field(m[2] as string, true);
  const val = field(m[3] as string, false);
  if (admin === null || val === null) return null;
  return new RegExp(`^${m[1] as string}:${admin}:${val}$`);
}

// ===== wildcard matching =====

export function matchStandard(c: number, f: readonly [Field, Field]): boolean {
  return (f[0] === null || f[0] === c >>> 16) && (f[1] === null || f[1] === (c & 0xffff));
}

/** Large community at flat index `i` (a multiple of 3) against a wildcard. */
export function matchLarge(flat: readonly number[], i: number, f: readonly [Field, Field, Field]): boolean {
  return (f[0] === null || f[0] === flat[i]) && (f[1] === null || f[1] === flat[i + 1]) && (f[2] === null || f[2] === flat[i + 2]);
}
