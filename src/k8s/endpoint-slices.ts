/**
 * The peers of a `sourcetype: kubernetes` mesh group (issue 8): the ready addresses of the
 * EndpointSlices of one Service (label `kubernetes.io/service-name=NAME`), listed once, then
 * kept up to date by a watch, so a pod turning Ready (or not) changes the set within seconds
 * instead of at the next DNS poll.
 *
 * 1. An endpoint counts when `conditions.ready` is not false (nil means ready, as the API
 *    says); slices of addressType IPv4 and IPv6 are read, FQDN slices are ignored. Addresses
 *    are normalised like DNS answers (dns-resolver.ts), so discovery cannot tell them apart.
 * 2. `lookup()` answers like a DNS lookup: the addresses, or `nodata` when none is ready
 *    (discovery then keeps the group's peers, as it does for an empty headless Service).
 * 3. The watch resumes from the last resourceVersion; when it ends (server timeout, network)
 *    it is re-established (after `retryMs` unless it ran cleanly for a while), re-listing
 *    when the version expired (410 Gone).
 *    Meanwhile the last known set stays in use.
 * 4. 401/403 (RBAC does not grant list/watch on endpointslices), or any failure of the first
 *    list: the source is `unavailable`, and the caller falls back to DNS (k8s-discovery.ts).
 *    After 401/403 it never retries (RBAC will not change by itself; a restart re-checks);
 *    other failures retry, and the source becomes available again once a list succeeds.
 *
 * Owns: the list/watch and the address set. Must not: decide peers (discovery does).
 */
import { DiscoveryV1Api, Watch } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { normaliseAddress, sortAddresses } from '../discovery/dns-resolver.js';
import type { DnsLookup } from '../discovery/dns-resolver.js';
import { apiStatus } from './reporter.js';

/** The watch path of EndpointSlices (the list goes through DiscoveryV1Api). */
export const ENDPOINT_SLICES_PATH = '/apis/discovery.k8s.io/v1/namespaces/{namespace}/endpointslices';
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export type SourceState =
  | { readonly kind: 'starting' }
  | { readonly kind: 'synced' }
  | { readonly kind: 'unavailable'; readonly status: number | null; readonly reason: string; readonly retrying: boolean };

export interface EndpointSliceSourceOptions {
  readonly kc: KubeConfig;
  readonly namespace: string;
  readonly service: string;
  readonly log: Logger;
  /** Called (at most once per `coalesceMs`) after the ready set changed. */
  readonly onChange?: () => void;
  /** Wait before re-establishing a watch or re-listing after a failure; default 2 s. */
  readonly retryMs?: number;
  readonly coalesceMs?: number;
}

/** The ready addresses of one EndpointSlice (raw JSON or the client's model; both have the same fields). */
export function readyAddresses(slice: unknown): string[] {
  const s = slice as { addressType?: unknown; endpoints?: unknown } | null;
  if (s === null || typeof s !== 'object' || (s.addressType !== 'IPv4' && s.addressType !== 'IPv6') || !Array.isArray(s.endpoints)) return [];
  const out: string[] = [];
  for (const e of s.endpoints as unknown[]) {
    const ep = e as { addresses?: unknown; conditions?: { ready?: unknown } } | null;
    if (ep === null || typeof ep !== 'object' || !Array.isArray(ep.addresses)) continue;
    if (ep.conditions?.ready === false) continue;
    for (const a of ep.addresses as unknown[]) {
      const n = typeof a === 'string' ? normaliseAddress(a) : null;
      if (n !== null) out.push(n);
    }
  }
  return out;
}

function sliceName(slice: unknown): string | null {
  const name = (slice as { metadata?: { name?: unknown } } | null)?.metadata?.name;
  return typeof name === 'string' ? name : null;
}

function resourceVersionOf(obj: unknown): string | null {
  const rv = (obj as { metadata?: { resourceVersion?: unknown } } | null)?.metadata?.resourceVersion;
  return typeof rv === 'string' && rv !== '' ? rv : null;
}

