/**
 * Prefix conditions: IPv4/IPv6 text parsing (a small parser: this layer does not use
 * ipaddr.js, which belongs to config and discovery), prefix-list entries with `ge`/`le` as
 * Cisco/FRR define them, and next-hop containment.
 *
 * Prefix-list entry semantics (FRR `ip prefix-list`): an entry `P/len [ge G] [le L]` matches a
 * route prefix of the same family whose first `len` bits equal P's and whose length is
 * - exactly `len` with neither ge nor le;
 * - from G to the family's maximum (32 or 128) with ge only;
 * - from `len` to L with le only; from G to L with both.
 * meshrr accepts `len ≤ G ≤ L ≤ max` (FRR insists on `len < G`; `ge len` is harmless).
 *
 * Owns: address text and bit comparisons. Must not: allocate per evaluation.
 */

export interface ParsedAddress {
  readonly afi: 1 | 2;
  readonly octets: Uint8Array;
}

export interface PrefixEntry {
  readonly afi: 1 | 2;
  readonly octets: Uint8Array;
  readonly bits: number;
  readonly min: number;
  readonly max: number;
  /** As written back: `10.0.0.0/8 le 24`. */
  readonly text: string;
}

function parseV4(s: string): Uint8Array | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const x = parts[i] as string;
    // Leading zeros are refused rather than guessed as octal (as in the router config).
    if (!/^(0|[1-9]\d{0,2})$/.test(x) || Number(x) > 255) return null;
    out[i] = Number(x);
  }
  return out;
}

function parseV6(s: string): Uint8Array | null {
  if (!/^[0-9a-fA-F:.]+$/.test(s)) return null;
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const groups = (h: string): number[] | null => {
    if (h === '') return [];
    const out: number[] = [];
    const parts = h.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i] as string;
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = parseV4(p);
        if (v4 === null) return null;
        out.push(((v4[0] as number) << 8) | (v4[1] as number), ((v4[2] as number) << 8) | (v4[3] as number));
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return null;
        out.push(parseInt(p, 16));
      }
    }
    return out;
  };
  const head = groups(halves[0] as string);
  const tail = halves.length === 2 ? groups(halves[1] as string) : [];
  if (head === null || tail === null) return null;
  const fill = 8 - head.length - tail.length;
  if (halves.length === 2 ? fill < 1 : fill !== 0) return null;
  const all = [...head, ...new Array<number>(halves.length === 2 ? fill : 0).fill(0), ...tail];
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[i * 2] = g >> 8;
    out[i * 2 + 1] = g & 0xff;
  });
  return out;
}

export function parseAddress(s: string): ParsedAddress | null {
  if (s.includes(':')) {
    const o = parseV6(s);
    return o === null ? null : { afi: 2, octets: o };
  }
  const o = parseV4(s);
  return o === null ? null : { afi: 1, octets: o };
}

export function addressText(a: ParsedAddress): string {
  if (a.afi === 1) return Array.from(a.octets).join('.');
  const g: string[] = [];
  for (let i = 0; i < 16; i += 2) g.push((((a.octets[i] as number) << 8) | (a.octets[i + 1] as number)).toString(16));
  // RFC 5952 §4.2: the longest run (of two or more) of zero groups becomes ::.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && g[j] === '0') j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j === i ? i + 1 : j;
  }
  if (best < 0) return g.join(':');
  return `${g.slice(0, best).join(':')}::${g.slice(best + bestLen).join(':')}`;
}

export type ParsedPrefix = { readonly afi: 1 | 2; readonly octets: Uint8Array; readonly bits: number };

