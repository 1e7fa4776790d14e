/**
 * RFC 4456 rules with real peers around meshrr: four clients (BIRD, FRR, GoBGP, ExaBGP) and
 * two non-clients (OpenBGPD, ExaBGP), all in AS 64496.
 * 1. A non-client's routes reach the clients only, never the other non-client (§6).
 * 2. A route whose CLUSTER_LIST holds one of meshrr's cluster IDs, or whose ORIGINATOR_ID is
 *    meshrr's router ID, is dropped (§8); a foreign CLUSTER_LIST / ORIGINATOR_ID is kept and
 *    the list grows by exactly meshrr's cluster ID.
 * 3. Withdrawals and implicit withdrawals (re-announce with other attributes) propagate.
 * 4. A better path (higher LOCAL_PREF from another client) replaces the best everywhere, its
 *    sender stops receiving the prefix; withdrawing it brings the old best back.
 * 5. Session loss withdraws the peer's routes everywhere (a backup path becomes the best
 *    where there is one): GoBGP (no graceful restart) stopped; FRR and BIRD, which advertise
 *    graceful restart in helper mode only (no address family in the capability, their
 *    defaults), stopped and killed with SIGKILL.
 * Absence is proven with sentinels (STYLE.md §7): a route announced after the one that must
 * not arrive, over the same sessions; once the sentinel is there, the other would be too.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { BgpRoute, PeerHandle } from '../helpers/peers/index.js';
import { bird, exabgp, frr, gobgp, missingPrerequisites, openbgpd } from '../helpers/peers/index.js';
import type { BirdPeer } from '../helpers/peers/bird.js';
import type { ExabgpPeer } from '../helpers/peers/exabgp.js';
import type { FrrPeer } from '../helpers/peers/frr.js';
import type { GobgpPeer } from '../helpers/peers/gobgp.js';
import type { OpenbgpdPeer } from '../helpers/peers/openbgpd.js';
import { pollUntil } from '../helpers/poll.js';
import type { Topo } from './helpers-topo.js';
import { ASN, CLUSTER_ID, createTopo, guarded, routeAt, routeGone, RR_ID } from './helpers-topo.js';

const skip = (await missingPrerequisites()) ?? false;

const A = { bird: '198.18.0.10', frr: '198.18.0.11', gobgp: '198.18.0.12', exa: '198.18.0.13', obgpd: '198.18.0.130', exanc: '198.18.0.131' } as const;

interface Peers {
  bird: BirdPeer;
  frr: FrrPeer;
  gobgp: GobgpPeer;
  exa: ExabgpPeer;
  obgpd: OpenbgpdPeer;
  exanc: ExabgpPeer;
}

/** Reflected as meshrr must: from `origin` (its router ID = its address), through cluster 10.255.0.1. */
const reflectedFrom =
  (origin: string, extra: (r: BgpRoute) => boolean = () => true) =>
  (r: BgpRoute): boolean =>
    r.originatorId === origin && r.clusterList.join() === CLUSTER_ID && r.nextHop === origin && extra(r);

