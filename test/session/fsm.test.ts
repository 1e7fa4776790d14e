// Session FSM (RFC 4271 §8): every (state, event) pair as a generated table test, and
// invariants over the whole table. Scenarios (active/passive open, collision, hold expiry,
// OPEN rejection, DelayOpen, IdleHold back-off, RFC 8538 Hard Reset) are in
// fsm-scenarios.test.ts.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { CEASE_SUB, ERR } from '../../src/wire/iana.js';
import { initialState, STATE_NAMES, step } from '../../src/session/fsm.js';
import type { SessionEvent, SessionEventType, SessionState, StateName, StepCtx } from '../../src/session/fsm.js';
import { CFG, notif, peerOpen } from './fixtures.js';
import { mkCtx, run as runWith, summary } from './fsm-helpers.js';

const CTX = mkCtx();
const DELAY_CTX = mkCtx({ ...CFG, timers: { ...CFG.timers, delayOpenTime: 5 } });

/** One sample of every event type (RFC 4271 §8.1 numbering in the comments of fsm-types.ts). */
const SAMPLE: Readonly<Record<SessionEventType, SessionEvent>> = {
  ManualStart: { type: 'ManualStart' },
  ManualStop: { type: 'ManualStop' },
  AutomaticStart: { type: 'AutomaticStart' },
  ManualStart_with_PassiveTcpEstablishment: { type: 'ManualStart_with_PassiveTcpEstablishment' },
  AutomaticStart_with_PassiveTcpEstablishment: { type: 'AutomaticStart_with_PassiveTcpEstablishment' },
  AutomaticStart_with_DampPeerOscillations: { type: 'AutomaticStart_with_DampPeerOscillations' },
  AutomaticStart_with_DampPeerOscillations_and_PassiveTcpEstablishment: {
    type: 'AutomaticStart_with_DampPeerOscillations_and_PassiveTcpEstablishment',
  },
  AutomaticStop: { type: 'AutomaticStop', notification: notif(ERR.CEASE, CEASE_SUB.MAX_PREFIXES_REACHED), restart: true },
  ConnectRetryTimer_Expires: { type: 'ConnectRetryTimer_Expires' },
  HoldTimer_Expires: { type: 'HoldTimer_Expires' },
  KeepaliveTimer_Expires: { type: 'KeepaliveTimer_Expires' },
  DelayOpenTimer_Expires: { type: 'DelayOpenTimer_Expires' },
  IdleHoldTimer_Expires: { type: 'IdleHoldTimer_Expires' },
  TcpConnection_Valid: { type: 'TcpConnection_Valid' },
  Tcp_CR_Invalid: { type: 'Tcp_CR_Invalid' },
  Tcp_CR_Acked: { type: 'Tcp_CR_Acked' },
  TcpConnectionConfirmed: { type: 'TcpConnectionConfirmed' },
  TcpConnectionFails: { type: 'TcpConnectionFails' },
  BGPOpen: { type: 'BGPOpen', open: peerOpen() },
  BGPOpen_with_DelayOpenTimer_running: { type: 'BGPOpen_with_DelayOpenTimer_running', open: peerOpen() },
  BGPHeaderErr: { type: 'BGPHeaderErr', notification: notif(ERR.MESSAGE_HEADER, 2, Buffer.from([0x10, 0x00])) },
  BGPOpenMsgErr: { type: 'BGPOpenMsgErr', notification: notif(ERR.OPEN_MESSAGE, 0) },
  OpenCollisionDump: { type: 'OpenCollisionDump' },
  NotifMsgVerErr: { type: 'NotifMsgVerErr', notification: notif(ERR.OPEN_MESSAGE, 1, Buffer.from([0x00, 0x04])) },
  NotifMsg: { type: 'NotifMsg', notification: notif(ERR.CEASE, CEASE_SUB.ADMINISTRATIVE_SHUTDOWN) },
  KeepAliveMsg: { type: 'KeepAliveMsg' },
  UpdateMsg: { type: 'UpdateMsg' },
  UpdateMsgErr: { type: 'UpdateMsgErr', action: 'sessionReset', notification: notif(ERR.UPDATE_MESSAGE, 1) },
};
const EVENTS = Object.keys(SAMPLE) as SessionEventType[];
const run = (s: SessionState, events: SessionEvent[], ctx: StepCtx = CTX): SessionState => runWith(s, events, ctx);

