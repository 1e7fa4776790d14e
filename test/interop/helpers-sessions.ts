/**
 * The session checks of sessions.test.ts for one daemon kind, as two chains that run
 * concurrently, each on its own link (namespace + veth) and daemon instance:
 * - passive: meshrr passive, the daemon connects, over IPv4 and IPv6 transport; the
 *   negotiated capabilities from both views; then the daemon is frozen (SIGSTOP) until our
 *   hold timer (4 s) tears both sessions down with Hold Timer Expired, thawed, and
 *   restarted: each time both sessions must come back;
 * - active: meshrr connects to the passive daemon, over IPv4 and IPv6; capabilities again.
 * OpenBGPD waits its initial IdleHoldTime (30 s) after a session ended by a NOTIFICATION, so
 * re-establishment after the hold expiry gets a longer poll.
 */
import assert from 'node:assert/strict';
import type { Peer } from '../../src/session/peer.js';
import type { Lab, NegotiatedCapabilities, PeerHandle, PeerKind } from '../helpers/peers/index.js';
import { readFileSync } from 'node:fs';
import { pollUntil } from '../helpers/poll.js';
import { ADVERTISES, startOnLink } from './helpers-daemons.js';
import type { Matrix } from './helpers-matrix.js';
import { allChains } from './helpers-matrix.js';
import { interopConfig, type Meshrr } from './helpers-meshrr.js';
import type { Link } from './helpers-net.js';

export const HOLD_PASSIVE = 4;
export const HOLD_ACTIVE = 9;
const ESTABLISH_MS = 30_000;

export interface SessionEnv {
  readonly lab: Lab;
  readonly meshrr: Meshrr;
  readonly matrix: Matrix;
  /** Two links per kind: passive, active. */
  readonly links: ReadonlyMap<PeerKind, readonly [Link, Link]>;
}

/** One session of a daemon with meshrr: meshrr's peer and the daemon's neighbour address. */
interface Session {
  readonly family: 'v4' | 'v6';
  readonly peer: Peer;
  /** meshrr's address as the daemon knows it. */
  readonly meshrrAddress: string;
}

function sessionsOf(env: SessionEnv, link: Link, passive: boolean, hold: number): Session[] {
  const cfg = interopConfig({ passive, holdTime: hold });
  return [
    { family: 'v4', peer: env.meshrr.neighbor(link.peer4, cfg, { localAddress: link.root4 }), meshrrAddress: link.root4 },
    { family: 'v6', peer: env.meshrr.neighbor(link.peer6, cfg, { localAddress: link.root6 }), meshrrAddress: link.root6 },
  ];
}

async function established(d: PeerHandle, s: Session, minTransitions = 1, timeoutMs = ESTABLISH_MS): Promise<void> {
  await pollUntil(() => s.peer.state === 'Established' && s.peer.stats.establishedTransitions >= minTransitions, {
    what: `meshrr session with ${d.kind} ${s.peer.name} Established (#${minTransitions})`,
    timeoutMs,
  });
  await d.waitEstablished(s.meshrrAddress, timeoutMs);
}

/**
 * Both views of the negotiated capabilities equal what both sides advertised: meshrr all of
 * them, the daemon what ADVERTISES says (itself checked against the OPEN meshrr received).
 */
export async function checkCapabilities(kind: PeerKind, d: PeerHandle, s: Session, hold: number): Promise<void> {
  const adv = ADVERTISES[kind];
  const n = s.peer.status().negotiated;
  assert.ok(n !== null, 'meshrr has no negotiated capabilities');
  const codes = new Set(n.peerCapabilityCodes);
  // What the daemon advertised, as meshrr decoded its OPEN.
  assert.equal(codes.has(65), true, `${kind} advertised 4-octet AS`);
  assert.equal(codes.has(2) || codes.has(128), adv.routeRefresh, `${kind} route refresh in OPEN`);
  assert.equal(codes.has(70), adv.enhancedRouteRefresh, `${kind} enhanced route refresh in OPEN`);
  assert.equal(codes.has(64), adv.gracefulRestart, `${kind} graceful restart in OPEN`);
  assert.equal(codes.has(6), adv.extendedMessage, `${kind} extended message in OPEN`);
  assert.equal(codes.has(69), adv.addPath, `${kind} add-path in OPEN`);
  const both = ['ipv4-unicast', 'ipv6-unicast'] as const;
  const ap = adv.addPath ? [...both] : [];
  // meshrr's view.
  assert.deepEqual(
    {
      fourOctetAs: n.fourOctetAs,
      routeRefresh: n.routeRefresh,
      enhancedRouteRefresh: n.enhancedRouteRefresh,
      gracefulRestart: n.gracefulRestart !== null,
      extendedMessage: n.extendedMessage,
      families: n.families,
      addPathSend: n.addPathSend,
      addPathReceive: n.addPathReceive,
      holdTime: n.holdTime,
      peerAs: n.peerAs,
    },
    {
      fourOctetAs: true,
      routeRefresh: adv.routeRefresh,
      enhancedRouteRefresh: adv.enhancedRouteRefresh,
      gracefulRestart: adv.gracefulRestart,
      extendedMessage: adv.extendedMessage,
      families: [...both],
      addPathSend: ap,
      addPathReceive: ap,
      holdTime: hold,
      peerAs: 65000,
    },
    `meshrr's view of ${kind} ${s.family}`,
  );
  // The daemon's own view.
  const c: NegotiatedCapabilities = await d.negotiatedCapabilities(s.meshrrAddress);
  const daemonView = {
    fourOctetAs: c.fourOctetAs,
    routeRefresh: c.routeRefresh,
    enhancedRouteRefresh: c.enhancedRouteRefresh,
    gracefulRestart: c.gracefulRestart,
    extendedMessage: c.extendedMessage,
    families: [...c.families].sort(),
    addPath: [...c.addPath].sort((a, b) => a.family.localeCompare(b.family)),
    ...(c.holdTime !== undefined ? { holdTime: c.holdTime } : {}),
  };
  assert.deepEqual(
    daemonView,
    {
      fourOctetAs: true,
      routeRefresh: adv.routeRefresh,
      enhancedRouteRefresh: adv.enhancedRouteRefresh,
      gracefulRestart: adv.gracefulRestart,
      extendedMessage: adv.extendedMessage,
      families: [...both],
      addPath: ap.map((family) => ({ family, send: true, receive: true })),
      ...(c.holdTime !== undefined ? { holdTime: hold } : {}),
    },
    `${kind}'s own view (${s.family}):\n${c.raw.join('\n')}`,
  );
}