describe('RFC 4456 reflection rules with real clients and non-clients', { skip, timeout: 400_000, concurrency: false }, () => {
  let topo: Topo | undefined;
  let p: Peers;
  let all: PeerHandle[] = [];
  const others = (x: PeerHandle): PeerHandle[] => all.filter((y) => y !== x);

  before(async () => {
    topo = await createTopo('reflect', { nonClients: [A.obgpd, A.exanc] });
    const t = topo;
    await guarded(t, async () => {
      for (const a of Object.values(A)) await t.address(a);
      const base = (name: string, addr: string) => ({ name, netns: t.ns, routerId: addr, localAs: ASN, neighbors: [t.meshrr(addr)] });
      p = {
        bird: await t.lab.start(bird.start, base('bird', A.bird)),
        frr: await t.lab.start(frr.start, base('frr', A.frr)),
        gobgp: await t.lab.start(gobgp.start, base('gobgp', A.gobgp)),
        exa: await t.lab.start(exabgp.start, base('exa', A.exa)),
        obgpd: await t.lab.start(openbgpd.start, base('obgpd', A.obgpd)),
        exanc: await t.lab.start(exabgp.start, base('exanc', A.exanc)),
      };
      all = Object.values(p);
      for (const d of all) await t.established(d);
    });
  });

  after(async () => {
    await topo?.close();
  });

  test('a non-client\'s routes reach the clients only', async () => {
    await guarded(topo, async () => {
      await p.obgpd.announce({ prefix: '100.64.1.0/24', nextHop: A.obgpd, communities: ['64496:1'] });
      await p.exanc.announce({ prefix: '100.64.2.0/24', nextHop: A.exanc, communities: ['64496:2'] });
      for (const c of [p.bird, p.frr, p.gobgp, p.exa]) {
        await routeAt(c, '100.64.1.0/24', reflectedFrom(A.obgpd, (r) => r.communities.join() === '64496:1'));
        await routeAt(c, '100.64.2.0/24', reflectedFrom(A.exanc, (r) => r.communities.join() === '64496:2'));
      }
      // Sentinel from a client, announced after both reached the clients.
      await p.bird.announce({ prefix: '100.64.255.0/24', nextHop: A.bird });
      await routeAt(p.obgpd, '100.64.255.0/24', reflectedFrom(A.bird));
      await routeAt(p.exanc, '100.64.255.0/24', reflectedFrom(A.bird));
      assert.deepEqual(await p.obgpd.routes({ prefix: '100.64.2.0/24' }), [], 'OpenBGPD (non-client) got ExaBGP\'s (non-client) route');
      assert.deepEqual(await p.exanc.routes({ prefix: '100.64.1.0/24' }), [], 'ExaBGP (non-client) got OpenBGPD\'s (non-client) route');
    });
  });

  test('a route looping through meshrr\'s cluster is dropped; a foreign CLUSTER_LIST grows by one', async () => {
    await guarded(topo, async () => {
      const nh = `next-hop ${A.exa}`;
      await p.exa.command(`announce route 100.64.3.0/24 ${nh} cluster-list [ 192.0.2.77 ${CLUSTER_ID} ]`);
      await p.exa.command(`announce route 100.64.4.0/24 ${nh} cluster-list [ ${RR_ID} ]`);
      await p.exa.command(`announce route 100.64.5.0/24 ${nh} originator-id ${RR_ID}`);
      await p.exa.command(`announce route 100.64.6.0/24 ${nh} originator-id 192.0.2.66 cluster-list [ 192.0.2.77 192.0.2.78 ]`);
      await p.exa.command(`announce route 100.64.7.0/24 ${nh} community [ 64496:7 ]`);
      for (const d of others(p.exa)) {
        // The sentinel: sent after the three looped routes on the same session.
        await routeAt(d, '100.64.7.0/24', reflectedFrom(A.exa));
        const foreign = await routeAt(d, '100.64.6.0/24');
        assert.equal(foreign.originatorId, '192.0.2.66', `${d.kind}: ORIGINATOR_ID kept`);
        assert.deepEqual(foreign.clusterList, [CLUSTER_ID, '192.0.2.77', '192.0.2.78'], `${d.kind}: CLUSTER_LIST prepended once`);
        for (const looped of ['100.64.3.0/24', '100.64.4.0/24', '100.64.5.0/24']) {
          assert.deepEqual(await d.routes({ prefix: looped }), [], `${d.kind} ${d.name} got looped route ${looped}`);
        }
      }
    });
  });

  test('withdrawals and implicit withdrawals propagate', async () => {
    await guarded(topo, async () => {
      const prefix = '100.64.10.0/24';
      await p.bird.announce({ prefix, nextHop: A.bird, communities: ['64496:10'], med: 10 });
      for (const d of others(p.bird)) await routeAt(d, prefix, reflectedFrom(A.bird, (r) => r.med === 10 && r.communities.join() === '64496:10'));
      // Implicit withdraw: the same prefix again with other attributes replaces the route.
      await p.bird.announce({ prefix, nextHop: A.bird, communities: ['64496:11', '64496:12'], med: 11, localPref: 120, asPath: [64510], origin: 'incomplete' });
      const changed = (r: BgpRoute): boolean =>
        r.med === 11 && r.localPref === 120 && r.asPath.join() === '64510' && r.origin === 'incomplete' && [...r.communities].sort().join() === '64496:11,64496:12';
      for (const d of others(p.bird)) {
        await routeAt(d, prefix, reflectedFrom(A.bird, changed));
        assert.equal((await d.routes({ prefix })).length, 1, `${d.kind}: the new route replaced the old one`);
      }
      await p.bird.withdraw(prefix);
      for (const d of others(p.bird)) await routeGone(d, prefix);
    });
  });

  test('a better path from another client replaces the best at every peer', async () => {
    await guarded(topo, async () => {
      const prefix = '100.64.20.0/24';
      await p.frr.announce({ prefix, nextHop: A.frr, localPref: 100 });
      for (const d of others(p.frr)) await routeAt(d, prefix, reflectedFrom(A.frr, (r) => r.localPref === 100));
      await p.gobgp.announce({ prefix, nextHop: A.gobgp, localPref: 200 });
      for (const d of others(p.gobgp)) {
        await routeAt(d, prefix, reflectedFrom(A.gobgp, (r) => r.localPref === 200));
        assert.equal((await d.routes({ prefix })).length, 1, `${d.kind}: only the new best`);
      }
      // meshrr never sends a route back to the peer it learned it from: GoBGP's copy of FRR's path goes.
      await routeGone(p.gobgp, prefix);
      // The better path withdrawn: FRR's becomes the best again, everywhere.
      await p.gobgp.withdraw(prefix);
      for (const d of others(p.frr)) await routeAt(d, prefix, reflectedFrom(A.frr, (r) => r.localPref === 100));
      await routeGone(p.frr, prefix);
      await p.frr.withdraw(prefix);
      for (const d of all) await routeGone(d, prefix);
    });
  });

  test('session loss: a peer without graceful restart stops, its routes go everywhere, backups take over', async () => {
    await guarded(topo, async () => {
      const prefix = '100.64.30.0/24';
      // GoBGP holds the best path of `backed` (LOCAL_PREF 200); ExaBGP has a worse one.
      const backed = '100.64.32.0/24';
      await p.exa.announce({ prefix: backed, nextHop: A.exa, localPref: 50 });
      for (const d of others(p.exa)) await routeAt(d, backed, reflectedFrom(A.exa));
      await p.gobgp.announce({ prefix, nextHop: A.gobgp, communities: ['64496:30'] });
      await p.gobgp.announce({ prefix: backed, nextHop: A.gobgp, localPref: 200 });
      for (const d of others(p.gobgp)) {
        await routeAt(d, prefix, reflectedFrom(A.gobgp));
        await routeAt(d, backed, reflectedFrom(A.gobgp, (r) => r.localPref === 200));
      }
      const caps = await p.gobgp.negotiatedCapabilities('198.18.0.1');
      assert.equal(caps.gracefulRestart, false, 'GoBGP negotiated no graceful restart');
      await p.gobgp.stop();
      all = all.filter((d) => d !== p.gobgp);
      for (const d of all) await routeGone(d, prefix);
      // The backup becomes the best: every peer but its sender gets it, the sender loses GoBGP's.
      for (const d of others(p.exa)) await routeAt(d, backed, reflectedFrom(A.exa, (r) => r.localPref === 50));
      await routeGone(p.exa, backed);
    });
  });

  test('session loss: FRR (graceful-restart helper only) stopped, its routes go everywhere', async () => {
    await guarded(topo, async () => {
      // FRR advertises graceful restart with the N bit (RFC 8538) and no address family: it
      // preserves no forwarding state, so whatever NOTIFICATION it ends with, meshrr must
      // not keep its routes (RFC 4724 §4.2 retains only the families listed).
      const prefix = '100.64.31.0/24';
      await p.frr.announce({ prefix, nextHop: A.frr, communities: ['64496:31'] });
      for (const d of others(p.frr)) await routeAt(d, prefix, reflectedFrom(A.frr));
      await p.frr.stop();
      all = all.filter((d) => d !== p.frr);
      for (const d of all) await routeGone(d, prefix);
    });
  });

  test('session loss: a graceful-restart helper (no address family in its capability) killed, its routes go everywhere', async () => {
    await guarded(topo, async () => {
      // BIRD advertises graceful restart "aware" (RFC 4724 §3 capability without any AFI/SAFI),
      // so it preserves no forwarding state and meshrr must not keep its routes (§4.2).
      const prefix = '100.64.255.0/24';
      for (const d of others(p.bird)) await routeAt(d, prefix, reflectedFrom(A.bird));
      assert.equal((await p.bird.negotiatedCapabilities('198.18.0.1')).gracefulRestart, true, 'BIRD negotiated graceful restart');
      p.bird.signal('SIGKILL');
      await pollUntil(() => p.bird.exited, { what: 'BIRD exited after SIGKILL', timeoutMs: 10_000 });
      all = all.filter((d) => d !== p.bird);
      for (const d of all) await routeGone(d, prefix);
    });
  });
});