// ===== the table =====

type Exp = readonly [StateName, readonly string[]];
type Table = Readonly<Record<SessionEventType, Exp>>;

const STARTS: readonly SessionEventType[] = [
  'ManualStart',
  'AutomaticStart',
  'ManualStart_with_PassiveTcpEstablishment',
  'AutomaticStart_with_PassiveTcpEstablishment',
  'AutomaticStart_with_DampPeerOscillations',
  'AutomaticStart_with_DampPeerOscillations_and_PassiveTcpEstablishment',
];

/** A row: `other` for every event not listed (§8.2.2 "any other event"), then overrides. */
function row(other: Exp, over: Partial<Record<SessionEventType, Exp>>): Table {
  return Object.fromEntries(EVENTS.map((e) => [e, over[e] ?? other])) as Record<SessionEventType, Exp>;
}
/** Every event in `events` leaves the state alone. */
function stays(state: StateName, events: readonly SessionEventType[]): Partial<Record<SessionEventType, Exp>> {
  return Object.fromEntries(events.map((e) => [e, [state, ['!change', '!notify']]]));
}

const idleToIdle: Exp = ['Idle', ['!change', '!notify', '!closeTcp']];
const connecting: Exp = ['Idle', ['closeTcp:fsmError', 'down:fsmError', '!notify', 'start:IdleHold']];
const downNoNotify = (reason: string): Exp => ['Idle', [`down:${reason}`, '!notify', 'closeTcp']];

/** Rows shared by Connect and Active (with or without DelayOpen). */
function preOpen(st: StateName, delay: boolean, over: Partial<Record<SessionEventType, Exp>>): Table {
  return row(connecting, {
    ...stays(st, [...STARTS, 'TcpConnection_Valid', 'Tcp_CR_Invalid']),
    ManualStop: ['Idle', ['down:manualStop', '!notify', '!start:IdleHold']],
    AutomaticStop: ['Idle', ['down:automaticStop', '!notify', 'start:IdleHold=5']],
    DelayOpenTimer_Expires: delay ? ['OpenSent', ['sendOpen', 'start:Hold=240', 'stop:DelayOpen']] : [st, ['!change']],
    Tcp_CR_Acked: delay ? [st, ['start:DelayOpen=5', '!sendOpen']] : ['OpenSent', ['sendOpen', 'start:Hold=240', 'stop:ConnectRetry']],
    TcpConnectionConfirmed: delay ? [st, ['start:DelayOpen=5']] : ['OpenSent', ['sendOpen', 'start:Hold=240']],
    BGPOpen: delay ? ['OpenConfirm', ['sendOpen', 'sendKeepalive', 'start:Hold=90', 'start:Keepalive=30']] : connecting,
    BGPOpen_with_DelayOpenTimer_running: delay
      ? ['OpenConfirm', ['sendOpen', 'sendKeepalive', 'start:Hold=90']]
      : connecting,
    BGPHeaderErr: downNoNotify('headerError'),
    BGPOpenMsgErr: downNoNotify('openMessageError'),
    OpenCollisionDump: downNoNotify('connectionCollision'),
    NotifMsgVerErr: downNoNotify('notificationVersionError'),
    NotifMsg: downNoNotify('notificationReceived'),
    ...over,
  });
}

