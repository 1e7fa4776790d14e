/**
 * The status server of every meshrr process (issue 9): read-only HTTP (node:http), JSON.
 *
 * Two listeners:
 * 1. the status address (default 127.0.0.1:8080, loopback only: `meshrr show` runs in the
 *    container through `kubectl exec`): every endpoint below;
 * 2. the probe address (the pod IP, optional): `/healthz`, `/readyz` and `/metrics` only,
 *    for the kubelet and Prometheus. Neither listener accepts anything but GET/HEAD.
 *
 * Endpoints: /v1/router (identity), /v1/summary, /v1/neighbors[/ADDR], /v1/routes?prefix=&community=&peer=&view=
 * &family=, /v1/discovery, /v1/config, /v1/rib.mrt (TABLE_DUMP_V2), /metrics, /healthz,
 * /readyz. A probe answers 200 or 503 with a JSON `{ ok, reason }`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { RouteReflector } from '../rr/route-reflector.js';
import { healthz, LagMonitor, readyz, type ReadinessOptions } from './health.js';
import { RouterMetrics } from './metrics.js';
import { dumpRib } from './rib-dump.js';
import { neighborsView, QueryError, routesView, summaryView, type RoutesQuery } from './views.js';

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** The config view: what the router runs, where it came from and when it was applied. */
export interface ConfigView {
  readonly source: string;
  readonly template: string | null;
  readonly text: string;
  readonly appliedAt: string | null;
}

export interface StatusServerOptions {
  readonly rr: RouteReflector;
  readonly log: Logger;
  readonly address: HostPort | null;
  /** When false, a status address that cannot be bound (a second meshrr on one host) is logged and skipped. */
  readonly addressRequired?: boolean;
  readonly probeAddress?: HostPort | null;
  readonly readiness: ReadinessOptions;
  /** /healthz fails above this event loop lag (ms). */
  readonly maxLagMs: number;
  readonly config: () => ConfigView;
  /** The pod's discovery state; absent for `meshrr rr`. */
  readonly discovery?: () => unknown;
  readonly lagWindowMs?: number;
}

/** Parses "HOST:PORT", "[V6]:PORT" or ":PORT" (all addresses). */
export function parseHostPort(text: string, defaultHost = '127.0.0.1'): HostPort | null {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text.trim());
  if (m === null) return null;
  const port = Number(m[3]);
  if (port > 65535) return null;
  const host = m[1] ?? m[2] ?? '';
  return { host: host === '' ? defaultHost : host, port };
}

export class StatusServer {
  readonly lag: LagMonitor;
  readonly metrics: RouterMetrics;
  private readonly servers: Server[] = [];
  private configApplied = false;

  constructor(private readonly opts: StatusServerOptions) {
    this.lag = new LagMonitor({ ...(opts.lagWindowMs !== undefined ? { windowMs: opts.lagWindowMs } : {}) });
    this.metrics = new RouterMetrics({ rr: opts.rr, lag: this.lag });
  }

  /** The router config is applied (readiness may now pass). */
  markConfigApplied(): void {
    this.configApplied = true;
    this.metrics.configApplied('applied');
  }