function reasonOf(err: unknown): string {
  const status = apiStatus(err) ?? statusCodeOf(err);
  const text = err instanceof Error ? err.message.split('\n')[0] ?? '' : String(err);
  if (status === 401) return 'the API server refused the service account token (401 Unauthorized)';
  if (status === 403) return 'RBAC does not allow list/watch of discovery.k8s.io endpointslices (403 Forbidden)';
  return status === null ? text : `HTTP ${status}: ${text}`;
}

/** Watch errors carry `statusCode` (client-node's Watch), API errors `code` (ApiException). */
function statusCodeOf(err: unknown): number | null {
  const code = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof code === 'number' ? code : null;
}

export class EndpointSliceSource {
  private readonly api: DiscoveryV1Api;
  private readonly watcher: Watch;
  private readonly slices = new Map<string, readonly string[]>();
  private current: readonly string[] = [];
  private resourceVersion: string | null = null;
  private stateNow: SourceState = { kind: 'starting' };
  private abort: AbortController | null = null;
  private timer: NodeJS.Timeout | null = null;
  private changeTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  /** A re-list after a synced source's failure is pending (warned once per streak). */
  private failing = false;
  private readonly retryMs: number;
  private readonly coalesceMs: number;
  /** Requests made, for tests and status. */
  readonly requests = { lists: 0, watches: 0 };

  constructor(private readonly opts: EndpointSliceSourceOptions) {
    this.api = opts.kc.makeApiClient(DiscoveryV1Api);
    this.watcher = new Watch(opts.kc);
    this.retryMs = opts.retryMs ?? 2000;
    this.coalesceMs = opts.coalesceMs ?? 100;
  }

  /** `NAMESPACE/SERVICE`. */
  get id(): string {
    return `${this.opts.namespace}/${this.opts.service}`;
  }

  get state(): SourceState {
    return this.stateNow;
  }

  /** Lists, then watches in the background. Resolves once the first list succeeded or failed. */
  async start(): Promise<SourceState> {
    await this.list();
    return this.stateNow;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    if (this.changeTimer !== null) clearTimeout(this.changeTimer);
    this.timer = null;
    this.changeTimer = null;
    this.abort?.abort();
    this.abort = null;
  }

  /** The ready addresses, sorted like a DNS answer. */
  get addresses(): readonly string[] {
    return this.current;
  }

  /** The set as a DNS answer (see the module comment, rule 2). */
  lookup(): DnsLookup {
    const tried = [`endpointslices ${this.id}`];
    if (this.current.length === 0) return { kind: 'nodata', tried };
    return { kind: 'answer', name: `k8s:${this.id}`, addresses: this.current, tried };
  }

  private async list(): Promise<void> {
    if (this.stopped) return;
    const { namespace, service, log } = this.opts;
    this.requests.lists++;
    try {
      const res = await this.api.listNamespacedEndpointSlice({ namespace, labelSelector: `${SERVICE_NAME_LABEL}=${service}` });
      if (this.stopped) return;
      this.slices.clear();
      for (const item of res.items) {
        const name = sliceName(item);
        if (name !== null) this.slices.set(name, readyAddresses(item));
      }
      this.resourceVersion = resourceVersionOf(res);
      const was = this.stateNow;
      this.stateNow = { kind: 'synced' };
      this.failing = false;
      if (was.kind === 'unavailable') log.info({ service: this.id }, 'k8sDiscoveryRecovered');
      this.recompute();
      void this.watch();
    } catch (err) {
      this.fail(err, 'list');
    }
  }