/** Rows shared by OpenSent, OpenConfirm and Established. */
function opened(st: StateName, fsmSub: number, over: Partial<Record<SessionEventType, Exp>>): Table {
  return row(['Idle', [`notify:5/${fsmSub}`, 'down:fsmError', 'closeTcp:fsmError', 'start:IdleHold']], {
    ...stays(st, [...STARTS, 'TcpConnection_Valid', 'Tcp_CR_Invalid', 'Tcp_CR_Acked', 'TcpConnectionConfirmed']),
    ManualStop: ['Idle', ['notify:6/2', 'down:manualStop', '!start:IdleHold']],
    AutomaticStop: ['Idle', ['notify:6/1', 'down:automaticStop', 'start:IdleHold']],
    HoldTimer_Expires: ['Idle', ['notify:4/0', 'down:holdTimerExpired', 'start:IdleHold']],
    BGPHeaderErr: ['Idle', ['notify:1/2', 'down:headerError']],
    OpenCollisionDump: ['Idle', ['notify:6/7', 'down:connectionCollision']],
    NotifMsgVerErr: downNoNotify('notificationVersionError'),
    NotifMsg: downNoNotify('notificationReceived'),
    ...over,
  });
}

interface Row {
  readonly label: string;
  readonly state: SessionState;
  readonly ctx: StepCtx;
  readonly table: Table;
}

const idle0 = initialState(CFG);
const connect0 = run(idle0, [SAMPLE.ManualStart]);
const active0 = run(connect0, [SAMPLE.TcpConnectionFails]);
const passive0 = run(idle0, [SAMPLE.ManualStart_with_PassiveTcpEstablishment]);
const openSent0 = run(connect0, [SAMPLE.Tcp_CR_Acked]);
const openConfirm0 = run(openSent0, [SAMPLE.BGPOpen]);
const established0 = run(openConfirm0, [SAMPLE.KeepAliveMsg]);
const connectDelay0 = run(idle0, [SAMPLE.ManualStart, SAMPLE.Tcp_CR_Acked], DELAY_CTX);
const activeDelay0 = run(idle0, [SAMPLE.ManualStart_with_PassiveTcpEstablishment, SAMPLE.TcpConnectionConfirmed], DELAY_CTX);

