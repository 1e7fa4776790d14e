/**
 * Narrowing helpers for daemon JSON output (FRR vtysh, GoBGP, bgpctl -j, ExaBGP's API), which
 * the peer modules parse as `unknown`. Also address normalisation, so `2001:DB8::0:1` from one
 * daemon equals `2001:db8::1` from another. Must not: throw on odd shapes; a missing field is
 * `undefined` and the caller decides.
 */
import { isIP, isIPv6 } from 'node:net';
import type { Family } from './types.js';

export type JsonRecord = Record<string, unknown>;

export function isRecord(v: unknown): v is JsonRecord {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function rec(v: unknown, key: string): JsonRecord | undefined {
  if (!isRecord(v)) return undefined;
  const x = v[key];
  return isRecord(x) ? x : undefined;
}

export function arr(v: unknown, key: string): unknown[] {
  if (!isRecord(v)) return [];
  const x = v[key];
  return Array.isArray(x) ? x : [];
}

export function str(v: unknown, key: string): string | undefined {
  if (!isRecord(v)) return undefined;
  const x = v[key];
  return typeof x === 'string' ? x : undefined;
}

export function num(v: unknown, key: string): number | undefined {
  if (!isRecord(v)) return undefined;
  const x = v[key];
  if (typeof x === 'number') return x;
  if (typeof x === 'string' && /^-?\d+(\.\d+)?$/.test(x)) return Number(x);
  return undefined;
}

export function bool(v: unknown, key: string): boolean | undefined {
  if (!isRecord(v)) return undefined;
  const x = v[key];
  return typeof x === 'boolean' ? x : undefined;
}

export function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** Parse JSON output; the error names what was being parsed and shows the start of the text. */
export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new Error(`${what}: not JSON: ${text.slice(0, 300)}`, { cause: err });
  }
}

/**
 * Split concatenated JSON documents (`vtysh -c A -c B` prints one per command) and parse each.
 */
export function parseJsonSequence(text: string, what: string): unknown[] {
  const out: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{' || c === '[') {
      if (depth === 0) start = i;
      depth++;
    } else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0 && start >= 0) {
        out.push(parseJson(text.slice(start, i + 1), what));
        start = -1;
      }
    }
  }
  return out;
}

/** Canonical text of an IP address (IPv6 compressed, lower case). */
export function normalizeAddress(address: string): string {
  if (isIPv6(address)) return new URL(`http://[${address}]`).hostname.slice(1, -1);
  return address;
}

/** Canonical text of a prefix `addr/len`. */
export function normalizePrefix(prefix: string): string {
  const [addr = '', len] = prefix.split('/');
  return len === undefined ? normalizeAddress(addr) : `${normalizeAddress(addr)}/${len}`;
}

export function sameAddress(a: string, b: string): boolean {
  return normalizeAddress(a) === normalizeAddress(b);
}

/** The unicast family of an address or prefix. */
export function familyOf(addressOrPrefix: string): Family {
  const addr = addressOrPrefix.split('/')[0] ?? '';
  if (isIP(addr) === 0) throw new Error(`not an IP address or prefix: ${addressOrPrefix}`);
  return isIPv6(addr) ? 'ipv6-unicast' : 'ipv4-unicast';
}
