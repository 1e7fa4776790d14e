// Session FSM scenarios (RFC 4271 §8): active and passive open, DelayOpen, collision (§6.8),
// hold timer expiry, OPEN rejection, IdleHold back-off (§8.1.1) and RFC 8538 Hard Reset.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { Capability } from '../../src/wire/capabilities.js';
import { CEASE_SUB, ERR } from '../../src/wire/iana.js';
import {
  collisionVictim,
  initialState,
  notificationEvent,
  resolveCollision,
  step,
  unwrapHardReset,
  wireNotification,
} from '../../src/session/fsm.js';
import type { SessionAction, SessionDown, SessionEvent, SessionState, StepCtx } from '../../src/session/fsm.js';
import type { PeerSessionConfig } from '../../src/session/peer-config.js';
import { CFG, ip, LOCAL, notif, PEER_CAPS, peerOpen } from './fixtures.js';
import { mkCtx, run, summary } from './fsm-helpers.js';

const CTX = mkCtx();

/** Steps through events, returning the final state and every action in order. */
function trace(s: SessionState, events: readonly SessionEvent[], ctx: StepCtx = CTX) {
  const actions: SessionAction[] = [];
  let st = s;
  for (const e of events) {
    const r = step(st, e, ctx);
    actions.push(...r.actions);
    st = r.next;
  }
  return { state: st, actions };
}

function only<T extends SessionAction['type']>(actions: readonly SessionAction[], type: T) {
  return actions.filter((a): a is Extract<SessionAction, { type: T }> => a.type === type);
}

function downOf(actions: readonly SessionAction[]): SessionDown {
  const d = only(actions, 'sessionDown');
  assert.equal(d.length, 1);
  return (d[0] as Extract<SessionAction, { type: 'sessionDown' }>).down;
}

const OPEN = { type: 'BGPOpen', open: peerOpen() } as const;
const establish: readonly SessionEvent[] = [{ type: 'ManualStart' }, { type: 'Tcp_CR_Acked' }, OPEN, { type: 'KeepAliveMsg' }];

