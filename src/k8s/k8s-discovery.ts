/**
 * `sourcetype: kubernetes` mesh groups in the pod (issue 8): one EndpointSliceSource per
 * Service, and a `ResolveHost` that answers those groups' names from their source and every
 * other name from DNS, so discovery.ts needs no change. A group's name is its DNS fallback
 * (`SERVICE`, or `SERVICE.NAMESPACE.svc`; meshrr-conf.ts), so falling back is just asking DNS.
 *
 * Fallback to DNS, logged once per Service as `k8sDiscoveryUnavailable` with the reason:
 * 1. not in a cluster (no KUBERNETES_SERVICE_HOST, no service account token);
 * 2. the API refuses (401/403: RBAC lacks list/watch on endpointslices) or the first list
 *    fails (endpoint-slices.ts, rule 4).
 *
 * Owns: which source answers which name. Must not: decide peers.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { ResolveHost } from '../discovery/dns-resolver.js';
import { meshGroups } from '../pod/meshrr-conf-types.js';
import type { MeshrrConf } from '../pod/meshrr-conf-types.js';
import { inClusterConfig } from './client.js';
import { detectCluster } from './cluster.js';
import { EndpointSliceSource } from './endpoint-slices.js';

export interface KubernetesDiscoveryOptions {
  /** null: not in a cluster; `unavailableReason` says why. */
  readonly kc: KubeConfig | null;
  readonly unavailableReason?: string;
  /** The pod's namespace: the default for groups without `source.namespace`. */
  readonly namespace: string | null;
  readonly log: Logger;
  /** A source's set changed (or it became unavailable): run discovery now. */
  readonly onChange?: () => void;
  /** How long `update` waits for a new source's first list; default 5 s. */
  readonly firstListTimeoutMs?: number;
  readonly retryMs?: number;
}

export class KubernetesDiscovery {
  /** Source id (NAMESPACE/SERVICE) -> source. */
  private readonly sources = new Map<string, EndpointSliceSource>();
  /** Group name as discovery sees it (the fallback hostname) -> source id. */
  private readonly byHost = new Map<string, string>();
  private readonly warned = new Set<string>();

  constructor(private readonly opts: KubernetesDiscoveryOptions) {}

  /**
   * Starts sources for the config's kubernetes groups and stops the ones no longer used
   * (start-up and every reload). Waits for each new source's first list (bounded), so the
   * discovery run that follows already uses it.
   */
  async update(conf: MeshrrConf): Promise<void> {
    const { kc, log } = this.opts;
    this.byHost.clear();
    const wanted = new Map<string, { service: string; namespace: string }>();
    for (const g of meshGroups(conf)) {
      if (g.kubernetes === null) continue;
      const namespace = g.kubernetes.namespace ?? this.opts.namespace;
      if (kc === null || namespace === null) {
        const id = `${g.kubernetes.namespace ?? '?'}/${g.kubernetes.service}`;
        if (!this.warned.has(id)) log.warn({ group: g.name, service: id, fallback: g.hostname, reason: this.opts.unavailableReason ?? 'the pod namespace is unknown (set POD_NAMESPACE)' }, 'k8sDiscoveryUnavailable');
        this.warned.add(id);
        continue;
      }
      const id = `${namespace}/${g.kubernetes.service}`;
      this.byHost.set(g.hostname, id);
      wanted.set(id, { service: g.kubernetes.service, namespace });
    }
    for (const [id, s] of this.sources) {
      if (wanted.has(id)) continue;
      s.stop();
      this.sources.delete(id);
    }
    const starting: Promise<unknown>[] = [];
    for (const [id, w] of wanted) {
      if (this.sources.has(id) || kc === null) continue;
      const src = new EndpointSliceSource({
        kc,
        ...w,
        log,
        ...(this.opts.onChange !== undefined ? { onChange: this.opts.onChange } : {}),
        ...(this.opts.retryMs !== undefined ? { retryMs: this.opts.retryMs } : {}),
      });
      this.sources.set(id, src);
      log.info({ service: id }, 'k8sDiscoveryStarted');
      starting.push(withTimeout(src.start(), this.opts.firstListTimeoutMs ?? 5000));
    }
    await Promise.all(starting);
  }

  /** The source answering `hostname`, if any. */
  source(hostname: string): EndpointSliceSource | undefined {
    const id = this.byHost.get(hostname);
    return id === undefined ? undefined : this.sources.get(id);
  }

  /** `dns` for every name, except kubernetes groups whose source is synced. */
  resolver(dns: ResolveHost): ResolveHost {
    return async (hostname) => {
      const src = this.source(hostname);
      return src !== undefined && src.state.kind === 'synced' ? src.lookup() : dns(hostname);
    };
  }

  stop(): void {
    for (const s of this.sources.values()) s.stop();
    this.sources.clear();
    this.byHost.clear();
  }
}

async function withTimeout(p: Promise<unknown>, ms: number): Promise<void> {
  let t: NodeJS.Timeout | undefined;
  await Promise.race([p, new Promise<void>((resolve) => (t = setTimeout(resolve, ms)))]);
  if (t !== undefined) clearTimeout(t);
}

/**
 * The pod's KubernetesDiscovery: in-cluster config when running in a pod (cluster.ts), else
 * one that sends every kubernetes group to DNS and says why.
 */
export async function kubernetesDiscoveryFromEnv(env: NodeJS.ProcessEnv, log: Logger, onChange: () => void): Promise<KubernetesDiscovery> {
  const cluster = await detectCluster(env);
  if (!cluster.inCluster) return new KubernetesDiscovery({ kc: null, unavailableReason: cluster.reason, namespace: env['POD_NAMESPACE'] ?? null, log, onChange });
  try {
    return new KubernetesDiscovery({ kc: inClusterConfig(), namespace: cluster.namespace, log, onChange });
  } catch (err) {
    const reason = `in-cluster config unusable: ${err instanceof Error ? err.message : String(err)}`;
    return new KubernetesDiscovery({ kc: null, unavailableReason: reason, namespace: cluster.namespace, log, onChange });
  }
}