/** The state letter of /proc/PID/stat (`T` = stopped); '' when the process is gone. */
function processState(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.charAt(stat.lastIndexOf(')') + 2);
  } catch {
    return '';
  }
}

/** Freeze the daemon until our hold timer tears every session down, then thaw it. */
async function holdExpiry(d: PeerHandle, sessions: readonly Session[], hold: number): Promise<void> {
  const frozenAt = Date.now();
  await d.freeze();
  // Under load the harness may take a while to find and stop every process: time from the stop.
  await pollUntil(() => processState(d.pid) === 'T', { what: `${d.kind} stopped`, timeoutMs: 10_000, intervalMs: 20 });
  const stoppedAt = Date.now();
  try {
    await pollUntil(
      () =>
        sessions.every((s) => {
          const n = s.peer.stats.lastNotificationSent;
          return s.peer.state !== 'Established' && n !== null && n.at >= frozenAt && n.code === 4;
        }),
      { what: `${d.kind}: hold timer expiry on every session`, timeoutMs: hold * 1000 + 10_000, intervalMs: 50 },
    );
    const tookMs = Date.now() - stoppedAt;
    // Still frozen: the teardown was ours, not a NOTIFICATION or FIN from the peer.
    assert.equal(processState(d.pid), 'T', `${d.kind} is still stopped`);
    for (const s of sessions) {
      const n = s.peer.stats.lastNotificationSent;
      assert.deepEqual({ code: n?.code, subcode: n?.subcode }, { code: 4, subcode: 0 }, `Hold Timer Expired to ${s.peer.name}`);
      assert.equal(s.peer.stats.lastDownReason, 'holdTimerExpired');
      assert.equal(s.peer.stats.droppedTransitions, 1);
    }
    assert.ok(tookMs <= (hold + 2) * 1000, `torn down ${tookMs} ms after the peer stopped (hold ${hold} s)`);
  } finally {
    await d.thaw();
  }
}

async function passiveChain(env: SessionEnv, kind: PeerKind, link: Link): Promise<void> {
  const m = env.matrix;
  const sessions = sessionsOf(env, link, true, HOLD_PASSIVE);
  const d = await startOnLink(env.lab, kind, link, `${kind}-pas`, env.meshrr.port, { holdTime: HOLD_PASSIVE }).catch((err: unknown) => {
    for (const s of sessions) m.record(kind, `passive-${s.family}`, false, (err as Error).message);
    throw err;
  });
  await allChains(sessions.map((s) => m.check(kind, `passive-${s.family}`, () => established(d, s))));
  await allChains(sessions.map((s) => m.check(kind, 'caps', () => checkCapabilities(kind, d, s, HOLD_PASSIVE))));
  await m.check(kind, 'hold-expiry', async () => {
    await holdExpiry(d, sessions, HOLD_PASSIVE);
    // OpenBGPD's IdleHoldTime after a NOTIFICATION is 30 s.
    for (const s of sessions) await established(d, s, 2, ESTABLISH_MS + 30_000);
  });
  await m.check(kind, 'restart', async () => {
    const before = sessions.map((s) => s.peer.stats.establishedTransitions);
    await d.restart();
    for (const [i, s] of sessions.entries()) await established(d, s, (before[i] ?? 0) + 1);
  });
}

async function activeChain(env: SessionEnv, kind: PeerKind, link: Link): Promise<void> {
  const m = env.matrix;
  const d = await startOnLink(env.lab, kind, link, `${kind}-act`, env.meshrr.port, { passive: true, holdTime: 30 });
  const sessions = sessionsOf(env, link, false, HOLD_ACTIVE);
  await allChains(sessions.map((s) => m.check(kind, `active-${s.family}`, () => established(d, s))));
  await allChains(sessions.map((s) => m.check(kind, 'caps', () => checkCapabilities(kind, d, s, HOLD_ACTIVE))));
}

/** Both chains for one daemon kind. */
export async function sessionChecks(env: SessionEnv, kind: PeerKind): Promise<void> {
  const pair = env.links.get(kind);
  if (pair === undefined) throw new Error(`no links for ${kind}`);
  const [pas, act] = pair;
  await allChains([passiveChain(env, kind, pas), activeChain(env, kind, act)]);
}