describe('fsm scenarios: opening a session', () => {
  it('active open: Idle -> Connect -> OpenSent -> OpenConfirm -> Established', () => {
    let s = initialState(CFG);
    let r = step(s, { type: 'ManualStart' }, CTX);
    assert.equal(r.next.name, 'Connect');
    assert.deepEqual(r.actions.slice(0, 2), [{ type: 'startTimer', timer: 'ConnectRetry', seconds: 120 }, { type: 'connect' }]);
    s = r.next;
    r = step(s, { type: 'Tcp_CR_Acked' }, CTX);
    assert.equal(r.next.name, 'OpenSent');
    const sent = only(r.actions, 'sendOpen')[0];
    assert.ok(sent !== undefined);
    assert.equal(sent.open.myAs, 65000);
    assert.equal(sent.open.holdTime, 90);
    assert.equal(sent.open.bgpId, LOCAL.bgpId);
    // RFC 4271 §8.2.2: the hold timer runs with the large value until the peer's OPEN.
    assert.ok(summary(r.actions).has('start:Hold=240'));
    s = r.next;
    r = step(s, OPEN, CTX);
    assert.equal(r.next.name, 'OpenConfirm');
    assert.equal(r.next.negotiated?.holdTime, 90); // min(90, 180)
    assert.equal(r.next.negotiated?.keepaliveTime, 30);
    s = r.next;
    r = step(s, { type: 'KeepAliveMsg' }, mkCtx(CFG, 2_000_000));
    assert.equal(r.next.name, 'Established');
    assert.equal(r.next.establishedAt, 2_000_000);
    const up = only(r.actions, 'sessionEstablished')[0];
    assert.deepEqual(up?.negotiated.families, CFG.families);
    assert.deepEqual(
      r.actions.find((a) => a.type === 'stateChange'),
      { type: 'stateChange', from: 'OpenConfirm', to: 'Established', event: 'KeepAliveMsg', reason: null },
    );
  });

  it('passive open: no connect, no ConnectRetryTimer, TcpConnectionConfirmed sends OPEN', () => {
    const { state, actions } = trace(initialState(CFG), [
      { type: 'ManualStart_with_PassiveTcpEstablishment' },
      { type: 'ConnectRetryTimer_Expires' },
      { type: 'TcpConnectionConfirmed' },
      OPEN,
      { type: 'KeepAliveMsg' },
    ]);
    assert.equal(state.name, 'Established');
    const got = summary(actions);
    assert.ok(!got.has('connect'));
    assert.ok(!got.has('start:ConnectRetry'));
    assert.equal(only(actions, 'sendOpen').length, 1);
  });

  it('a passive peer config makes every start passive', () => {
    const cfg: PeerSessionConfig = { ...CFG, passive: true };
    const r = step(initialState(cfg), { type: 'ManualStart' }, mkCtx(cfg));
    assert.equal(r.next.name, 'Active');
    assert.ok(!summary(r.actions).has('connect'));
  });

  it('failed connect retries from Active when the ConnectRetryTimer expires, with jitter', () => {
    const ctx: StepCtx = { ...CTX, random: () => 0 };
    const { state, actions } = trace(
      initialState(CFG),
      [{ type: 'ManualStart' }, { type: 'TcpConnectionFails' }, { type: 'ConnectRetryTimer_Expires' }],
      ctx,
    );
    assert.equal(state.name, 'Connect');
    assert.equal(only(actions, 'connect').length, 2);
    // RFC 4271 §10: factor 0.75 with random() = 0.
    assert.ok(only(actions, 'startTimer').every((a) => a.timer !== 'ConnectRetry' || a.seconds === 90));
  });

  it('DelayOpen: TCP up waits, then the peer OPEN (event 19 from the driver) is handled as event 20', () => {
    const cfg: PeerSessionConfig = { ...CFG, timers: { ...CFG.timers, delayOpenTime: 5 } };
    const ctx = mkCtx(cfg);
    let s = run(initialState(cfg), [{ type: 'ManualStart' }, { type: 'Tcp_CR_Acked' }], ctx);
    assert.equal(s.name, 'Connect');
    assert.equal(s.delayOpenRunning, true);
    const r = step(s, OPEN, ctx);
    assert.equal(r.next.name, 'OpenConfirm');
    const types = r.actions.map((a) => a.type);
    assert.ok(types.indexOf('sendOpen') < types.indexOf('sendKeepalive'));
    assert.equal(r.actions.find((a) => a.type === 'stateChange' && a.event === 'BGPOpen_with_DelayOpenTimer_running') !== undefined, true);
    s = run(initialState(cfg), [{ type: 'ManualStart' }, { type: 'Tcp_CR_Acked' }, { type: 'DelayOpenTimer_Expires' }], ctx);
    assert.equal(s.name, 'OpenSent');
  });

  it('hold time 0: no keepalive or hold timer once negotiated', () => {
    const { state, actions } = trace(initialState(CFG), [
      { type: 'ManualStart' },
      { type: 'Tcp_CR_Acked' },
      { type: 'BGPOpen', open: peerOpen({ holdTime: 0 }) },
      { type: 'KeepAliveMsg' },
      { type: 'UpdateMsg' },
    ]);
    assert.equal(state.name, 'Established');
    assert.equal(state.negotiated?.holdTime, 0);
    const starts = only(actions, 'startTimer').map((a) => a.timer);
    assert.deepEqual(starts, ['ConnectRetry', 'Hold']); // only the large OpenSent hold timer
    assert.ok(summary(actions).has('stop:Keepalive'));
  });
});

