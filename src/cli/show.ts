/**
 * `meshrr show summary | neighbors [ADDR] | routes [PREFIX] [--community C] [--peer P]
 * [--advertised|--received] [--family F] | discovery | config [--json]`: a client of the
 * status API of the meshrr process on this host (`kubectl exec POD -- meshrr show summary`),
 * printing FRR-style tables, or the API's JSON with `--json`.
 *
 * The server is --status-address, else STATUS_ADDRESS, else 127.0.0.1:8080 (the default the
 * router listens on). Exit 1 when the server cannot be reached or refuses the query.
 */
import process from 'node:process';
import type { CliIo } from './main.js';
import { parseHostPort, type ConfigView } from '../status/server.js';
import type { DiscoveryView } from '../status/discovery-view.js';
import type { NeighborView, RoutesView, SummaryView } from '../status/views.js';
import { renderConfig, renderDiscovery, renderNeighbors, renderRoutes, renderSummary } from '../status/text.js';

export type ShowWhat = 'summary' | 'neighbors' | 'routes' | 'discovery' | 'config';

interface Identity {
  routerId: string;
  asn: number;
}

/** GET a status API path as JSON; throws with the server's error text. */
export async function getJson(base: string, path: string): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(`${base}${path}`);
  } catch (err) {
    throw new Error(`cannot reach the meshrr status API at ${base} (${err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err)}); is meshrr running, and is --status-address right?`, { cause: err });
  }
  const body: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const msg = typeof body === 'object' && body !== null && 'error' in body ? String(body.error) : `HTTP ${res.status}`;
    throw new Error(msg);
  }
  return body;
}

/** The base URL from --status-address / STATUS_ADDRESS / the default. */
export function statusBase(flag: string | undefined): string | null {
  const text = flag ?? process.env['STATUS_ADDRESS'] ?? '127.0.0.1:8080';
  const hp = parseHostPort(text);
  if (hp === null) return null;
  return `http://${hp.host.includes(':') ? `[${hp.host}]` : hp.host}:${hp.port}`;
}

export async function showCommand(what: ShowWhat, args: readonly string[], io: CliIo): Promise<number> {
  let json = false;
  let address: string | undefined;
  const q = new URLSearchParams();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    const value = (): string | undefined => args[++i];
    if (a === '--json') json = true;
    else if (a === '--status-address') address = value();
    else if (what === 'routes' && (a === '--community' || a === '--peer' || a === '--family')) {
      const v = value();
      if (v === undefined) return usage(io, `${a} needs a value`);
      q.set(a.slice(2), v);
    } else if (what === 'routes' && (a === '--advertised' || a === '--received')) q.set('view', a.slice(2));
    else if (a.startsWith('-')) return usage(io, `unknown option ${a}`);
    else positional.push(a);
  }
  const allowed = what === 'neighbors' || what === 'routes' ? 1 : 0;
  if (positional.length > allowed) return usage(io, `unexpected argument ${positional[allowed] ?? ''}`);
  const base = statusBase(address);
  if (base === null) return usage(io, `bad status address ${address ?? process.env['STATUS_ADDRESS'] ?? ''}`);
  const arg = positional[0];
  try {
    let path: string;
    if (what === 'summary') path = '/v1/summary';
    else if (what === 'neighbors') path = arg === undefined ? '/v1/neighbors' : `/v1/neighbors/${encodeURIComponent(arg)}`;
    else if (what === 'routes') {
      if (arg !== undefined) q.set('prefix', arg);
      path = `/v1/routes${q.size > 0 ? `?${q.toString()}` : ''}`;
    } else path = `/v1/${what}`;
    const body = await getJson(base, path);
    if (json) {
      io.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
      return 0;
    }
    switch (what) {
      case 'summary':
        io.stdout.write(renderSummary(body as SummaryView));
        break;
      case 'neighbors': {
        const id = (await getJson(base, '/v1/router')) as Identity;
        io.stdout.write(renderNeighbors(arg === undefined ? (body as NeighborView[]) : [body as NeighborView], id.asn, id.routerId));
        break;
      }
      case 'routes': {
        const id = (await getJson(base, '/v1/router')) as Identity;
        io.stdout.write(renderRoutes(body as RoutesView, id.routerId, id.asn));
        break;
      }
      case 'discovery':
        io.stdout.write(renderDiscovery(body as DiscoveryView));
        break;
      case 'config':
        io.stdout.write(renderConfig(body as ConfigView));
        break;
    }
    return 0;
  } catch (err) {
    io.stderr.write(`meshrr show ${what}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

function usage(io: CliIo, why: string): number {
  io.stderr.write(`meshrr show: ${why}\n`);
  return 2;
}
