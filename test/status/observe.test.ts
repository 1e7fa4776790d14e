/**
 * The session event hook the status, BMP and k8s parts listen on (src/rr/observe.ts; kept
 * with the status tests since it exists for them): listeners hear events after the router's
 * own hook ran, in order; one that throws is removed and logged, the others keep hearing,
 * and the router's hook is never affected.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import { pino } from 'pino';
import { observeHooks, RouterObservers, type RouterEvent } from '../../src/rr/observe.js';
import type { Peer, PeerHooks } from '../../src/session/peer.js';
import type { Negotiated } from '../../src/session/negotiated.js';

describe('router observers', () => {
  test('listeners follow the hook; a throwing listener is dropped and logged', () => {
    const lines: { msg: string; event?: string }[] = [];
    const sink = new Writable({
      write(c: Buffer, _e, cb) {
        for (const l of c.toString('utf8').split('\n')) if (l !== '') lines.push(JSON.parse(l) as { msg: string });
        cb();
      },
    });
    const obs = new RouterObservers();
    obs.setLogger(pino({ level: 'info' }, sink));
    const order: string[] = [];
    const hooks: PeerHooks = {
      onEstablished: () => order.push('hook:up'),
      onDown: () => order.push('hook:down'),
      onUpdate: () => order.push('hook:update'),
      onRouteRefresh: () => undefined,
      onDrain: () => undefined,
      onIdle: () => undefined,
    };
    const wrapped = observeHooks(hooks, obs);
    const peer = { name: '198.51.100.9' } as Peer;
    // No listener: the hook alone runs.
    wrapped.onEstablished(peer, {} as Negotiated);
    assert.deepEqual(order, ['hook:up']);
    const heard: RouterEvent['type'][] = [];
    const off = obs.on((e) => heard.push(e.type));
    obs.on(() => {
      throw new Error('exporter bug');
    });
    wrapped.onEstablished(peer, {} as Negotiated);
    wrapped.onDown(peer, { reason: 'holdTimerExpired', from: 'Established', at: 0, notificationSent: null, notificationReceived: null, wasEstablished: true, retainRoutes: false });
    assert.deepEqual(order, ['hook:up', 'hook:up', 'hook:down']);
    assert.deepEqual(heard, ['peerUp', 'peerDown']);
    assert.equal(obs.size, 1, 'the throwing listener is gone');
    assert.deepEqual(lines.map((l) => [l.msg, l.event]), [['observerRemoved', 'peerUp']]);
    off();
    assert.equal(obs.size, 0);
  });
});