describe('fsm scenarios: errors', () => {
  it('hold timer expiry in Established sends Hold Timer Expired, closes, and starts IdleHold', () => {
    const s = run(initialState(CFG), establish);
    const r = step(s, { type: 'HoldTimer_Expires' }, mkCtx(CFG, 1_030_000));
    assert.equal(r.next.name, 'Idle');
    const n = only(r.actions, 'sendNotification');
    assert.deepEqual(n.map((a) => [a.notification.code, a.notification.subcode, a.hardReset]), [[4, 0, false]]);
    const types = r.actions.map((a) => a.type);
    assert.ok(types.indexOf('sendNotification') < types.indexOf('closeTcp'));
    const d = downOf(r.actions);
    assert.equal(d.reason, 'holdTimerExpired');
    assert.equal(d.wasEstablished, true);
    assert.equal(d.retainRoutes, false);
    assert.equal(d.at, 1_030_000);
    assert.deepEqual(r.next.lastDown, d);
    assert.ok(summary(r.actions).has('start:IdleHold=5'));
  });

  it('an OPEN with hold time 1 is refused with Unacceptable Hold Time', () => {
    const s = run(initialState(CFG), [{ type: 'ManualStart' }, { type: 'Tcp_CR_Acked' }]);
    const r = step(s, { type: 'BGPOpen', open: peerOpen({ holdTime: 1 }) }, CTX);
    assert.equal(r.next.name, 'Idle');
    assert.ok(summary(r.actions).has(`notify:${ERR.OPEN_MESSAGE}/6`));
    assert.equal(downOf(r.actions).reason, 'openMessageError');
  });

  it('a missing required capability is refused with Unsupported Capability and the capability as data', () => {
    const cfg: PeerSessionConfig = { ...CFG, capabilities: { ...CFG.capabilities, extendedMessage: true }, required: [{ kind: 'extendedMessage' }] };
    const ctx = mkCtx(cfg);
    const s = run(initialState(cfg), [{ type: 'ManualStart' }, { type: 'Tcp_CR_Acked' }], ctx);
    const r = step(s, OPEN, ctx);
    const n = only(r.actions, 'sendNotification')[0];
    assert.equal(n?.notification.code, ERR.OPEN_MESSAGE);
    assert.equal(n?.notification.subcode, 7);
    assert.equal(n?.notification.data.toString('hex'), '0600'); // code 6, length 0 (RFC 5492 §5)
  });

  it('DelayOpen: a bad OPEN before ours went out closes silently unless SendNOTIFICATIONwithoutOPEN', () => {
    for (const sendNotificationWithoutOpen of [false, true]) {
      const cfg: PeerSessionConfig = { ...CFG, sendNotificationWithoutOpen, timers: { ...CFG.timers, delayOpenTime: 5 } };
      const ctx = mkCtx(cfg);
      const s = run(initialState(cfg), [{ type: 'ManualStart_with_PassiveTcpEstablishment' }, { type: 'TcpConnectionConfirmed' }], ctx);
      const r = step(s, { type: 'BGPOpen', open: peerOpen({ bgpId: 0 }) }, ctx);
      assert.equal(r.next.name, 'Idle');
      assert.equal(summary(r.actions).has('notify:2/3'), sendNotificationWithoutOpen);
    }
  });

  it('RFC 7606: treat-as-withdraw and attribute-discard keep the session; session reset ends it', () => {
    const s = run(initialState(CFG), establish);
    const n = notif(ERR.UPDATE_MESSAGE, 11);
    for (const action of ['attributeDiscard', 'treatAsWithdraw'] as const) {
      const r = step(s, { type: 'UpdateMsgErr', action, notification: n }, CTX);
      assert.equal(r.next.name, 'Established');
      assert.deepEqual(r.actions, [{ type: 'startTimer', timer: 'Hold', seconds: 90 }]);
    }
    for (const action of ['afiSafiDisable', 'sessionReset'] as const) {
      const r = step(s, { type: 'UpdateMsgErr', action, notification: n }, CTX);
      assert.equal(r.next.name, 'Idle');
      assert.ok(summary(r.actions).has('notify:3/11'));
    }
  });

  it('an unexpected event sends the RFC 6608 subcode of its state', () => {
    const sent = run(initialState(CFG), [{ type: 'ManualStart' }, { type: 'Tcp_CR_Acked' }]);
    assert.ok(summary(step(sent, { type: 'UpdateMsg' }, CTX).actions).has('notify:5/1'));
    const confirm = run(sent, [OPEN]);
    assert.ok(summary(step(confirm, { type: 'UpdateMsg' }, CTX).actions).has('notify:5/2'));
    const est = run(confirm, [{ type: 'KeepAliveMsg' }]);
    assert.ok(summary(step(est, OPEN, CTX).actions).has('notify:5/3'));
  });

  it('ManualStop carries an RFC 9003 shutdown message and does not restart', () => {
    const s = run(initialState(CFG), establish);
    const msg = Buffer.from('\x0amaintenance', 'latin1');
    const r = step(s, { type: 'ManualStop', notification: notif(ERR.CEASE, CEASE_SUB.ADMINISTRATIVE_SHUTDOWN, msg) }, CTX);
    assert.equal(only(r.actions, 'sendNotification')[0]?.notification.data, msg);
    assert.ok(!summary(r.actions).has('start:IdleHold'));
    assert.equal(r.next.idleHoldRunning, false);
    assert.equal(step(r.next, { type: 'IdleHoldTimer_Expires' }, CTX).next.name, 'Idle');
  });

  it('notificationEvent maps Unsupported Version Number to event 24', () => {
    assert.equal(notificationEvent(notif(2, 1)).type, 'NotifMsgVerErr');
    assert.equal(notificationEvent(notif(6, 2)).type, 'NotifMsg');
  });
});

