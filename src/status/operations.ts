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
import { detectCluster } from '../k8s/cluster.js';
import { K8sReporter } from '../k8s/reporter.js';
import { dumpRibToFile } from './rib-dump.js';
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
  readonly k8s: K8sReporter | null;
  readonly bound: { status: HostPort | null; probe: HostPort | null };
  /** The router config is applied: readiness may pass; Events/annotations report it. */
  configApplied(): void;
  /** A new config was rejected (config reload keeps the old one): metrics and a Warning Event. */
  configFailed(why: string): void;
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
  if (bmp !== null) {
    status.metrics.addBmp(bmp);
    bmp.start();
  }
  const k8s = await startK8s(input);
  const dumps = startPeriodicDump(input);
  return {
    status,
    bmp,
    k8s,
    bound,
    configApplied: () => {
      status.markConfigApplied();
      k8s?.configApplied(`router config ${input.config().source} applied: router ID ${c.routerIdText}, AS ${c.asn}, ${c.groups.length} groups`);
    },
    configFailed: (why) => {
      status.metrics.configApplied('failed');
      k8s?.configFailed(why);
    },
    async stop() {
      dumps?.stop();
      await k8s?.stop();
      await bmp?.stop();
      await status.stop();
    },
  };
}

/** `--mrt-dump FILE`: the RIB as TABLE_DUMP_V2 every N seconds; a dump never overlaps the previous one. */
function startPeriodicDump(input: OperationsInput): { stop(): void } | null {
  const d = input.options.mrtDump;
  if (d === null) return null;
  const log = input.log.child({ component: 'mrt' });
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    const t0 = performance.now();
    dumpRibToFile(input.rr, d.file).then(
      (prefixes) => log.info({ file: d.file, prefixes, ms: Math.round(performance.now() - t0) }, 'ribDumped'),
      (err: unknown) => log.warn({ file: d.file, err: err instanceof Error ? err.message : String(err) }, 'ribDumpFailed'),
    ).finally(() => {
      running = false;
    });
  }, d.seconds * 1000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

/** Kubernetes Events and annotations, or null with one log line saying why not. */
async function startK8s(input: OperationsInput): Promise<K8sReporter | null> {
  const log = input.log.child({ component: 'k8s' });
  if (!input.options.k8sEvents) {
    log.info({ reason: 'disabled (MESHRR_K8S_EVENTS=off)' }, 'kubernetesEventsOff');
    return null;
  }
  const cluster = await detectCluster(process.env);
  if (!cluster.inCluster) {
    log.info({ reason: cluster.reason }, 'kubernetesEventsOff');
    return null;
  }
  let writer;
  try {
    // Loaded only in a cluster: the client is large and `meshrr rr` elsewhere never needs it.
    const { clientWriter, inClusterConfig } = await import('../k8s/client.js');
    writer = clientWriter(inClusterConfig());
  } catch (err) {
    log.warn({ reason: `in-cluster config: ${err instanceof Error ? err.message : String(err)}` }, 'kubernetesEventsOff');
    return null;
  }
  const reporter = new K8sReporter({ rr: input.rr, pod: cluster, writer, log });
  reporter.start();
  log.info({ namespace: cluster.namespace, pod: cluster.podName }, 'kubernetesEventsOn');
  return reporter;
}