const ROWS: readonly Row[] = [
  {
    label: 'Idle',
    state: idle0,
    ctx: CTX,
    table: row(idleToIdle, {
      ManualStart: ['Connect', ['start:ConnectRetry=120', 'connect']],
      AutomaticStart: ['Connect', ['start:ConnectRetry=120', 'connect']],
      AutomaticStart_with_DampPeerOscillations: ['Connect', ['connect']],
      ManualStart_with_PassiveTcpEstablishment: ['Active', ['!connect', '!start:ConnectRetry']],
      AutomaticStart_with_PassiveTcpEstablishment: ['Active', ['!connect']],
      AutomaticStart_with_DampPeerOscillations_and_PassiveTcpEstablishment: ['Active', ['!connect']],
      Tcp_CR_Acked: ['Idle', ['closeTcp:refusedInIdle', '!change']],
      TcpConnectionConfirmed: ['Idle', ['closeTcp:refusedInIdle', '!change']],
    }),
  },
  {
    label: 'Idle (IdleHoldTimer running)',
    state: { ...idle0, idleHoldRunning: true },
    ctx: CTX,
    table: row(idleToIdle, {
      ManualStart: ['Connect', ['stop:IdleHold', 'connect']],
      AutomaticStart: ['Connect', ['stop:IdleHold', 'connect']],
      ManualStart_with_PassiveTcpEstablishment: ['Active', ['stop:IdleHold']],
      AutomaticStart_with_PassiveTcpEstablishment: ['Active', ['stop:IdleHold']],
      AutomaticStart_with_DampPeerOscillations: ['Idle', ['!change', '!connect']],
      AutomaticStart_with_DampPeerOscillations_and_PassiveTcpEstablishment: ['Idle', ['!change']],
      IdleHoldTimer_Expires: ['Connect', ['connect', 'start:ConnectRetry']],
      ManualStop: ['Idle', ['stop:IdleHold', '!change']],
      AutomaticStop: ['Idle', ['stop:IdleHold', '!change']],
      Tcp_CR_Acked: ['Idle', ['closeTcp:refusedInIdle']],
      TcpConnectionConfirmed: ['Idle', ['closeTcp:refusedInIdle']],
    }),
  },
  {
    label: 'Connect',
    state: connect0,
    ctx: CTX,
    table: preOpen('Connect', false, {
      ConnectRetryTimer_Expires: ['Connect', ['closeTcp:connectRetryExpired', 'start:ConnectRetry=120', 'connect', '!change']],
      TcpConnectionFails: ['Active', ['start:ConnectRetry', 'closeTcp:tcpConnectionFails', '!down']],
    }),
  },
  {
    label: 'Connect (DelayOpenTimer running)',
    state: connectDelay0,
    ctx: DELAY_CTX,
    table: preOpen('Connect', true, {
      ConnectRetryTimer_Expires: ['Connect', ['stop:DelayOpen', 'connect']],
      TcpConnectionFails: ['Active', ['stop:DelayOpen', 'start:ConnectRetry']],
    }),
  },
  {
    label: 'Active',
    state: active0,
    ctx: CTX,
    table: preOpen('Active', false, {
      ConnectRetryTimer_Expires: ['Connect', ['start:ConnectRetry=120', 'connect']],
      TcpConnectionFails: downNoNotify('tcpConnectionFails'),
    }),
  },
  {
    label: 'Active (passive)',
    state: passive0,
    ctx: CTX,
    table: preOpen('Active', false, {
      ConnectRetryTimer_Expires: ['Active', ['!connect', '!change']],
      TcpConnectionFails: downNoNotify('tcpConnectionFails'),
    }),
  },
  {
    label: 'Active (DelayOpenTimer running)',
    state: activeDelay0,
    ctx: DELAY_CTX,
    table: preOpen('Active', true, {
      ConnectRetryTimer_Expires: ['Active', ['!connect']],
      TcpConnectionFails: downNoNotify('tcpConnectionFails'),
    }),
  },
  {
    label: 'OpenSent',
    state: openSent0,
    ctx: CTX,
    table: opened('OpenSent', 1, {
      TcpConnectionFails: ['Active', ['closeTcp:tcpConnectionFails', 'stop:Hold', 'start:ConnectRetry', '!down']],
      BGPOpen: ['OpenConfirm', ['sendKeepalive', 'start:Hold=90', 'start:Keepalive=30', '!sendOpen']],
      BGPOpen_with_DelayOpenTimer_running: ['OpenConfirm', ['sendKeepalive', '!sendOpen']],
      BGPOpenMsgErr: ['Idle', ['notify:2/0', 'down:openMessageError']],
    }),
  },
  {
    label: 'OpenConfirm',
    state: openConfirm0,
    ctx: CTX,
    table: opened('OpenConfirm', 2, {
      KeepaliveTimer_Expires: ['OpenConfirm', ['sendKeepalive', 'start:Keepalive=30', '!change']],
      TcpConnectionFails: downNoNotify('tcpConnectionFails'),
      BGPOpenMsgErr: ['Idle', ['notify:2/0', 'down:openMessageError']],
      KeepAliveMsg: ['Established', ['start:Hold=90', 'up']],
    }),
  },
  {
    label: 'Established',
    state: established0,
    ctx: CTX,
    table: opened('Established', 3, {
      KeepaliveTimer_Expires: ['Established', ['sendKeepalive', 'start:Keepalive=30', '!change']],
      TcpConnectionFails: downNoNotify('tcpConnectionFails'),
      KeepAliveMsg: ['Established', ['start:Hold=90', '!change']],
      UpdateMsg: ['Established', ['start:Hold=90', '!change']],
      UpdateMsgErr: ['Idle', ['notify:3/1', 'down:updateMessageError']],
    }),
  },
];