describe('fsm scenarios: IdleHold back-off (RFC 4271 §8.1.1)', () => {
  /** Fails an established session `n` times at the given Established durations (seconds). */
  function flaps(cfg: PeerSessionConfig, upFor: readonly number[]): number[] {
    const waits: number[] = [];
    let s = initialState(cfg);
    let now = 1_000_000;
    for (const secs of upFor) {
      s = run(s, [{ type: 'AutomaticStart' }, { type: 'Tcp_CR_Acked' }, OPEN, { type: 'KeepAliveMsg' }], mkCtx(cfg, now));
      now += secs * 1000;
      const r = step(s, { type: 'TcpConnectionFails' }, mkCtx(cfg, now));
      const t = only(r.actions, 'startTimer').find((a) => a.timer === 'IdleHold');
      waits.push(t?.seconds ?? -1);
      s = run(r.next, [{ type: 'IdleHoldTimer_Expires' }], mkCtx(cfg, now));
      s = run(s, [{ type: 'ManualStop' }], mkCtx(cfg, now)); // back to Idle, keeping the back-off
    }
    return waits;
  }

  it('doubles for a flapping peer up to the maximum', () => {
    assert.deepEqual(flaps(CFG, [1, 1, 1, 1, 1, 1, 1, 1]), [5, 10, 20, 40, 80, 160, 300, 300]);
  });

  it('starts over after a stable period in Established', () => {
    assert.deepEqual(flaps(CFG, [1, 1, 1, 300, 1]), [5, 10, 20, 5, 10]);
  });

  it('stays at the initial value without DampPeerOscillations', () => {
    assert.deepEqual(flaps({ ...CFG, dampPeerOscillations: false }, [1, 1, 1]), [5, 5, 5]);
  });

  it('damped starts wait for the running IdleHoldTimer; ManualStart resets the back-off', () => {
    const s = run(initialState(CFG), [...establish, { type: 'TcpConnectionFails' }]);
    assert.equal(s.idleHoldRunning, true);
    assert.equal(step(s, { type: 'AutomaticStart_with_DampPeerOscillations' }, CTX).next.name, 'Idle');
    const r = step(s, { type: 'ManualStart' }, CTX);
    assert.equal(r.next.name, 'Connect');
    assert.equal(r.next.idleHoldTime, 5);
    assert.ok(summary(r.actions).has('stop:IdleHold'));
  });

  it('no automatic restart when AllowAutomaticStart is off', () => {
    const cfg = { ...CFG, allowAutomaticStart: false };
    const r = step(run(initialState(cfg), establish, mkCtx(cfg)), { type: 'HoldTimer_Expires' }, mkCtx(cfg));
    assert.ok(!summary(r.actions).has('start:IdleHold'));
  });
});