  /** Binds the listeners; resolves with the bound addresses (port 0 gets a free port). */
  async start(): Promise<{ status: HostPort | null; probe: HostPort | null }> {
    this.lag.start();
    const bind = async (a: HostPort, probesOnly: boolean): Promise<HostPort> => {
      const s = createServer((req, res) => void this.handle(req, res, probesOnly));
      s.keepAliveTimeout = 5000;
      await new Promise<void>((resolve, reject) => {
        s.once('error', (err) => reject(new Error(`status server cannot listen on ${a.host}:${a.port}: ${err.message}`, { cause: err })));
        s.listen({ host: a.host, port: a.port }, () => resolve());
      });
      this.servers.push(s);
      const addr = s.address();
      const bound = typeof addr === 'object' && addr !== null ? { host: addr.address, port: addr.port } : a;
      this.opts.log.info({ address: bound.host, port: bound.port, probesOnly }, 'statusServerListening');
      return bound;
    };
    let status: HostPort | null = null;
    if (this.opts.address !== null) {
      try {
        status = await bind(this.opts.address, false);
      } catch (err) {
        if (this.opts.addressRequired !== false) throw err;
        this.opts.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'statusServerUnavailable');
      }
    }
    let probe: HostPort | null;
    try {
      probe = this.opts.probeAddress == null ? null : await bind(this.opts.probeAddress, true);
    } catch (err) {
      // Leave nothing listening: the caller exits, and an open server would keep it alive.
      await this.stop();
      throw err;
    }
    return { status, probe };
  }

  async stop(): Promise<void> {
    this.lag.stop();
    await Promise.all(
      this.servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            s.close(() => resolve());
            s.closeAllConnections();
          }),
      ),
    );
    this.servers.length = 0;
  }

  private async handle(req: IncomingMessage, res: ServerResponse, probesOnly: boolean): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://status');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { error: 'read-only API: GET only' });
    try {
      switch (path) {
        case '/healthz': {
          const r = healthz(this.lag, this.opts.maxLagMs);
          return send(res, r.ok ? 200 : 503, r);
        }
        case '/readyz': {
          const r = readyz(this.opts.rr, this.configApplied, this.opts.readiness);
          return send(res, r.ok ? 200 : 503, r);
        }
        case '/metrics': {
          const text = await this.metrics.text();
          res.writeHead(200, { 'content-type': this.metrics.contentType });
          res.end(text);
          return;
        }
      }
      if (probesOnly) return send(res, 404, { error: `${path}: the probe address serves /healthz, /readyz and /metrics only` });
      const rr = this.opts.rr;
      if (path === '/v1/summary') return send(res, 200, summaryView(rr));
      if (path === '/v1/router') {
        const c = rr.routerConfig;
        return send(res, 200, { routerId: c.routerIdText, asn: c.asn, hostname: c.hostname });
      }
      if (path === '/v1/neighbors') return send(res, 200, neighborsView(rr));
      if (path.startsWith('/v1/neighbors/')) {
        const address = decodeURIComponent(path.slice('/v1/neighbors/'.length));
        const n = neighborsView(rr, address);
        return n.length === 0 ? send(res, 404, { error: `no neighbour ${address}` }) : send(res, 200, n[0]);
      }
      if (path === '/v1/routes') return send(res, 200, routesView(rr, routesQuery(url.searchParams)));
      if (path === '/v1/discovery') {
        const d = this.opts.discovery;
        return d === undefined ? send(res, 404, { error: 'no discovery: this process runs from a router config (meshrr rr)' }) : send(res, 200, d());
      }
      if (path === '/v1/config') return send(res, 200, this.opts.config());
      if (path === '/v1/rib.mrt') {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        await dumpRib(rr, res);
        res.end();
        return;
      }
      return send(res, 404, { error: `no endpoint ${path}` });
    } catch (err) {
      if (err instanceof QueryError) return send(res, 400, { error: err.message });
      this.opts.log.error({ err: err instanceof Error ? err.message : String(err), path }, 'statusRequestFailed');
      if (!res.headersSent) send(res, 500, { error: 'internal error' });
      else res.destroy();
    }
  }
}

function routesQuery(p: URLSearchParams): RoutesQuery {
  const view = p.get('view');
  if (view !== null && view !== 'rib' && view !== 'received' && view !== 'advertised') throw new QueryError(`view must be rib, received or advertised, not ${view}`);
  const q: { -readonly [K in keyof RoutesQuery]: RoutesQuery[K] } = {};
  const prefix = p.get('prefix');
  const community = p.get('community');
  const peer = p.get('peer');
  const family = p.get('family');
  if (prefix !== null && prefix !== '') q.prefix = prefix;
  if (community !== null && community !== '') q.community = community;
  if (peer !== null && peer !== '') q.peer = peer;
  if (family !== null && family !== '') q.family = family;
  if (view !== null) q.view = view;
  return q;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = `${JSON.stringify(body, null, 2)}\n`;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
