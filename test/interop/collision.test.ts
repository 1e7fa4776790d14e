/**
 * Connection collision (RFC 4271 §6.8) between meshrr and each of the five real daemons,
 * both sides active, ending with exactly one session on both sides (one Established
 * connection in meshrr's connectionStates(), one established TCP connection in the
 * daemon's namespace, no second session coming up and going); afterwards meshrr must still
 * connect by itself to a passive daemon on the same address. Graceful restart is off on both
 * sides: this is plain RFC 4271 §6.8 (with it, an OPEN on a second connection while one is
 * Established means "the peer restarted", RFC 4724 §4.2, and ExaBGP, which sends an OPEN on
 * its own connection even after it answered ours, would make meshrr drop the session once).
 *
 * Making the connections really cross: each daemon first retries against meshrr, which
 * refuses it (not configured yet). Then, for one daemon at a time and in one synchronous
 * step, meshrr gets the neighbour (active) and this process blocks its own event loop until
 * the kernel shows the daemon's next connection waiting in the accept queue of meshrr's
 * listener (`ss -l` Recv-Q; GoBGP retries only every 5-10 s), plus a moment for its OPEN.
 * Node starts a TCP connect to an IP literal on the next tick, so meshrr's connect goes out
 * only after the block: by then the daemon sits in OpenSent on its own connection, accepts
 * ours, and meshrr accepts the daemon's: two connections on both sides. The check that they
 * crossed is meshrr's log (both its inbound and its outbound connection reached OpenSent).
 * Only long-hold sessions of this file live in this process, so blocking it hurts nothing.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { sweepStaleNetns } from '../helpers/netns.js';
import type { Lab, PeerHandle, PeerKind } from '../helpers/peers/index.js';
import { createLab, missingPrerequisites } from '../helpers/peers/index.js';
import { pollUntil } from '../helpers/poll.js';
import { KINDS, startOnLink } from './helpers-daemons.js';
import { Matrix, teardown } from './helpers-matrix.js';
import { interopConfig, logEvents, startMeshrr, type Meshrr } from './helpers-meshrr.js';
import { createLink, randomPort, type Link } from './helpers-net.js';

// Fails loudly, naming what is missing (never a silent skip).
await missingPrerequisites();
/** Links 12..16 of 198.51.100.0/24. */
const LINK_BASE = 12;
/** Longest wait for a daemon's next connect (GoBGP: 5-10 s). */
const MAX_BLOCK_MS = 20_000;
/** Hold time of these sessions: longer than any block. */
const HOLD = 60;

/** Established TCP connections to meshrr's address, seen from inside the daemon's namespace. */
async function tcpSessions(link: Link): Promise<number> {
  const { stdout } = await link.ns.exec('ss', ['-Htn', 'state', 'established', 'dst', link.root4]);
  return stdout.split('\n').filter((l) => l.trim() !== '').length;
}

