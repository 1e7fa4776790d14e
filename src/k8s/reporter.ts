/**
 * Kubernetes Events and the pod status annotations (issue 9). On session up/down and on
 * config apply (or its failure) the pod gets a core/v1 Event; the annotations
 * (bodies.ts) follow the session counts, patched at most once per `annotateEveryMs`
 * with the latest state.
 *
 * Off, with one log line saying why, when not in a cluster, when disabled
 * (MESHRR_K8S_EVENTS=off), or when the API refuses (401/403: RBAC lacks `create events` or
 * `patch pods`). Other API errors are logged (rate-limited) and the next change retries.
 * Events are bounded: at most `maxEventsPerMinute`; the rest are counted and dropped, so a
 * flapping peer cannot flood the API server.
 *
 * Owns: deciding what to report and when. Must not: affect routing (every call is
 * fire-and-forget; failures never reach the sessions).
 */
import type { Logger } from 'pino';
import type { RouteReflector } from '../rr/route-reflector.js';
import type { RouterEvent } from '../rr/observe.js';
import { describeNotification } from '../wire/notification-text.js';
import { DOWN_REASON_TEXT } from '../session/fsm-types.js';
import { annotationPatch, eventBody, type EventBody, type EventReason, type PodRef } from './bodies.js';

/** The two API calls, over @kubernetes/client-node in production (client.ts), fake in tests. */
export interface K8sWriter {
  createEvent(namespace: string, body: EventBody): Promise<void>;
  patchPod(namespace: string, name: string, mergePatch: object): Promise<void>;
}

export interface K8sReporterOptions {
  readonly rr: RouteReflector;
  readonly pod: PodRef;
  readonly writer: K8sWriter;
  readonly log: Logger;
  readonly annotateEveryMs?: number;
  readonly maxEventsPerMinute?: number;
  readonly now?: () => number;
}

/** The HTTP status of an API error (client-node's ApiException has `code`). */
export function apiStatus(err: unknown): number | null {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : null;
}

export class K8sReporter {
  private disabled = false;
  private seq = 0;
  private windowStart = 0;
  private inWindow = 0;
  dropped = 0;
  private annotateTimer: NodeJS.Timeout | null = null;
  private lastAnnotateAt = -Infinity;
  private unsubscribe: (() => void) | null = null;
  private readonly pending = new Set<Promise<void>>();
  private lastErrorLogAt = -Infinity;
  /** Requests sent, for status and tests. */
  readonly sent = { events: 0, patches: 0 };

  constructor(private readonly opts: K8sReporterOptions) {}

  start(): void {
    this.unsubscribe = this.opts.rr.observers.on((e) => this.onEvent(e));
    this.scheduleAnnotation();
  }

  /** Stops listening and waits for requests in flight. */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.annotateTimer !== null) clearTimeout(this.annotateTimer);
    this.annotateTimer = null;
    await Promise.allSettled([...this.pending]);
  }

  get enabled(): boolean {
    return !this.disabled;
  }

  configApplied(what: string): void {
    this.event('ConfigApplied', what);
    this.scheduleAnnotation();
  }

  configFailed(why: string): void {
    this.event('ConfigApplyFailed', why);
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  private onEvent(e: RouterEvent): void {
    if (e.type === 'update') return;
    const p = e.peer;
    if (e.type === 'peerUp') {
      this.event('BgpSessionEstablished', `BGP session with ${p.name} (AS ${e.negotiated.peerAs}, group ${p.group}) Established`);
    } else {
      const d = e.down;
      const n = d.notificationReceived ?? d.notificationSent;
      const why = n === null ? DOWN_REASON_TEXT[d.reason] : `${d.notificationReceived !== null ? 'received' : 'sent'} ${describeNotification(n.code, n.subcode, n.data)}`;
      this.event('BgpSessionDown', `BGP session with ${p.name} (group ${p.group}) down: ${why}`);
    }
    this.scheduleAnnotation();
  }

  private track(p: Promise<void>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  private event(reason: EventReason, message: string): void {
    if (this.disabled) return;
    const now = this.now();
    if (now - this.windowStart >= 60_000) {
      this.windowStart = now;
      this.inWindow = 0;
    }
    if (this.inWindow >= (this.opts.maxEventsPerMinute ?? 30)) {
      this.dropped++;
      return;
    }
    this.inWindow++;
    const body = eventBody(this.opts.pod, reason, message, now, this.seq++);
    this.track(
      this.opts.writer.createEvent(this.opts.pod.namespace, body).then(
        () => {
          this.sent.events++;
        },
        (err: unknown) => this.failed('create event', err),
      ),
    );
  }

  private scheduleAnnotation(): void {
    if (this.disabled || this.annotateTimer !== null) return;
    const every = this.opts.annotateEveryMs ?? 2000;
    const wait = Math.max(0, this.lastAnnotateAt + every - this.now());
    this.annotateTimer = setTimeout(() => {
      this.annotateTimer = null;
      this.lastAnnotateAt = this.now();
      this.annotate();
    }, wait);
    this.annotateTimer.unref();
  }

  private annotate(): void {
    if (this.disabled) return;
    const peers: Record<string, string> = {};
    let established = 0;
    for (const p of this.opts.rr.speaker.allPeers()) {
      peers[p.name] = p.state;
      if (p.state === 'Established') established++;
    }
    const patch = annotationPatch({ established, configured: Object.keys(peers).length, peers });
    this.track(
      this.opts.writer.patchPod(this.opts.pod.namespace, this.opts.pod.podName, patch).then(
        () => {
          this.sent.patches++;
        },
        (err: unknown) => this.failed('patch pod annotations', err),
      ),
    );
  }

  private failed(what: string, err: unknown): void {
    const status = apiStatus(err);
    if (status === 401 || status === 403) {
      if (this.disabled) return;
      this.disabled = true;
      this.opts.log.warn({ status, what }, 'kubernetesEventsOff');
      return;
    }
    const now = this.now();
    if (now - this.lastErrorLogAt < 60_000) return;
    this.lastErrorLogAt = now;
    this.opts.log.warn({ what, status, err: err instanceof Error ? err.message : String(err) }, 'kubernetesApiError');
  }
}
