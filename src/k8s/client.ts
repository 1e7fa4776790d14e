/**
 * The K8sWriter over @kubernetes/client-node 1.4 (2.x needs Node 22): in-cluster config
 * (service account token and CA) in a pod, or any KubeConfig (tests point one at a local
 * HTTP server). Events go to POST /api/v1/namespaces/NS/events; the annotations are a JSON
 * merge patch (application/merge-patch+json) to the pod.
 */
import { CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions, type CoreV1Event } from '@kubernetes/client-node';
import type { EventBody } from './bodies.js';
import type { K8sWriter } from './reporter.js';

export function inClusterConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromCluster();
  return kc;
}

export function clientWriter(kc: KubeConfig): K8sWriter {
  const api = kc.makeApiClient(CoreV1Api);
  return {
    async createEvent(namespace, b: EventBody) {
      const body: CoreV1Event = {
        apiVersion: b.apiVersion,
        kind: b.kind,
        metadata: b.metadata,
        involvedObject: b.involvedObject,
        reason: b.reason,
        message: b.message,
        type: b.type,
        source: b.source,
        firstTimestamp: new Date(b.firstTimestamp),
        lastTimestamp: new Date(b.lastTimestamp),
        count: b.count,
        reportingComponent: b.reportingComponent,
        reportingInstance: b.reportingInstance,
      };
      await api.createNamespacedEvent({ namespace, body });
    },
    async patchPod(namespace, name, mergePatch) {
      await api.patchNamespacedPod({ namespace, name, body: mergePatch }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    },
  };
}