describe('fsm scenarios: connection collision (RFC 4271 §6.8)', () => {
  it('resolveCollision keeps the connection of the higher BGP identifier, unsigned', () => {
    assert.equal(resolveCollision(ip('10.0.0.1'), ip('10.0.0.2'), 65000, 65000), 'remote');
    assert.equal(resolveCollision(ip('10.0.0.2'), ip('10.0.0.1'), 65000, 65000), 'local');
    assert.equal(resolveCollision(ip('192.0.2.1'), ip('10.0.0.1'), 65000, 65000), 'local'); // > 2^31
    assert.equal(resolveCollision(ip('10.0.0.1') | 0, ip('192.0.2.1') | 0, 65000, 65000), 'remote'); // signed input
    // RFC 6286 §2.3: equal identifiers, the larger AS wins.
    assert.equal(resolveCollision(1, 1, 65001, 65000), 'local');
    assert.equal(resolveCollision(1, 1, 65000, 65001), 'remote');
  });

  it('collisionVictim: only against OpenConfirm, or Established when configured', () => {
    const ids = { localId: ip('10.0.0.1'), remoteId: ip('10.0.0.2'), localAs: 65000, remoteAs: 65000 };
    for (const st of ['Idle', 'Connect', 'Active', 'OpenSent'] as const) assert.equal(collisionVictim(st, 'local', ids, false), 'none');
    assert.equal(collisionVictim('OpenConfirm', 'local', ids, false), 'existing');
    assert.equal(collisionVictim('OpenConfirm', 'remote', ids, false), 'incoming');
    assert.equal(collisionVictim('Established', 'local', ids, false), 'incoming');
    assert.equal(collisionVictim('Established', 'local', ids, true), 'existing');
  });

  it('both sides connect at once: exactly one session survives', () => {
    for (const [localId, winner] of [
      [ip('10.0.0.1'), 'remote'],
      [ip('10.0.0.3'), 'local'],
    ] as const) {
      const local = { ...LOCAL, bgpId: localId };
      const ctx = mkCtx(CFG, 1_000_000, local);
      // Ours: connect out, OPEN answered first -> OpenConfirm.
      let ours = run(initialState(CFG), [{ type: 'ManualStart' }, { type: 'Tcp_CR_Acked' }, OPEN], ctx);
      assert.equal(ours.name, 'OpenConfirm');
      // Theirs: accepted connection in OpenSent receives the peer's OPEN: ask the helper first.
      let theirs = run(initialState(CFG), [{ type: 'ManualStart_with_PassiveTcpEstablishment' }, { type: 'TcpConnectionConfirmed' }], ctx);
      const ids = { localId, remoteId: OPEN.open.bgpId, localAs: 65000, remoteAs: 65000 };
      const victim = collisionVictim(ours.name, 'local', ids, false);
      const dump = step(victim === 'existing' ? ours : theirs, { type: 'OpenCollisionDump' }, ctx);
      assert.ok(summary(dump.actions).has(`notify:${ERR.CEASE}/${CEASE_SUB.CONNECTION_COLLISION_RESOLUTION}`));
      assert.equal(dump.next.name, 'Idle');
      if (victim === 'existing') {
        ours = dump.next;
        theirs = run(theirs, [OPEN, { type: 'KeepAliveMsg' }], ctx);
      } else {
        theirs = dump.next;
        ours = run(ours, [{ type: 'KeepAliveMsg' }], ctx);
      }
      const up = [ours, theirs].filter((s) => s.name === 'Established');
      assert.equal(up.length, 1);
      assert.equal(up[0] === ours ? 'local' : 'remote', winner);
    }
  });
});

