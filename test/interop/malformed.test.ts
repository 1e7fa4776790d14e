/**
 * Malformed input from a peer, sent over raw TCP sockets from 127.93.1.x: bad markers, bad
 * lengths, a bad message type, OPENs meshrr must refuse (version 5, hold time 1 and 2, BGP
 * identifier 0 or ours, wrong AS) and UPDATEs from every session-reset class of RFC 7606;
 * meshrr's NOTIFICATION is read back on the socket and its code, subcode and data compared
 * byte for byte (helpers-malformed.ts has the table and where each expectation comes from).
 * A treat-as-withdraw and an attribute-discard UPDATE must leave the session up. Throughout,
 * a BIRD session (hold 6 s) on a veth must stay Established: one peer's errors never touch
 * another peer's session.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MSG } from '../../src/wire/iana.js';
import { sweepStaleNetns } from '../helpers/netns.js';
import type { Lab, PeerHandle } from '../helpers/peers/index.js';
import { createLab, missingPrerequisites } from '../helpers/peers/index.js';
import { pollUntil } from '../helpers/poll.js';
import { startOnLink } from './helpers-daemons.js';
import { KEEP_CASES, NOTIFICATION_CASES, SENTINEL } from './helpers-malformed.js';
import { Matrix, teardown } from './helpers-matrix.js';
import { interopConfig, logEvents, startMeshrr, type Meshrr } from './helpers-meshrr.js';
import { createLink, randomPort, type Link } from './helpers-net.js';
import { notificationOf, RawPeer, type Received } from './helpers-raw.js';

// Fails loudly, naming what is missing (never a silent skip).
await missingPrerequisites(['bird']);
/** Link 20 of 198.51.100.0/24. */
const LINK = 20;
const MESHRR_LO = '127.93.0.1';
const BIRD_HOLD = 6;

/** Raw peer `i`: address 127.93.1.(i+1), BGP identifier 10.93.1.(i+1). */
const rawAddress = (i: number): string => `127.93.1.${i + 1}`;
const rawId = (i: number): number => (0x0a5d0100 + i + 1) >>> 0;

