/**
 * What `meshrr rr` and `meshrr pod` start beside the route reflector (issue 9): the status
 * server (API, probes, metrics), the BMP exporter and Kubernetes Events, from one set of
 * OperationsOptions. Composition only; each part lives in its own module.
 */
import type { Logger } from 'pino';
import type { RouteReflector } from '../rr/route-reflector.js';
import type { OperationsOptions } from './options.js';
import { hostname } from 'node:os';
import { BmpExporter } from '../bmp/exporter.js';
import type { LookupListener } from './discovery-view.js';
import { StatusServer, type ConfigView, type HostPort } from './server.js';

export interface OperationsInput {
  readonly rr: RouteReflector;
  readonly log: Logger;
  readonly options: OperationsOptions;
  readonly config: () => ConfigView;
  readonly discovery?: () => unknown;
  /** Subscribes the metrics to discovery lookups (the pod's instrumented resolver). */
  readonly onLookup?: (l: LookupListener) => void;
}

export interface Operations {
  readonly status: StatusServer;
  readonly bmp: BmpExporter | null;
  readonly bound: { status: HostPort | null; probe: HostPort | null };
  /** The router config is applied: readiness may pass; Events/annotations report it. */
  configApplied(): void;
  stop(): Promise<void>;
}

export async function startOperations(input: OperationsInput): Promise<Operations> {
  const o = input.options;
  const log = input.log.child({ component: 'status' });
  const status = new StatusServer({
    rr: input.rr,
    log,
    address: o.statusAddress,
    addressRequired: o.statusAddressExplicit,
    probeAddress: o.probeAddress,
    readiness: { minSessions: o.readyMinSessions, groups: o.readyGroups },
    maxLagMs: o.maxLagMs,
    config: input.config,
    ...(input.discovery !== undefined ? { discovery: input.discovery } : {}),
  });
  input.onLookup?.((result, seconds) => status.metrics.discoveryLookup(result, seconds));
  const bound = await status.start();
  const c = input.rr.routerConfig;
  const bmp =
    o.bmpCollector === null
      ? null
      : new BmpExporter({
          rr: input.rr,
          host: o.bmpCollector.host,
          port: o.bmpCollector.port,
          log: input.log.child({ component: 'bmp' }),
          sysName: c.hostname === '' ? hostname() : c.hostname,
          sysDescr: `meshrr route reflector, router ID ${c.routerIdText}, AS ${c.asn}`,
        });
  bmp?.start();
  return {
    status,
    bmp,
    bound,
    configApplied: () => status.markConfigApplied(),
    async stop() {
      await bmp?.stop();
      await status.stop();
    },
  };
}