describe('fsm: every (state, event) pair', () => {
  it('the sample states are the states they claim to be', () => {
    const names = ROWS.map((r) => r.state.name);
    assert.deepEqual(names, ['Idle', 'Idle', 'Connect', 'Connect', 'Active', 'Active', 'Active', 'OpenSent', 'OpenConfirm', 'Established']);
    assert.equal(connectDelay0.delayOpenRunning, true);
    assert.equal(activeDelay0.delayOpenRunning, true);
    assert.equal(passive0.passive, true);
    assert.equal(EVENTS.length, 28);
  });
  for (const r of ROWS) {
    describe(r.label, () => {
      for (const ev of EVENTS) {
        const [want, keys] = r.table[ev];
        it(`${ev} -> ${want} ${keys.join(' ')}`, () => {
          const { next, actions } = step(r.state, SAMPLE[ev], r.ctx);
          assert.equal(next.name, want);
          const got = summary(actions);
          for (const k of keys) {
            if (k.startsWith('!')) assert.ok(!got.has(k.slice(1)), `unexpected ${k.slice(1)} in ${[...got].join(' ')}`);
            else assert.ok(got.has(k), `missing ${k} in ${[...got].join(' ')}`);
          }
        });
      }
    });
  }
});

describe('fsm: invariants over the whole table', () => {
  const all = ROWS.flatMap((r) => EVENTS.map((ev) => ({ r, ev, res: step(r.state, SAMPLE[ev], r.ctx) })));

  it('a state change is reported exactly once, and only when the state changes', () => {
    for (const { r, ev, res } of all) {
      const changes = res.actions.filter((a) => a.type === 'stateChange');
      const changed = res.next.name !== r.state.name;
      assert.equal(changes.length, changed ? 1 : 0, `${r.label} + ${ev}`);
    }
  });

  it('going to Idle stops every timer but IdleHold, closes TCP, releases and reports sessionDown', () => {
    for (const { r, ev, res } of all) {
      if (r.state.name === 'Idle' || res.next.name !== 'Idle') continue;
      const got = summary(res.actions);
      for (const k of ['stop:ConnectRetry', 'stop:Hold', 'stop:Keepalive', 'stop:DelayOpen', 'closeTcp', 'releaseResources', 'down']) {
        assert.ok(got.has(k), `${r.label} + ${ev}: missing ${k}`);
      }
      assert.equal(res.next.negotiated, null);
      assert.ok(res.next.lastDown !== null);
    }
  });

  it('a NOTIFICATION is sent only after our OPEN, and is followed by closeTcp', () => {
    for (const { r, ev, res } of all) {
      const i = res.actions.findIndex((a) => a.type === 'sendNotification');
      if (i < 0) continue;
      assert.ok(['OpenSent', 'OpenConfirm', 'Established'].includes(r.state.name), `${r.label} + ${ev}`);
      assert.ok(res.actions.slice(i + 1).some((a) => a.type === 'closeTcp'), `${r.label} + ${ev}`);
    }
  });

  it('ConnectRetryCounter: zero after ManualStop, unchanged on NotifMsgVerErr before Established, else +1', () => {
    for (const { r, ev, res } of all) {
      if (r.state.name === 'Idle' || res.next.name !== 'Idle') continue;
      const before = r.state.connectRetryCounter;
      const after = res.next.connectRetryCounter;
      if (ev === 'ManualStop') assert.equal(after, 0);
      else if (ev === 'NotifMsgVerErr' && (r.state.delayOpenRunning || ['OpenSent', 'OpenConfirm'].includes(r.state.name))) {
        assert.equal(after, before, r.label);
      } else assert.equal(after, before + 1, `${r.label} + ${ev}`);
    }
  });

  it('covers all six states', () => {
    assert.deepEqual([...new Set(ROWS.map((r) => r.state.name))], [...STATE_NAMES]);
  });
});
