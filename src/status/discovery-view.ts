/**
 * The discovery view of the status API (`/v1/discovery`, `meshrr show discovery`) for the
 * meshrr pod: each DNS lookup discovery made (wrapped around the pod's resolver, so the
 * discovery code is untouched), the last answer per hostname, lookup errors, and the peers
 * and listen ranges the pod applied. A lookup's outcome and latency also feed the metrics.
 */
import type { DnsLookup, ResolveHost } from '../discovery/dns-resolver.js';
import type { GroupReport } from '../discovery/discovery.js';

/** What the pod exposes (src/pod/pod.ts `peers` and `listenRanges`). */
export interface PodState {
  readonly peers: { readonly groups: ReadonlyMap<string, readonly string[]> };
  readonly listenRanges: ReadonlyMap<string, readonly string[]>;
  readonly lastRun: { readonly at: string; readonly kind: string; readonly groups: readonly GroupReport[]; readonly error: string | null } | null;
}

export interface LookupRecord {
  readonly hostname: string;
  readonly at: string;
  readonly ms: number;
  readonly result: DnsLookup['kind'];
  readonly name: string | null;
  readonly addresses: readonly string[];
  readonly error: string | null;
  readonly tried: readonly string[];
}

export interface DiscoveryView {
  readonly lookups: number;
  readonly failures: number;
  readonly lastLookupAt: string | null;
  /** The last lookup per hostname. */
  readonly answers: readonly LookupRecord[];
  /** The peers the pod applied, per group (selection order: sticky peers first). */
  readonly peers: Readonly<Record<string, readonly string[]>>;
  readonly listenRanges: Readonly<Record<string, readonly string[]>>;
  /** The last run: per group the answer and every peer decision (keep, add, replace...) with its reason. */
  readonly lastRun: PodState['lastRun'];
}

export type LookupListener = (result: 'ok' | 'error', seconds: number) => void;

export function instrumentResolver(resolve: ResolveHost): {
  resolve: ResolveHost;
  view: (pod: PodState | undefined) => DiscoveryView;
  onLookup: (l: LookupListener) => void;
} {
  const last = new Map<string, LookupRecord>();
  let lookups = 0;
  let failures = 0;
  let lastAt: string | null = null;
  const listeners: LookupListener[] = [];
  const wrapped: ResolveHost = async (hostname) => {
    const t0 = performance.now();
    const r = await resolve(hostname);
    const ms = performance.now() - t0;
    lookups++;
    if (r.kind === 'failed') failures++;
    lastAt = new Date().toISOString();
    last.set(hostname, {
      hostname,
      at: lastAt,
      ms: Math.round(ms * 10) / 10,
      result: r.kind,
      name: r.kind === 'answer' ? r.name : null,
      addresses: r.kind === 'answer' ? r.addresses : [],
      error: r.kind === 'failed' ? r.error.message : null,
      tried: r.tried,
    });
    for (const l of listeners) l(r.kind === 'failed' ? 'error' : 'ok', ms / 1000);
    return r;
  };
  return {
    resolve: wrapped,
    onLookup: (l) => listeners.push(l),
    view: (pod) => ({
      lookups,
      failures,
      lastLookupAt: lastAt,
      answers: [...last.values()],
      peers: Object.fromEntries(pod?.peers.groups ?? []),
      listenRanges: Object.fromEntries(pod?.listenRanges ?? []),
      lastRun: pod?.lastRun ?? null,
    }),
  };
}
