/**
 * Observation of a running route reflector (issue 9): a typed listener hook for session
 * events, for the status API, the metrics, BMP export and Kubernetes Events. Listeners run
 * after the route reflector's own hook, synchronously; one that throws is logged and
 * removed, so an exporter bug never takes a session down.
 *
 * Owns: the event union and the fan-out. Must not: change what the route reflector does.
 */
import type { Logger } from 'pino';
import type { ReceivedUpdate } from '../session/connection-types.js';
import type { SessionDown } from '../session/fsm.js';
import type { Negotiated } from '../session/negotiated.js';
import type { Peer, PeerHooks } from '../session/peer.js';

/** What a listener hears, in the order the sessions produce it. */
export type RouterEvent =
  /** A session reached Established (RFC 4271 §8.2.2 OpenConfirm -> Established). */
  | { readonly type: 'peerUp'; readonly peer: Peer; readonly negotiated: Negotiated; readonly at: number }
  /** An Established session ended, or a connection attempt failed (`down.wasEstablished`). */
  | { readonly type: 'peerDown'; readonly peer: Peer; readonly down: SessionDown; readonly at: number }
  /** An UPDATE as received (after both RFC 7606 passes, before any policy). */
  | { readonly type: 'update'; readonly peer: Peer; readonly update: ReceivedUpdate; readonly at: number };

export type RouterListener = (e: RouterEvent) => void;

export class RouterObservers {
  private readonly listeners = new Set<RouterListener>();
  private log: Logger | null = null;

  /** Where a failing listener is reported (set by the route reflector). */
  setLogger(log: Logger): void {
    this.log = log;
  }

  /** Adds a listener; returns the function that removes it. */
  on(listener: RouterListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get size(): number {
    return this.listeners.size;
  }

  emit(e: RouterEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch (err) {
        this.listeners.delete(l);
        this.log?.error({ err: err instanceof Error ? err.message : String(err), event: e.type }, 'observerRemoved');
      }
    }
  }
}

/** `hooks` with every session event also sent to `obs` (after the hook itself ran). */
export function observeHooks(hooks: PeerHooks, obs: RouterObservers): PeerHooks {
  return {
    ...hooks,
    onEstablished: (peer, negotiated) => {
      hooks.onEstablished(peer, negotiated);
      if (obs.size > 0) obs.emit({ type: 'peerUp', peer, negotiated, at: Date.now() });
    },
    onDown: (peer, down) => {
      hooks.onDown(peer, down);
      if (obs.size > 0) obs.emit({ type: 'peerDown', peer, down, at: Date.now() });
    },
    onUpdate: (peer, update) => {
      hooks.onUpdate(peer, update);
      if (obs.size > 0) obs.emit({ type: 'update', peer, update, at: Date.now() });
    },
  };
}