describe('fsm scenarios: RFC 8538 graceful NOTIFICATION and Hard Reset', () => {
  const grCaps = (n: boolean): Capability[] => [
    ...PEER_CAPS,
    { kind: 'gracefulRestart', restarting: false, notification: n, restartTime: 120, families: [{ afi: 1, safi: 1, forwardingPreserved: true }] },
  ];
  const grCfg = (n: boolean): PeerSessionConfig => ({
    ...CFG,
    capabilities: { ...CFG.capabilities, gracefulRestart: { restartTime: 120, notification: n, families: [] } },
  });
  function up(n: boolean, peerN = n): { s: SessionState; ctx: StepCtx } {
    const cfg = grCfg(n);
    const ctx = mkCtx(cfg);
    const open = { type: 'BGPOpen', open: peerOpen({}, grCaps(peerN)) } as const;
    return { s: run(initialState(cfg), [{ type: 'ManualStart' }, { type: 'Tcp_CR_Acked' }, open, { type: 'KeepAliveMsg' }], ctx), ctx };
  }

  it('with the N bit, Administrative Shutdown goes out wrapped in a Hard Reset', () => {
    const { s, ctx } = up(true);
    assert.equal(s.negotiated?.gracefulRestart?.notification, true);
    const r = step(s, { type: 'ManualStop' }, ctx);
    const a = only(r.actions, 'sendNotification')[0];
    assert.ok(a !== undefined);
    assert.equal(a.hardReset, true);
    const w = wireNotification(a.notification, a.hardReset);
    assert.deepEqual([w.code, w.subcode, w.data.toString('hex')], [ERR.CEASE, CEASE_SUB.HARD_RESET, '0602']);
    assert.deepEqual(unwrapHardReset(w), a.notification);
    assert.equal(downOf(r.actions).retainRoutes, false);
  });

  it('with the N bit, hold expiry is graceful: not wrapped, routes retained', () => {
    const { s, ctx } = up(true);
    const r = step(s, { type: 'HoldTimer_Expires' }, ctx);
    assert.equal(only(r.actions, 'sendNotification')[0]?.hardReset, false);
    assert.equal(downOf(r.actions).retainRoutes, true);
  });

  it('N bit from one side only: no wrapping, and a NOTIFICATION flushes routes', () => {
    const { s, ctx } = up(true, false);
    assert.equal(s.negotiated?.gracefulRestart?.notification, false);
    const r = step(s, { type: 'ManualStop' }, ctx);
    assert.equal(only(r.actions, 'sendNotification')[0]?.hardReset, false);
    assert.equal(downOf(r.actions).retainRoutes, false);
  });

  it('received NOTIFICATIONs: Hard Reset flushes, any other is graceful with the N bit', () => {
    const { s, ctx } = up(true);
    const hard = wireNotification(notif(ERR.CEASE, CEASE_SUB.ADMINISTRATIVE_SHUTDOWN), true);
    assert.equal(downOf(step(s, { type: 'NotifMsg', notification: hard }, ctx).actions).retainRoutes, false);
    const soft = notif(ERR.CEASE, CEASE_SUB.ADMINISTRATIVE_RESET);
    assert.equal(downOf(step(s, { type: 'NotifMsg', notification: soft }, ctx).actions).retainRoutes, true);
  });

  it('graceful restart without the N bit keeps routes on TCP failure only (RFC 4724 §4.2)', () => {
    const { s, ctx } = up(false);
    assert.equal(downOf(step(s, { type: 'TcpConnectionFails' }, ctx).actions).retainRoutes, true);
    assert.equal(downOf(step(s, { type: 'HoldTimer_Expires' }, ctx).actions).retainRoutes, false);
    assert.equal(downOf(step(s, { type: 'NotifMsg', notification: notif(6, 4) }, ctx).actions).retainRoutes, false);
  });
});
