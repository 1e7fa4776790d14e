/**
 * /etc/resolv.conf as the system resolver reads it (glibc resolv.conf(5)), and the list of
 * names a query for a short name tries (glibc `res_search`). Node's `dns.resolve*` (c-ares
 * `ares_query`) ignore `search` and `ndots`, so a headless Service written as `meshrr` or
 * `meshrr.core` would never resolve in a pod; discovery expands the name itself with the rules
 * below and asks the nameservers for each candidate in turn.
 *
 * Rules (glibc 2.36 `resolv/res_query.c`, `resolv/res_init.c`):
 * 1. `nameserver` lines: at most 3 (MAXNS) are used, in file order; none means 127.0.0.1.
 * 2. `search` and `domain` override each other: the last one in the file wins; `domain X` is
 *    a search list of just X. At most 6 domains are used.
 * 3. `options ndots:N` (default 1, capped at 15), `timeout:N` (default 5 s, capped at 30) and
 *    `attempts:N` (default 2, capped at 5); other options are ignored.
 * 4. A name ending in a dot is absolute: only that name is tried.
 * 5. A name with at least `ndots` dots is tried as is first, then with each search domain.
 * 6. A name with fewer dots is tried with each search domain first, then as is.
 *
 * Owns: parsing and candidate expansion. Must not: send queries (dns-resolver.ts does).
 */

export interface ResolvConf {
  /** Nameserver addresses in order, each `ADDRESS` or `ADDRESS:PORT` / `[V6]:PORT` for Node's Resolver. */
  readonly nameservers: readonly string[];
  readonly search: readonly string[];
  readonly ndots: number;
  /** Seconds per try. */
  readonly timeout: number;
  readonly attempts: number;
}

export const RESOLV_DEFAULTS: ResolvConf = { nameservers: ['127.0.0.1'], search: [], ndots: 1, timeout: 5, attempts: 2 };

const MAXNS = 3;
const MAXDNSRCH = 6;

/** Parses resolv.conf text; unknown lines and malformed values are skipped, as glibc does. */
export function parseResolvConf(text: string): ResolvConf {
  const nameservers: string[] = [];
  let search: string[] = [];
  let ndots = RESOLV_DEFAULTS.ndots;
  let timeout = RESOLV_DEFAULTS.timeout;
  let attempts = RESOLV_DEFAULTS.attempts;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const [keyword, ...args] = line.split(/\s+/);
    if (keyword === 'nameserver' && args[0] !== undefined && nameservers.length < MAXNS) nameservers.push(args[0]);
    else if (keyword === 'domain' && args[0] !== undefined) search = [trimDot(args[0])];
    else if (keyword === 'search') search = args.map(trimDot).filter((d) => d !== '').slice(0, MAXDNSRCH);
    else if (keyword === 'options') {
      for (const opt of args) {
        const m = /^(ndots|timeout|attempts):(\d+)$/.exec(opt);
        if (m === null) continue;
        const v = Number(m[2]);
        if (m[1] === 'ndots') ndots = Math.min(v, 15);
        else if (m[1] === 'timeout') timeout = Math.max(1, Math.min(v, 30));
        else attempts = Math.max(1, Math.min(v, 5));
      }
    }
  }
  return { nameservers: nameservers.length > 0 ? nameservers : RESOLV_DEFAULTS.nameservers, search, ndots, timeout, attempts };
}

function trimDot(d: string): string {
  return d.endsWith('.') ? d.slice(0, -1) : d;
}

/** The names to query for `name`, in order (rules 4 to 6 above); no trailing dots. */
export function searchCandidates(name: string, conf: Pick<ResolvConf, 'search' | 'ndots'>): string[] {
  if (name.endsWith('.')) return [name.slice(0, -1)];
  const dots = [...name].filter((c) => c === '.').length;
  const expanded = conf.search.map((d) => `${name}.${d}`);
  const out = dots >= conf.ndots ? [name, ...expanded] : [...expanded, name];
  return [...new Set(out)];
}

/**
 * Turns a nameserver override (`MESHRR_DNS_SERVERS`: `127.0.0.53:5353,[::1]:53`) into the
 * list form Node's `Resolver.setServers` takes; throws on an empty list.
 */
export function parseServerList(text: string): string[] {
  const out = text.split(/[\s,]+/).filter((s) => s !== '');
  if (out.length === 0) throw new Error('expected at least one nameserver (ADDRESS, ADDRESS:PORT or [IPV6]:PORT)');
  return out;
}
