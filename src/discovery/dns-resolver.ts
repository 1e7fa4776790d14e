/**
 * Resolves a headless Service name to its pod addresses, A and AAAA, the way a pod's system
 * resolver would find it: the name is expanded with resolv.conf's `search` and `ndots`
 * (resolv-conf.ts) and each candidate is asked of the configured nameservers with Node's
 * c-ares Resolver, which on its own ignores the search list.
 *
 * Outcomes, as discovery needs them (issue 7):
 * 1. `answer`: some candidate has A and/or AAAA records; the addresses are normalised with
 *    ipaddr.js (dotted quad, RFC 5952 IPv6; IPv4-mapped IPv6 becomes IPv4), deduplicated
 *    and sorted (IPv4 first, then IPv6, by value).
 * 2. `nxdomain` / `nodata`: every candidate is NXDOMAIN, or exists without addresses.
 *    Discovery keeps the group's current peers.
 * 3. `failed`: a timeout, SERVFAIL/REFUSED or unreachable nameserver. Discovery keeps
 *    everything and retries at the next run.
 *
 * Departure from glibc: `res_search` goes on to the next search domain after SERVFAIL; we stop
 * at the first transient failure and report it, because the name may well exist under the
 * domain whose server failed, and concluding "not found" from a later NXDOMAIN could shrink a
 * mesh while DNS is merely unwell. A candidate is `answer` only when neither its A nor its
 * AAAA query failed transiently, for the same reason (a dual-stack Service would otherwise
 * lose its IPv6 peers for one run).
 *
 * Owns: queries and error classification. Must not: decide peers (discovery.ts does).
 */
import { promises as dnsPromises } from 'node:dns';
import ipaddr from 'ipaddr.js';
import { MeshrrError } from '../errors.js';
import { searchCandidates } from './resolv-conf.js';
import type { ResolvConf } from './resolv-conf.js';

export type DnsErrorCode = 'MESHRR_DNS_TIMEOUT' | 'MESHRR_DNS_SERVFAIL' | 'MESHRR_DNS_UNREACHABLE' | 'MESHRR_DNS_FAILED';

/** A transient resolver failure for one query; the c-ares error is the `cause`. */
export class DnsError extends MeshrrError {
  override readonly name = 'DnsError';
  declare readonly code: DnsErrorCode;
  /** The name queried (after search expansion). */
  readonly query: string;
  readonly rrtype: 'A' | 'AAAA';

  constructor(code: DnsErrorCode, query: string, rrtype: 'A' | 'AAAA', cause: unknown) {
    super(code, `${rrtype} ${query}: ${DNS_TEXT[code]}${causeCode(cause)}`, { cause });
    this.query = query;
    this.rrtype = rrtype;
  }
}

const DNS_TEXT: Record<DnsErrorCode, string> = {
  MESHRR_DNS_TIMEOUT: 'no answer from the nameservers (timeout)',
  MESHRR_DNS_SERVFAIL: 'the nameserver could not answer (SERVFAIL or REFUSED)',
  MESHRR_DNS_UNREACHABLE: 'no nameserver could be reached',
  MESHRR_DNS_FAILED: 'the query failed',
};

