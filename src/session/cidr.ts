/**
 * Address and prefix matching for the listener: which configured neighbour or listen range
 * an incoming connection belongs to. Works on octets (no ipaddr.js in the session layer);
 * IPv4-mapped IPv6 addresses (::ffff:a.b.c.d, as a dual-stack socket reports them) are
 * treated as IPv4.
 */
import { ipv6ToString, parseIpv4, parseIpv6 } from '../wire/nlri.js';

export interface Cidr {
  readonly v6: boolean;
  readonly bits: number;
  /** 4 or 16 octets, masked. */
  readonly octets: Buffer;
  readonly text: string;
}

/** Parses an address to octets (4 or 16), unmapping IPv4-mapped IPv6; null when invalid. */
export function addressOctets(text: string): Buffer | null {
  const noZone = text.split('%')[0] ?? text;
  if (!noZone.includes(':')) {
    const v = parseIpv4(noZone);
    if (v < 0) return null;
    const b = Buffer.alloc(4);
    b.writeUInt32BE(v >>> 0);
    return b;
  }
  const b = parseIpv6(noZone);
  if (b === null) return null;
  const mapped = b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;
  return mapped ? Buffer.from(b.subarray(12)) : b;
}

/** Canonical text of an address (dotted quad, or RFC 5952 IPv6); null when invalid. */
export function canonicalAddress(text: string): string | null {
  const o = addressOctets(text);
  if (o === null) return null;
  return o.length === 4 ? `${o[0]}.${o[1]}.${o[2]}.${o[3]}` : ipv6ToString(o);
}

export function parseCidr(text: string): Cidr | null {
  const slash = text.indexOf('/');
  const addr = slash < 0 ? text : text.slice(0, slash);
  const o = addressOctets(addr);
  if (o === null) return null;
  const max = o.length * 8;
  const bits = slash < 0 ? max : Number(text.slice(slash + 1));
  if (!Number.isInteger(bits) || bits < 0 || bits > max) return null;
  const masked = Buffer.from(o);
  for (let i = 0; i < masked.length; i++) {
    const keep = bits - i * 8;
    if (keep <= 0) masked[i] = 0;
    else if (keep < 8) masked[i] = (masked[i] as number) & (0xff << (8 - keep)) & 0xff;
  }
  const base = masked.length === 4 ? `${masked[0]}.${masked[1]}.${masked[2]}.${masked[3]}` : ipv6ToString(masked);
  return { v6: o.length === 16, bits, octets: masked, text: `${base}/${bits}` };
}

export function cidrContains(c: Cidr, addr: Buffer): boolean {
  if (addr.length !== c.octets.length) return false;
  const full = c.bits >> 3;
  for (let i = 0; i < full; i++) if (addr[i] !== c.octets[i]) return false;
  const rest = c.bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return ((addr[full] as number) & mask) === c.octets[full];
}
