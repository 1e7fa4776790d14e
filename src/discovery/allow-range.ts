/**
 * Allow-range minus explicit peers (issue 7): a subtractive group accepts any router
 * connecting from inside its `prefixes`, except the addresses that are explicit peers of some
 * group (static neighbours of the rendered router config and discovered mesh/upstream peers).
 * Were those left inside the range, a connection from a mesh peer could land in the client
 * group instead of its own. Juniper's meshrr computes the same set with netaddr's IPSet and
 * writes it as the group's `allow` list; meshrr sets it as the group's listen ranges.
 *
 * The result is the minimal list of CIDR blocks covering exactly (union of prefixes) minus
 * (union of exclusions), IPv4 blocks first, then IPv6, each family in address order. Minimal
 * because the union is first merged into disjoint, non-adjacent ranges, and the greedy cut of
 * one contiguous range into aligned blocks (largest block that starts at the cursor and fits)
 * is the shortest CIDR cover of that range; blocks never span the gaps between ranges.
 *
 * Owns: text <-> 128-bit integers via ipaddr.js, range arithmetic. Must not: know groups,
 * DNS or the router (the pod passes plain lists in and applies the result).
 */
import ipaddr from 'ipaddr.js';
import { MeshrrError } from '../errors.js';

/** A malformed prefix or address given to `subtractAddresses`. */
export class AllowRangeError extends MeshrrError {
  override readonly name = 'AllowRangeError';
  declare readonly code: 'MESHRR_ALLOW_INVALID';
  /** The offending text, as given. */
  readonly input: string;

  constructor(input: string, message: string) {
    super('MESHRR_ALLOW_INVALID', message);
    this.input = input;
  }
}

type Family = 4 | 6;

/** An inclusive range of addresses of one family. */
interface Range {
  readonly family: Family;
  readonly first: bigint;
  readonly last: bigint;
}

const WIDTH: Record<Family, number> = { 4: 32, 6: 128 };

function toBigInt(bytes: readonly number[]): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

function fromBigInt(v: bigint, family: Family): string {
  const n = WIDTH[family] / 8;
  const bytes = new Array<number>(n);
  for (let i = n - 1; i >= 0; i--) {
    bytes[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  const a = ipaddr.fromByteArray(bytes);
  return a.kind() === 'ipv6' ? (a as ipaddr.IPv6).toRFC5952String() : a.toString();
}

/**
 * Parses an address (`10.0.0.1`, `2001:db8::1`) or a prefix (`10.0.0.0/8`) into a range.
 * IPv4 must be four decimal parts (no `10.1` or octal guessing); IPv4-mapped IPv6 is read as
 * the IPv4 address it carries, as meshrr sees such peers as IPv4; host bits must be clear.
 */
export function parseRange(text: string, what: 'prefix' | 'address or prefix'): Range {
  const t = text.trim();
  const slash = t.indexOf('/');
  const addrText = slash < 0 ? t : t.slice(0, slash);
  const lenText = slash < 0 ? null : t.slice(slash + 1);
  if (what === 'prefix' && lenText === null) throw new AllowRangeError(text, `'${text}' is not a prefix: expected ADDRESS/LENGTH like 10.0.0.0/8 or 2001:db8::/32`);
  let addr: ipaddr.IPv4 | ipaddr.IPv6;
  if (ipaddr.IPv4.isValidFourPartDecimal(addrText)) addr = ipaddr.IPv4.parse(addrText);
  else if (addrText.includes(':') && !addrText.includes('%') && ipaddr.IPv6.isValid(addrText)) addr = ipaddr.IPv6.parse(addrText);
  else throw new AllowRangeError(text, `'${text}' is not an IPv4 or IPv6 ${what}`);
  let family: Family = addr.kind() === 'ipv4' ? 4 : 6;
  let value = toBigInt(addr.toByteArray());
  let len = WIDTH[family];
  if (lenText !== null) {
    if (!/^\d{1,3}$/.test(lenText) || Number(lenText) > WIDTH[family]) throw new AllowRangeError(text, `'${text}' has a bad prefix length; expected 0 to ${WIDTH[family]}`);
    len = Number(lenText);
  }
  if (family === 6 && (addr as ipaddr.IPv6).isIPv4MappedAddress() && len >= 96) {
    family = 4;
    value &= 0xffffffffn;
    len -= 96;
  }
  const hostBits = BigInt(WIDTH[family] - len);
  const hostMask = (1n << hostBits) - 1n;
  if ((value & hostMask) !== 0n) {
    throw new AllowRangeError(text, `'${text}' has host bits set; did you mean ${fromBigInt(value & ~hostMask, family)}/${len}?`);
  }
  return { family, first: value, last: value | hostMask };
}

/** Sorts and merges overlapping or adjacent ranges of each family. */
function mergeRanges(ranges: readonly Range[]): Range[] {
  const sorted = [...ranges].sort((a, b) => a.family - b.family || (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  const out: Range[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && last.family === r.family && r.first <= last.last + 1n) {
      if (r.last > last.last) out[out.length - 1] = { ...last, last: r.last };
    } else {
      out.push(r);
    }
  }
  return out;
}

/** `keep` minus `cut`, both merged (sorted, disjoint); the result is merged too. */
function subtractRanges(keep: readonly Range[], cut: readonly Range[]): Range[] {
  const out: Range[] = [];
  for (const k of keep) {
    let first = k.first;
    let open = true;
    for (const c of cut) {
      if (c.family !== k.family || c.last < first || c.first > k.last) continue;
      if (c.first > first) out.push({ family: k.family, first, last: c.first - 1n });
      if (c.last >= k.last) {
        open = false;
        break;
      }
      first = c.last + 1n;
    }
    if (open) out.push({ family: k.family, first, last: k.last });
  }
  return out;
}

/** The shortest list of CIDR blocks covering exactly one contiguous range. */
function rangeToCidrs(r: Range): string[] {
  const width = WIDTH[r.family];
  const out: string[] = [];
  let cur = r.first;
  while (cur <= r.last) {
    // The largest block aligned at `cur` ...
    let size = cur === 0n ? width : lowestSetBit(cur);
    // ... that does not run past the end of the range.
    while (size > 0 && cur + (1n << BigInt(size)) - 1n > r.last) size--;
    out.push(`${fromBigInt(cur, r.family)}/${width - size}`);
    cur += 1n << BigInt(size);
  }
  return out;
}

function lowestSetBit(v: bigint): number {
  let n = 0;
  while ((v & 1n) === 0n) {
    v >>= 1n;
    n++;
  }
  return n;
}

/**
 * The minimal CIDR list of `prefixes` minus `exclude` (addresses or prefixes, IPv4 and IPv6
 * mixed). Exclusions outside every prefix are ignored. IPv4 blocks come first, then IPv6.
 * @throws AllowRangeError for malformed input (bad syntax, host bits set).
 */
export function subtractAddresses(prefixes: readonly string[], exclude: readonly string[]): string[] {
  const keep = mergeRanges(prefixes.map((p) => parseRange(p, 'prefix')));
  const cut = mergeRanges(exclude.map((a) => parseRange(a, 'address or prefix')));
  return subtractRanges(keep, cut).flatMap(rangeToCidrs);
}

/** True when `address` (IPv4 or IPv6 text) lies inside `prefix`. */
export function prefixContainsAddress(prefix: string, address: string): boolean {
  const p = parseRange(prefix, 'prefix');
  const a = parseRange(address, 'address or prefix');
  return p.family === a.family && a.first >= p.first && a.last <= p.last;
}
