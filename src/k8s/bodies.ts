/**
 * Request bodies meshrr sends the Kubernetes API (pure, schema-tested against the OpenAPI
 * models in test/k8s): core/v1 Events about the pod (session up/down, config applied or
 * failed) and a JSON merge patch (RFC 7386) of the pod's status annotations, so
 * `kubectl describe pod` tells the story.
 */

/** Annotation keys on the pod. */
export const ANNOTATION_SESSIONS = 'meshrr.io/bgp-sessions';
export const ANNOTATION_PEERS = 'meshrr.io/bgp-peers';
/** At most this many peers are listed in the peers annotation (annotations total 256 KiB). */
export const MAX_ANNOTATED_PEERS = 64;

export type EventReason = 'BgpSessionEstablished' | 'BgpSessionDown' | 'ConfigApplied' | 'ConfigApplyFailed';

export interface PodRef {
  readonly namespace: string;
  readonly podName: string;
  readonly nodeName: string | null;
}

/** A core/v1 Event as JSON (timestamps RFC 3339). */
export interface EventBody {
  readonly apiVersion: 'v1';
  readonly kind: 'Event';
  readonly metadata: { readonly name: string; readonly namespace: string };
  readonly involvedObject: { readonly apiVersion: 'v1'; readonly kind: 'Pod'; readonly name: string; readonly namespace: string };
  readonly reason: EventReason;
  readonly message: string;
  readonly type: 'Normal' | 'Warning';
  readonly source: { readonly component: 'meshrr'; readonly host?: string };
  readonly firstTimestamp: string;
  readonly lastTimestamp: string;
  readonly count: number;
  readonly reportingComponent: 'meshrr';
  readonly reportingInstance: string;
}

/** Event messages are capped as the API server does (1 KiB is kubectl's practice). */
const MAX_MESSAGE = 1024;

export function eventBody(pod: PodRef, reason: EventReason, message: string, nowMs: number, seq: number): EventBody {
  const at = new Date(nowMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    apiVersion: 'v1',
    kind: 'Event',
    // kubectl's naming: <object>.<unique hex>, a valid DNS subdomain.
    metadata: { name: `${pod.podName}.${nowMs.toString(16)}${seq.toString(16).padStart(4, '0')}`, namespace: pod.namespace },
    involvedObject: { apiVersion: 'v1', kind: 'Pod', name: pod.podName, namespace: pod.namespace },
    reason,
    message: message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 3)}...` : message,
    type: reason === 'BgpSessionDown' || reason === 'ConfigApplyFailed' ? 'Warning' : 'Normal',
    source: { component: 'meshrr', ...(pod.nodeName !== null ? { host: pod.nodeName } : {}) },
    firstTimestamp: at,
    lastTimestamp: at,
    count: 1,
    reportingComponent: 'meshrr',
    reportingInstance: pod.podName,
  };
}

export interface SessionsSummary {
  readonly established: number;
  readonly configured: number;
  /** Peer address -> RFC 4271 state. */
  readonly peers: Readonly<Record<string, string>>;
}

/** A JSON merge patch (RFC 7386) setting the status annotations. */
export function annotationPatch(s: SessionsSummary): { metadata: { annotations: Record<string, string> } } {
  const names = Object.keys(s.peers).sort();
  const shown: Record<string, string> = {};
  for (const n of names.slice(0, MAX_ANNOTATED_PEERS)) shown[n] = s.peers[n] ?? '';
  const more = names.length > MAX_ANNOTATED_PEERS ? { more: names.length - MAX_ANNOTATED_PEERS } : {};
  return {
    metadata: {
      annotations: {
        [ANNOTATION_SESSIONS]: `${s.established}/${s.configured} established`,
        [ANNOTATION_PEERS]: JSON.stringify({ ...shown, ...more }),
      },
    },
  };
}
