/**
 * Graceful restart helper mode (RFC 4724 §4.2) with real peers: ExaBGP clients advertise the
 * capability with IPv4 unicast and the Forwarding State bit; FRR (client) and OpenBGPD
 * (non-client) receive their routes through meshrr.
 * 1. ExaBGP killed with SIGKILL (no NOTIFICATION, the TCP connection just ends): meshrr keeps
 *    its routes as stale, so FRR and OpenBGPD still have them while it is down. Started
 *    again, it re-announces the routes of its config, then End-of-RIB; the route it had
 *    announced at run time, which it does not re-announce, is swept and withdrawn then, not
 *    before. The capture shows the order: meshrr never withdraws the re-announced route, and
 *    withdraws the other only after ExaBGP's End-of-RIB.
 * 2. ExaBGP advertising a 5 s restart time killed and not started again: once its restart
 *    time has passed without a new session, its stale routes go (§4.2: "If the session does
 *    not get re-established within the Restart Time that the peer advertised previously, the
 *    Receiving Speaker MUST delete all the stale routes from the peer").
 * 3. ExaBGPs killed, then their addresses reconnect with the test's own speaker
 *    (helpers-injector.ts), once without the capability and once with the Forwarding State
 *    bit clear for IPv4 unicast: the stale routes go as soon as the new session is up (§4.2:
 *    "...the Receiving Speaker MUST immediately remove all the stale routes from the peer
 *    that it is retaining for that address family").
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { BgpRoute } from '../helpers/peers/index.js';
import { exabgp, frr, missingPrerequisites, openbgpd } from '../helpers/peers/index.js';
import type { ExabgpPeer } from '../helpers/peers/exabgp.js';
import type { FrrPeer } from '../helpers/peers/frr.js';
import type { OpenbgpdPeer } from '../helpers/peers/openbgpd.js';
import { pollUntil } from '../helpers/poll.js';
import type { Injector } from './helpers-injector.js';
import { startInjector } from './helpers-injector.js';
import type { Capture } from './helpers-tshark.js';
import { dissect, fieldValues, startCapture } from './helpers-tshark.js';
import type { Topo } from './helpers-topo.js';
import { ASN, createTopo, guarded, routeAt, routeGone, RR_ADDRESS } from './helpers-topo.js';

const skip = (await missingPrerequisites(['exabgp', 'frr', 'openbgpd'])) ?? false;

const EXA = '198.18.0.20';
const EXA_SHORT = '198.18.0.21';
const FRR = '198.18.0.11';
const OBGPD = '198.18.0.130';
/** In ExaBGP's config: re-announced after the restart. */
const KEPT = '100.65.1.0/24';
/** Announced at run time through ExaBGP's API: gone from its config after the restart. */
const SWEPT = '100.65.2.0/24';
const SHORT = '100.65.5.0/24';
/** Killed, then replaced by a speaker without the capability / with the F bit clear. */
const EXA_NO_GR = '198.18.0.22';
const EXA_NO_F = '198.18.0.23';
const NO_GR = '100.65.6.0/24';
const NO_F = '100.65.7.0/24';

const from = (origin: string) => (r: BgpRoute) => r.originatorId === origin && r.nextHop === origin;