/** Both meshrr's inbound and outbound connection to the daemon reached OpenSent (its log). */
function crossed(m: Meshrr, link: Link): boolean {
  const opened = new Set(logEvents(m.logs, 'fsmTransition', (l) => l['peer'] === link.peer4 && l['to'] === 'OpenSent').map((l) => String(l['conn'])));
  return opened.has('inbound') && opened.has('outbound');
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Connections waiting in the accept queue of meshrr's listener on `address`. */
function acceptQueue(address: string, port: number): number {
  const out = execFileSync('ss', ['-Hltn', 'src', address, 'sport', '=', `:${port}`], { encoding: 'utf8' });
  return Number(out.trim().split(/\s+/)[1] ?? 0);
}

/**
 * Add the neighbour and block this process until the daemon's own connection is queued (see
 * the module comment). Returns whether it was seen within MAX_BLOCK_MS.
 */
function crossConnections(m: Meshrr, link: Link): boolean {
  m.neighbor(link.peer4, interopConfig({ passive: false, holdTime: HOLD, gracefulRestart: false }), { localAddress: link.root4 });
  const deadline = Date.now() + MAX_BLOCK_MS;
  while (Date.now() < deadline) {
    if (acceptQueue(link.root4, m.port) > 0) {
      sleepSync(300); // the daemon's OPEN follows its connect at once
      return true;
    }
    sleepSync(20);
  }
  return false;
}

describe('interop: connection collision with five real daemons', { concurrency: true }, () => {
  const matrix = new Matrix('collision');
  const links = new Map<PeerKind, Link>();
  const daemons = new Map<PeerKind, PeerHandle>();
  /** Whether the daemon's connection was queued at meshrr while meshrr's own went out. */
  const queued = new Map<PeerKind, boolean>();
  let lab: Lab | undefined;
  let meshrr: Meshrr | undefined;
  let failed = false;

  before(async () => {
    await sweepStaleNetns();
    lab = await createLab('interop-collision');
    const l = lab;
    await Promise.all(KINDS.map(async (kind, k) => links.set(kind, await createLink(LINK_BASE + k, `col${kind.slice(0, 4)}`))));
    const m = await startMeshrr({ listen: [...links.values()].map((x) => x.root4), port: randomPort() });
    meshrr = m;
    await Promise.all(
      KINDS.map(async (kind) => {
        const link = links.get(kind);
        if (link === undefined) return;
        daemons.set(kind, await startOnLink(l, kind, link, `${kind}-col`, m.port, { holdTime: HOLD, v6: false, gracefulRestart: false }));
      }),
    );
    // Every daemon is retrying against meshrr, which does not know it yet.
    await pollUntil(() => KINDS.every((k) => logEvents(m.logs, 'connectionRefused', (x) => x['remote'] === links.get(k)?.peer4).length > 0), {
      what: 'every daemon connecting to meshrr',
      timeoutMs: 30_000,
    });
    for (const kind of KINDS) {
      const link = links.get(kind);
      if (link !== undefined) queued.set(kind, crossConnections(m, link));
    }
  });

  after(() =>
    teardown([
      () => matrix.print(),
      () => meshrr?.shutdown(),
      () => (failed && lab !== undefined ? meshrr?.saveLog(`${lab.dir}/meshrr.log`) : undefined),
      () => lab?.close({ failed }),
      ...[...links.values()].map((l) => () => l.destroy()),
    ]),
  );

  for (const kind of KINDS) {
    it(kind, async () => {
      try {
        const m = meshrr;
        const link = links.get(kind);
        const d = daemons.get(kind);
        if (m === undefined || link === undefined || d === undefined) throw new Error('setup failed');
        const peer = m.peer(link.peer4);
        await matrix.check(kind, 'collision-crossed', async () => {
          assert.ok(queued.get(kind), `${kind} did not connect within ${MAX_BLOCK_MS} ms`);
          await pollUntil(() => crossed(m, link), { what: `both connections with ${kind} in OpenSent`, timeoutMs: 10_000 });
        });
        await matrix.check(kind, 'collision-one-session', async () => {
          await pollUntil(() => peer.state === 'Established' && peer.connectionStates().length === 1, {
            what: `one Established connection with ${kind}`,
            timeoutMs: 30_000,
          });
          await d.waitEstablished(link.root4, 30_000);
          await pollUntil(async () => (await tcpSessions(link)) === 1, { what: `${kind}: one TCP session to meshrr`, timeoutMs: 15_000 });
          assert.deepEqual(peer.connectionStates().map((c) => c.state), ['Established']);
          assert.equal(peer.stats.establishedTransitions, 1, 'no second session came up and went');
          matrix.record(kind, `kept-${peer.connectionStates()[0]?.direction ?? 'none'}`, true);
        });
        // After the collision meshrr must still be able to connect by itself: the daemon is
        // replaced by a passive one on the same address.
        await matrix.check(kind, 'collision-then-reconnect', async () => {
          const before = peer.stats.establishedTransitions;
          await d.stop();
          const l = lab;
          if (l === undefined) throw new Error('no lab');
          const d2 = await startOnLink(l, kind, link, `${kind}-col2`, m.port, { holdTime: HOLD, v6: false, passive: true, gracefulRestart: false });
          await pollUntil(() => peer.state === 'Established' && peer.stats.establishedTransitions > before, {
            what: `meshrr reconnecting to a passive ${kind}`,
            timeoutMs: 30_000,
          });
          await d2.waitEstablished(link.root4, 30_000);
        });
      } catch (err) {
        failed = true;
        throw err;
      }
    });
  }
});
