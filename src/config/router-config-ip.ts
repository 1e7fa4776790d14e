/**
 * IP address and prefix text for the router config: strict parsing, canonical text (dotted
 * quad; RFC 5952 for IPv6) and prefix overlap. Works on octets so the config layer needs
 * neither the session layer's helpers (STYLE.md §1 forbids importing them) nor a library.
 *
 * Owns: text <-> octets for addresses and prefixes. Must not: resolve names or report
 * problems (callers word the messages).
 */

export interface IpAddress {
  readonly octets: Uint8Array;
  readonly v6: boolean;
}

export interface IpPrefix extends IpAddress {
  readonly bits: number;
}

/** Strict dotted quad: four decimal octets 0..255 without leading zeros (no octal guessing). */
export function parseIpv4(text: string): Uint8Array | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (m === null) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = m[i + 1] as string;
    if (part.length > 1 && part.startsWith('0')) return null;
    const v = Number(part);
    if (v > 255) return null;
    out[i] = v;
  }
  return out;
}

/** IPv6 text (RFC 4291 §2.2, with `::` and a trailing dotted quad); no zone IDs. */
export function parseIpv6(text: string): Uint8Array | null {
  if (!/^[0-9A-Fa-f:.]+$/.test(text)) return null;
  const halves = text.split('::');
  if (halves.length > 2) return null;
  // A dotted quad may only end the address (RFC 4291 §2.2 form 3).
  const head = parseGroups(halves[0] as string, halves.length === 1);
  const tail = halves.length === 2 ? parseGroups(halves[1] as string, true) : [];
  if (head === null || tail === null) return null;
  const total = head.length + tail.length;
  if (halves.length === 2 ? total > 7 : total !== 8) return null;
  const groups = [...head, ...new Array<number>(8 - total).fill(0), ...tail];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[i * 2] = g >> 8;
    out[i * 2 + 1] = g & 0xff;
  });
  return out;
}

/** Colon-separated 16-bit groups; the last may be a dotted quad (two groups). */
function parseGroups(text: string, allowV4: boolean): number[] | null {
  if (text === '') return [];
  const parts = text.split(':');
  const out: number[] = [];
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i] as string;
    if (allowV4 && i === parts.length - 1 && p.includes('.')) {
      const v4 = parseIpv4(p);
      if (v4 === null) return null;
      out.push(((v4[0] as number) << 8) | (v4[1] as number), ((v4[2] as number) << 8) | (v4[3] as number));
    } else {
      if (!/^[0-9A-Fa-f]{1,4}$/.test(p)) return null;
      out.push(parseInt(p, 16));
    }
  }
  return out;
}

export function parseIpAddress(text: string): IpAddress | null {
  const v4 = parseIpv4(text);
  if (v4 !== null) return { octets: v4, v6: false };
  const v6 = text.includes(':') ? parseIpv6(text) : null;
  return v6 === null ? null : { octets: v6, v6: true };
}

/** `addr/bits`, bits within the family's length; host bits are allowed here (see masked()). */
export function parseIpPrefix(text: string): IpPrefix | null {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(text);
  if (m === null) return null;
  const addr = parseIpAddress(m[1] as string);
  const bits = Number(m[2]);
  if (addr === null || bits > addr.octets.length * 8) return null;
  return { ...addr, bits };
}

/** The prefix with its host bits cleared. */
export function masked(p: IpPrefix): IpPrefix {
  const octets = Uint8Array.from(p.octets);
  for (let i = 0; i < octets.length; i++) {
    const keep = p.bits - i * 8;
    if (keep <= 0) octets[i] = 0;
    else if (keep < 8) octets[i] = (octets[i] as number) & (0xff << (8 - keep)) & 0xff;
  }
  return { octets, v6: p.v6, bits: p.bits };
}

export function hasHostBits(p: IpPrefix): boolean {
  const m = masked(p).octets;
  return m.some((b, i) => b !== p.octets[i]);
}

/** True for ::ffff:0:0/96 addresses (RFC 4291 §2.5.5.2): the session layer sees them as IPv4. */
export function isIpv4Mapped(a: IpAddress): boolean {
  return a.v6 && a.octets.subarray(0, 10).every((b) => b === 0) && a.octets[10] === 0xff && a.octets[11] === 0xff;
}

/** Dotted quad, or RFC 5952 §4 text: lower case, no leading zeros, longest zero run as `::`. */
export function addressText(a: IpAddress): string {
  const o = a.octets;
  if (!a.v6) return `${o[0]}.${o[1]}.${o[2]}.${o[3]}`;
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push(((o[i * 2] as number) << 8) | (o[i * 2 + 1] as number));
  // Longest run of at least two zero groups; the first one on a tie (RFC 5952 §4.2.3).
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (gs: number[]): string => gs.map((g) => g.toString(16)).join(':');
  if (best < 0) return hex(groups);
  return `${hex(groups.slice(0, best))}::${hex(groups.slice(best + bestLen))}`;
}

export function prefixText(p: IpPrefix): string {
  return `${addressText(p)}/${p.bits}`;
}

/** Two prefixes overlap when they are of one family and the shorter one contains the other. */
export function prefixesOverlap(a: IpPrefix, b: IpPrefix): boolean {
  if (a.v6 !== b.v6) return false;
  return prefixContains({ ...a, bits: Math.min(a.bits, b.bits) }, b);
}

/** True when `addr` (an address or the start of a prefix) lies inside `p`. */
export function prefixContains(p: IpPrefix, addr: IpAddress): boolean {
  if (p.v6 !== addr.v6) return false;
  const full = p.bits >> 3;
  for (let i = 0; i < full; i++) if (p.octets[i] !== addr.octets[i]) return false;
  const rest = p.bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (((p.octets[full] as number) ^ (addr.octets[full] as number)) & mask) === 0;
}

/** The unsigned 32-bit value of a dotted quad, or null. */
export function dottedQuadToNumber(text: string): number | null {
  const o = parseIpv4(text);
  if (o === null) return null;
  return (((o[0] as number) << 24) | ((o[1] as number) << 16) | ((o[2] as number) << 8) | (o[3] as number)) >>> 0;
}

export function numberToDottedQuad(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 0xff}.${(n >>> 8) & 0xff}.${n & 0xff}`;
}