/** `addr/len`; `error` says what is wrong (including host bits, with the masked prefix). */
export function parsePrefix(s: string): ParsedPrefix | { error: string } {
  const slash = s.indexOf('/');
  const what = 'is not an IPv4 or IPv6 prefix like 10.0.0.0/8 or 2001:db8::/32';
  if (slash < 0) return { error: what };
  const a = parseAddress(s.slice(0, slash));
  const lenText = s.slice(slash + 1);
  if (a === null || !/^\d{1,3}$/.test(lenText)) return { error: what };
  const bits = Number(lenText);
  const max = a.afi === 1 ? 32 : 128;
  if (bits > max) return { error: `has a length above ${max}` };
  const masked = maskOctets(a.octets, bits);
  if (!sameBits(masked, a.octets, a.octets.length * 8)) return { error: `has host bits set; did you mean ${addressText({ afi: a.afi, octets: masked })}/${bits}?` };
  return { afi: a.afi, octets: a.octets, bits };
}

function maskOctets(o: Uint8Array, bits: number): Uint8Array {
  const out = new Uint8Array(o.length);
  for (let i = 0; i < o.length; i++) {
    const keep = Math.max(0, Math.min(8, bits - i * 8));
    out[i] = (o[i] as number) & ((0xff << (8 - keep)) & 0xff);
  }
  return out;
}

/** The first `bits` bits of `a` and `b` are equal (both hold at least ceil(bits/8) octets). */
export function sameBits(a: Uint8Array, b: Uint8Array, bits: number): boolean {
  const whole = bits >> 3;
  for (let i = 0; i < whole; i++) if (a[i] !== b[i]) return false;
  const rest = bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (((a[whole] as number) ^ (b[whole] as number)) & mask) === 0;
}

/** `P/len`, `P/len ge G`, `P/len le L`, `P/len ge G le L`. */
export function parsePrefixEntry(text: string, ge: number | undefined, le: number | undefined): PrefixEntry | { error: string } {
  const words = text.trim().split(/\s+/);
  const p = parsePrefix(words[0] ?? '');
  if ('error' in p) return p;
  let g = ge;
  let l = le;
  for (let i = 1; i < words.length; i += 2) {
    const kw = words[i];
    const n = words[i + 1];
    if ((kw !== 'ge' && kw !== 'le') || n === undefined || !/^\d{1,3}$/.test(n)) return { error: 'is not a prefix-list entry like 10.0.0.0/8, 10.0.0.0/8 le 24 or 10.0.0.0/8 ge 16 le 24' };
    if ((kw === 'ge' ? g : l) !== undefined) return { error: `${kw} is given twice` };
    if (kw === 'ge') g = Number(n);
    else l = Number(n);
  }
  const max = p.afi === 1 ? 32 : 128;
  const min = g ?? p.bits;
  const top = l ?? (g !== undefined ? max : p.bits);
  if (min < p.bits || top > max || min > top) return { error: `needs ${p.bits} ≤ ge ≤ le ≤ ${max} (got ge ${min}, le ${top})` };
  const base = `${addressText(p)}/${p.bits}`;
  const suffix = `${g === undefined ? '' : ` ge ${g}`}${l === undefined ? '' : ` le ${l}`}`;
  return { afi: p.afi, octets: p.octets, bits: p.bits, min, max: top, text: base + suffix };
}

/** A route prefix against a prefix-list entry. */
export function entryMatches(e: PrefixEntry, afi: number, bits: number, octets: Uint8Array): boolean {
  return e.afi === afi && bits >= e.min && bits <= e.max && sameBits(e.octets, octets, e.bits);
}

/**
 * The address part of a next hop as the RIB keeps it: 4 (IPv4), 16 (IPv6), 32 (IPv6 global +
 * link-local: the global one), 12/24 (VPN, RFC 4364 §5: an 8-octet RD of zeros first).
 */
export function nextHopAddress(nh: Uint8Array): ParsedAddress | null {
  switch (nh.length) {
    case 4:
      return { afi: 1, octets: nh };
    case 16:
    case 32:
      return { afi: 2, octets: nh.subarray(0, 16) };
    case 12:
      return { afi: 1, octets: nh.subarray(8, 12) };
    case 24:
    case 48:
      return { afi: 2, octets: nh.subarray(8, 24) };
    default:
      return null;
  }
}