function causeCode(cause: unknown): string {
  const code = (cause as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? ` (${code})` : '';
}

export type DnsLookup =
  | { readonly kind: 'answer'; readonly name: string; readonly addresses: readonly string[]; readonly tried: readonly string[] }
  | { readonly kind: 'nxdomain'; readonly tried: readonly string[] }
  | { readonly kind: 'nodata'; readonly tried: readonly string[] }
  | { readonly kind: 'failed'; readonly error: DnsError; readonly tried: readonly string[] };

/** What discovery calls to resolve a group's hostname (injectable for tests). */
export type ResolveHost = (hostname: string) => Promise<DnsLookup>;

type QueryResult = { readonly kind: 'records'; readonly addresses: string[] } | { readonly kind: 'nxdomain' } | { readonly kind: 'nodata' } | { readonly kind: 'failed'; readonly error: DnsError };

export interface HeadlessResolverOptions {
  /** resolv.conf as parsed; `nameservers` are used unless `servers` is given. */
  readonly resolvConf: ResolvConf;
  /** Override of the nameservers (`MESHRR_DNS_SERVERS`, tests): `ADDRESS[:PORT]`, `[V6]:PORT`. */
  readonly servers?: readonly string[];
  /** Per-try timeout in ms (default: resolv.conf `timeout`). */
  readonly timeoutMs?: number;
  /** Tries per nameserver (default: resolv.conf `attempts`). */
  readonly tries?: number;
}

/** Resolves names as headless Services, honouring the search list (see the module comment). */
export class HeadlessResolver {
  private readonly resolver: dnsPromises.Resolver;
  private readonly conf: ResolvConf;

  constructor(opts: HeadlessResolverOptions) {
    this.conf = opts.resolvConf;
    this.resolver = new dnsPromises.Resolver({ timeout: opts.timeoutMs ?? opts.resolvConf.timeout * 1000, tries: opts.tries ?? opts.resolvConf.attempts });
    this.resolver.setServers([...(opts.servers ?? opts.resolvConf.nameservers)]);
  }

  /** The candidates tried for `hostname`, in order. */
  candidates(hostname: string): string[] {
    return searchCandidates(hostname, this.conf);
  }

  readonly resolve: ResolveHost = async (hostname) => {
    const tried: string[] = [];
    let sawNodata = false;
    for (const name of this.candidates(hostname)) {
      tried.push(name);
      const [a, aaaa] = await Promise.all([this.query(name, 'A'), this.query(name, 'AAAA')]);
      const failed = a.kind === 'failed' ? a : aaaa.kind === 'failed' ? aaaa : null;
      if (failed !== null) return { kind: 'failed', error: failed.error, tried };
      const addresses = [...(a.kind === 'records' ? a.addresses : []), ...(aaaa.kind === 'records' ? aaaa.addresses : [])];
      if (addresses.length > 0) return { kind: 'answer', name, addresses: sortAddresses(addresses), tried };
      if (a.kind === 'nodata' || aaaa.kind === 'nodata') sawNodata = true;
    }
    return sawNodata ? { kind: 'nodata', tried } : { kind: 'nxdomain', tried };
  };

  /** Stops queries in flight (they fail with ECANCELLED). */
  cancel(): void {
    this.resolver.cancel();
  }

  private async query(name: string, rrtype: 'A' | 'AAAA'): Promise<QueryResult> {
    try {
      const raw = rrtype === 'A' ? await this.resolver.resolve4(name) : await this.resolver.resolve6(name);
      const addresses = raw.map(normaliseAddress).filter((x): x is string => x !== null);
      return addresses.length > 0 ? { kind: 'records', addresses } : { kind: 'nodata' };
    } catch (e) {
      return classify(e, name, rrtype);
    }
  }
}

/** Maps a c-ares error to an outcome (Node's `dns` error codes). */
export function classify(e: unknown, name: string, rrtype: 'A' | 'AAAA'): QueryResult {
  const code = (e as { code?: unknown } | null)?.code;
  switch (code) {
    case 'ENOTFOUND':
      return { kind: 'nxdomain' };
    case 'ENODATA':
      return { kind: 'nodata' };
    case 'ETIMEOUT':
      return { kind: 'failed', error: new DnsError('MESHRR_DNS_TIMEOUT', name, rrtype, e) };
    case 'ESERVFAIL':
    case 'EREFUSED':
      return { kind: 'failed', error: new DnsError('MESHRR_DNS_SERVFAIL', name, rrtype, e) };
    case 'ECONNREFUSED':
    case 'ENETUNREACH':
    case 'EHOSTUNREACH':
      return { kind: 'failed', error: new DnsError('MESHRR_DNS_UNREACHABLE', name, rrtype, e) };
    default:
      return { kind: 'failed', error: new DnsError('MESHRR_DNS_FAILED', name, rrtype, e) };
  }
}

/** Canonical text for an address from a DNS answer; null if it is not one. */
export function normaliseAddress(text: string): string | null {
  if (!ipaddr.isValid(text)) return null;
  const a = ipaddr.parse(text);
  if (a.kind() === 'ipv4') return a.toString();
  const v6 = a as ipaddr.IPv6;
  return v6.isIPv4MappedAddress() ? v6.toIPv4Address().toString() : v6.toRFC5952String();
}

function addressKey(a: string): [number, bigint] {
  const bytes = ipaddr.parse(a).toByteArray();
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return [bytes.length, v];
}

/** Deduplicated, IPv4 before IPv6, each by numeric value. */
export function sortAddresses(addrs: readonly string[]): string[] {
  return [...new Set(addrs)].sort((x, y) => {
    const [fx, vx] = addressKey(x);
    const [fy, vy] = addressKey(y);
    return fx - fy || (vx < vy ? -1 : vx > vy ? 1 : 0);
  });
}