describe('graceful restart helper with real restarting peers', { skip, timeout: 300_000, concurrency: false }, () => {
  let topo: Topo | undefined;
  let capture: Capture | undefined;
  let exa: ExabgpPeer;
  let exaShort: ExabgpPeer;
  let exaNoGr: ExabgpPeer;
  let exaNoF: ExabgpPeer;
  const injectors: Injector[] = [];
  let f: FrrPeer;
  let o: OpenbgpdPeer;

  before(async () => {
    topo = await createTopo('gr', { nonClients: [OBGPD] });
    const t = topo;
    await guarded(t, async () => {
      for (const a of [EXA, EXA_SHORT, EXA_NO_GR, EXA_NO_F, FRR, OBGPD]) await t.address(a);
      capture = await startCapture(t.ns, t.lab.tmp.join('bgp.pcapng'), { logFile: t.lab.tmp.join('tshark.log') });
      f = await t.lab.start(frr.start, { name: 'frr', netns: t.ns, routerId: FRR, localAs: ASN, neighbors: [t.meshrr(FRR)] });
      o = await t.lab.start(openbgpd.start, { name: 'obgpd', netns: t.ns, routerId: OBGPD, localAs: ASN, neighbors: [t.meshrr(OBGPD)] });
      exa = await t.lab.start(exabgp.start, {
        name: 'exa',
        netns: t.ns,
        routerId: EXA,
        localAs: ASN,
        neighbors: [t.meshrr(EXA, { gracefulRestart: 120 })],
        routes: [{ prefix: KEPT, nextHop: EXA, communities: ['64496:1'] }],
      });
      const grExa = (name: string, a: string, restart: number, prefix: string) =>
        t.lab.start(exabgp.start, { name, netns: t.ns, routerId: a, localAs: ASN, neighbors: [t.meshrr(a, { gracefulRestart: restart })], routes: [{ prefix, nextHop: a }] });
      exaShort = await grExa('exashort', EXA_SHORT, 5, SHORT);
      exaNoGr = await grExa('exanogr', EXA_NO_GR, 120, NO_GR);
      exaNoF = await grExa('exanof', EXA_NO_F, 120, NO_F);
      for (const d of [f, o, exa, exaShort, exaNoGr, exaNoF]) await t.established(d);
    });
  });

  after(async () => {
    for (const i of injectors) await i.stop().catch(() => undefined);
    await capture?.stop().catch(() => undefined);
    await topo?.close();
  });

  test('a killed peer\'s routes stay while it restarts; what it does not re-announce is swept at its End-of-RIB', async () => {
    await guarded(topo, async () => {
      const t = topo;
      assert.ok(t !== undefined);
      const caps = await exa.negotiatedCapabilities('198.18.0.1');
      assert.ok(caps.gracefulRestart, `ExaBGP negotiated graceful restart: ${caps.raw.join(', ')}`);
      await exa.command(`announce route ${SWEPT} next-hop ${EXA} community [ 64496:2 ]`);
      for (const d of [f, o]) {
        await routeAt(d, KEPT, from(EXA));
        await routeAt(d, SWEPT, from(EXA));
      }

      exa.signal('SIGKILL');
      await pollUntil(() => exa.exited, { what: 'ExaBGP exited after SIGKILL', timeoutMs: 10_000 });
      await t.rr.waitLog('fsmTransition', (l) => l['peer'] === EXA && l['from'] === 'Established' && l['to'] === 'Idle');
      // Sentinels sent after meshrr saw the session end: had it withdrawn ExaBGP's routes, the
      // withdrawals would have reached FRR and OpenBGPD before these.
      await f.announce({ prefix: '100.65.254.0/24', nextHop: FRR });
      await o.announce({ prefix: '100.65.253.0/24', nextHop: OBGPD });
      await routeAt(o, '100.65.254.0/24', from(FRR));
      await routeAt(f, '100.65.253.0/24', from(OBGPD));
      for (const d of [f, o]) {
        for (const prefix of [KEPT, SWEPT]) assert.equal((await d.routes({ prefix })).length, 1, `${d.kind} still has ${prefix} while ExaBGP is down`);
      }

      await exa.restart();
      await t.established(exa);
      await t.rr.waitLog('staleRoutesSwept', (l) => l['peer'] === EXA);
      for (const d of [f, o]) {
        await routeGone(d, SWEPT);
        await routeAt(d, KEPT, from(EXA));
      }
    });
  });

  test('the capture: the re-announced route is never withdrawn, the other only after ExaBGP\'s End-of-RIB', async () => {
    await guarded(topo, async () => {
      const cap = capture;
      assert.ok(cap !== undefined);
      await cap.stop();
      const updates = await dissect(cap.file, 'bgp.type == 2');
      const net = (p: string): string => p.split('/')[0] ?? '';
      const withdrawn = (u: { bgp: Record<string, unknown> }, p: string): boolean => fieldValues(u.bgp, 'bgp.withdrawn_prefix').includes(net(p));
      const toReceivers = updates.filter((u) => u.src === '198.18.0.1' && (u.dst === FRR || u.dst === OBGPD));
      assert.deepEqual(toReceivers.filter((u) => withdrawn(u, KEPT)), [], `meshrr never withdrew ${KEPT}`);
      const sweptWithdrawals = toReceivers.filter((u) => withdrawn(u, SWEPT));
      assert.deepEqual(sweptWithdrawals.map((u) => u.dst).sort(), [FRR, OBGPD], `meshrr withdrew ${SWEPT} once from each receiver`);
      // End-of-RIB (RFC 4724 §2): an UPDATE with no withdrawn routes, no attributes, no NLRI.
      const eors = updates.filter((u) => u.src === EXA && fieldValues(u.bgp, 'bgp.length').join() === '23');
      assert.ok(eors.length >= 2, `ExaBGP sent End-of-RIB on both sessions (${eors.length})`);
      const lastEor = Math.max(...eors.map((u) => u.frame));
      for (const w of sweptWithdrawals) assert.ok(w.frame > lastEor, `withdrawal of ${SWEPT} to ${w.dst} (frame ${w.frame}) after the End-of-RIB (frame ${lastEor})`);
      const reannounced = updates.filter((u) => u.src === EXA && fieldValues(u.bgp, 'bgp.nlri_prefix').includes(net(KEPT)));
      assert.ok(reannounced.some((u) => u.frame < lastEor), `ExaBGP re-announced ${KEPT} before its End-of-RIB`);
    });
  });

  test('a peer that does not come back within its restart time loses its stale routes', async () => {
    await guarded(topo, async () => {
      const t = topo;
      assert.ok(t !== undefined);
      for (const d of [f, o]) await routeAt(d, SHORT, from(EXA_SHORT));
      exaShort.signal('SIGKILL');
      await pollUntil(() => exaShort.exited, { what: 'ExaBGP (restart time 5 s) exited after SIGKILL', timeoutMs: 10_000 });
      const down = await t.rr.waitLog('fsmTransition', (l) => l['peer'] === EXA_SHORT && l['from'] === 'Established' && l['to'] === 'Idle');
      // Restart time 5 s, plus generous slack for the daemons' own processing.
      for (const d of [f, o]) await routeGone(d, SHORT, 25_000);
      const waited = (Date.now() - Number(down['time'])) / 1000;
      assert.ok(waited >= 4, `stale routes kept for the restart time first (went after ${waited.toFixed(1)} s)`);
    });
  });

  test('a peer that comes back without graceful restart, or with the F bit clear, loses its stale routes at once', async () => {
    await guarded(topo, async () => {
      const t = topo;
      assert.ok(t !== undefined);
      for (const [d, prefix] of [[exaNoGr, NO_GR], [exaNoF, NO_F]] as const) {
        for (const r of [f, o]) await routeAt(r, prefix, from(d.name === 'exanogr' ? EXA_NO_GR : EXA_NO_F));
        d.signal('SIGKILL');
        await pollUntil(() => d.exited, { what: `${d.name} exited after SIGKILL`, timeoutMs: 10_000 });
      }
      for (const a of [EXA_NO_GR, EXA_NO_F]) await t.rr.waitLog('fsmTransition', (l) => l['peer'] === a && l['from'] === 'Established' && l['to'] === 'Idle');
      // Kept as stale meanwhile (sentinel from FRR, sent after meshrr saw both sessions end).
      await f.announce({ prefix: '100.65.252.0/24', nextHop: FRR });
      await routeAt(o, '100.65.252.0/24', from(FRR));
      for (const prefix of [NO_GR, NO_F]) assert.equal((await o.routes({ prefix })).length, 1, `OpenBGPD still has ${prefix} while its peer is down`);
      // The same addresses come back: one speaker without the capability, one whose
      // capability lists IPv4 unicast with the Forwarding State bit clear. Neither sends
      // End-of-RIB, so only the RFC 4724 §4.2 rule on the new OPEN can remove the stale routes.
      injectors.push(startInjector(t.ns, { local: EXA_NO_GR, remote: RR_ADDRESS, port: 179, asn: ASN, eor: false }));
      injectors.push(startInjector(t.ns, { local: EXA_NO_F, remote: RR_ADDRESS, port: 179, asn: ASN, eor: false, gracefulRestart: { forwardingPreserved: false } }));
      for (const i of injectors) await i.waitFor('sent', 60_000);
      for (const r of [f, o]) {
        await routeGone(r, NO_GR, 15_000);
        await routeGone(r, NO_F, 15_000);
      }
    });
  });
});