  private async watch(): Promise<void> {
    if (this.stopped) return;
    const { namespace, service } = this.opts;
    this.requests.watches++;
    const params: Record<string, string | boolean> = { labelSelector: `${SERVICE_NAME_LABEL}=${service}`, allowWatchBookmarks: true };
    if (this.resourceVersion !== null) params['resourceVersion'] = this.resourceVersion;
    let relist = false;
    const startedAt = Date.now();
    const onEvent = (type: string, obj: unknown): void => {
      if (this.stopped) return;
      const rv = resourceVersionOf(obj);
      if (type === 'ERROR') {
        // A Status; 410 Gone: our resourceVersion is too old, start over with a list.
        const code = (obj as { code?: unknown } | null)?.code;
        if (code === 410) relist = true;
        this.opts.log.debug({ service: this.id, code }, 'k8sWatchError');
        this.abort?.abort();
        return;
      }
      if (rv !== null) this.resourceVersion = rv;
      if (type === 'BOOKMARK') return;
      const name = sliceName(obj);
      if (name === null) return;
      if (type === 'DELETED') this.slices.delete(name);
      else if (type === 'ADDED' || type === 'MODIFIED') this.slices.set(name, readyAddresses(obj));
      else return;
      this.recompute();
    };
    const onDone = (err: unknown): void => {
      this.abort = null;
      if (this.stopped) return;
      if (err !== null && err !== undefined && (err as { name?: unknown }).name !== 'AbortError') {
        const status = statusCodeOf(err);
        if (status === 401 || status === 403) return this.fail(err, 'watch');
        if (status === 410) relist = true;
        this.opts.log.debug({ service: this.id, reason: reasonOf(err) }, 'k8sWatchEnded');
      }
      if (relist) this.resourceVersion = null;
      // A watch that ends normally after a while (the server's timeout) resumes at once;
      // a failed one, or one closed at once (a proxy?), after a pause, so it cannot spin.
      const clean = (err === null || err === undefined) && Date.now() - startedAt >= 1000;
      this.schedule(relist ? () => this.list() : () => this.watch(), clean ? 0 : this.retryMs);
    };
    try {
      const controller = await this.watcher.watch(ENDPOINT_SLICES_PATH.replace('{namespace}', encodeURIComponent(namespace)), params, onEvent, onDone);
      // stop() may have come while the request was being made: it could not abort it then.
      if (this.stopped) controller.abort();
      else this.abort = controller;
    } catch (err) {
      onDone(err);
    }
  }

  private schedule(fn: () => Promise<void>, ms: number): void {
    if (this.stopped) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void fn();
    }, ms);
  }

  /** Rule 4: first failure logged once with the reason; 401/403 stop the source for good. */
  private fail(err: unknown, op: 'list' | 'watch'): void {
    const status = apiStatus(err) ?? statusCodeOf(err);
    const forbidden = status === 401 || status === 403;
    const reason = reasonOf(err);
    if (this.stateNow.kind === 'synced' && !forbidden) {
      // Rule 3: keep the last set and try again (one warning per failure streak).
      if (!this.failing) this.opts.log.warn({ service: this.id, op, reason }, 'k8sWatchFailed');
      this.failing = true;
      this.schedule(() => this.list(), this.retryMs);
      return;
    }
    const was = this.stateNow;
    this.stateNow = { kind: 'unavailable', status, reason, retrying: !forbidden };
    if (was.kind !== 'unavailable') {
      this.opts.log.warn({ service: this.id, op, status, reason, retrying: !forbidden }, 'k8sDiscoveryUnavailable');
      this.opts.onChange?.();
    }
    if (!forbidden) this.schedule(() => this.list(), this.retryMs);
  }

  private recompute(): void {
    const next = sortAddresses([...this.slices.values()].flat());
    if (next.length === this.current.length && next.every((a, i) => a === this.current[i])) return;
    this.current = next;
    this.opts.log.debug({ service: this.id, addresses: next }, 'k8sEndpointsChanged');
    if (this.opts.onChange === undefined || this.changeTimer !== null) return;
    this.changeTimer = setTimeout(() => {
      this.changeTimer = null;
      if (!this.stopped) this.opts.onChange?.();
    }, this.coalesceMs);
  }
}