describe('interop: malformed input over raw sockets', { concurrency: true }, () => {
  const matrix = new Matrix('malformed');
  let lab: Lab | undefined;
  let link: Link | undefined;
  let meshrr: Meshrr | undefined;
  let bird: PeerHandle | undefined;
  const raws: RawPeer[] = [];
  let failed = false;
  let started = 0;

  before(async () => {
    await sweepStaleNetns();
    lab = await createLab('interop-malformed');
    link = await createLink(LINK, 'malformed');
    const m = await startMeshrr({ listen: [link.root4, MESHRR_LO], port: randomPort() });
    meshrr = m;
    const all = NOTIFICATION_CASES.length + KEEP_CASES.length;
    const cfg = interopConfig({ passive: true, holdTime: 90, gracefulRestart: false });
    for (let i = 0; i < all; i++) m.neighbor(rawAddress(i), cfg);
    m.neighbor(link.peer4, interopConfig({ passive: true, holdTime: BIRD_HOLD }));
    bird = await startOnLink(lab, 'bird', link, 'bird-other', m.port, { holdTime: BIRD_HOLD, v6: false });
    await pollUntil(() => m.peer(link?.peer4 ?? '').state === 'Established', { what: 'BIRD Established', timeoutMs: 30_000 });
    await bird.waitEstablished(link.root4, 30_000);
    started = Date.now();
  });

  after(() =>
    teardown([
      () => raws.forEach((r) => r.destroy()),
      () => matrix.print(),
      () => meshrr?.shutdown(),
      () => (failed && lab !== undefined ? meshrr?.saveLog(`${lab.dir}/meshrr.log`) : undefined),
      () => lab?.close({ failed }),
      () => link?.destroy(),
    ]),
  );

  /** Connect raw peer `i`, tracked for teardown. */
  async function raw(i: number): Promise<RawPeer> {
    const m = meshrr;
    if (m === undefined) throw new Error('setup failed');
    const r = await RawPeer.connect({ host: MESHRR_LO, port: m.port, localAddress: rawAddress(i) });
    raws.push(r);
    return r;
  }

  async function establish(r: RawPeer, i: number): Promise<void> {
    await r.establish(rawId(i));
    await pollUntil(() => meshrr?.peer(rawAddress(i)).state === 'Established', { what: `raw peer ${i} Established`, timeoutMs: 10_000 });
  }

  /** The first NOTIFICATION meshrr sends, skipping its OPEN and KEEPALIVEs. */
  async function notification(r: RawPeer): Promise<Received> {
    for (;;) {
      const m = await r.next('NOTIFICATION');
      if (m.type === MSG.OPEN || m.type === MSG.KEEPALIVE) continue;
      return m;
    }
  }

  NOTIFICATION_CASES.forEach((c, i) => {
    it(`${c.name} → NOTIFICATION ${c.expect.code}/${c.expect.subcode} (RFC ${c.rfc})`, async () => {
      try {
        await matrix.check('meshrr', c.id, async () => {
          const r = await raw(i);
          if (c.when === 'established') await establish(r, i);
          r.send(c.bytes(rawId(i)));
          assert.deepEqual(notificationOf(await notification(r)), c.expect);
          await r.waitClosed();
          const p = meshrr?.peer(rawAddress(i));
          assert.notEqual(p?.state, 'Established');
          assert.deepEqual([p?.stats.lastNotificationSent?.code, p?.stats.lastNotificationSent?.subcode], [c.expect.code, c.expect.subcode]);
        });
      } catch (err) {
        failed = true;
        throw err;
      }
    });
  });

  KEEP_CASES.forEach((c, j) => {
    const i = NOTIFICATION_CASES.length + j;
    it(`${c.name} → ${c.action}, session stays up (RFC ${c.rfc})`, async () => {
      try {
        await matrix.check('meshrr', c.id, async () => {
          const r = await raw(i);
          await establish(r, i);
          const p = meshrr?.peer(rawAddress(i));
          r.send(c.bytes);
          r.send(SENTINEL);
          await pollUntil(() => p?.stats.received.update === 2, { what: 'both UPDATEs received', timeoutMs: 10_000 });
          assert.equal(p?.state, 'Established');
          assert.equal(p?.stats[c.action], 1);
          assert.equal(p?.stats.lastNotificationSent, null);
          assert.ok(!r.closed && !r.pending().some((m) => m.type === MSG.NOTIFICATION), 'no NOTIFICATION, connection open');
          const logged = logEvents(meshrr?.logs ?? [], 'updateError', (l) => l['peer'] === rawAddress(i));
          assert.deepEqual(logged.map((l) => l['action']), [c.action]);
        });
      } catch (err) {
        failed = true;
        throw err;
      }
    });
  });

  it('the BIRD session stayed Established throughout', async () => {
    // Runs last (tests of a suite start in order; this one waits for the others' sockets).
    try {
      await matrix.check('bird', 'other-session-stays-up', async () => {
        const total = NOTIFICATION_CASES.length + KEEP_CASES.length;
        await pollUntil(() => raws.length === total && raws.slice(0, NOTIFICATION_CASES.length).every((r) => r.closed), {
          what: 'every malformed case done',
          timeoutMs: 60_000,
        });
        const p = meshrr?.peer(link?.peer4 ?? '');
        assert.equal(p?.state, 'Established');
        assert.equal(p?.stats.establishedTransitions, 1);
        assert.equal(p?.stats.droppedTransitions, 0);
        const up = await bird?.uptime(link?.root4 ?? '');
        assert.ok(up !== undefined && up * 1000 >= Date.now() - started - 1000, `BIRD's session up ${String(up)} s`);
      });
    } catch (err) {
      failed = true;
      throw err;
    }
  });
});
