/**
 * RFC 8950 extended next hop with real FRR 8.4 peers. meshrr's client group has
 * `extendedNextHop: true`. Over IPv6 sessions carrying IPv4 unicast:
 * - frr-src (`neighbor ... capability extended-nexthop`) originates 100.77.0.0/24; FRR sends
 *   it to an extended-next-hop peer in MP_REACH_NLRI with its own IPv6 address as next hop;
 * - frr-enh negotiates the capability too and must receive the route with that IPv6 next hop;
 * - frr-plain does not negotiate it and must never receive the route.
 * BIRD, over IPv4, announces the sentinel 100.77.1.0/24 (IPv4 next hop) last: once frr-plain
 * holds it, meshrr has processed frr-src's route and decided not to send it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { PeerHandle } from '../helpers/peers/index.js';
import { bird, frr, missingPrerequisites } from '../helpers/peers/index.js';
import type { Topo } from './helpers-topo.js';
import { ASN, createTopo, guarded, routeAt, RR_ADDRESS6 } from './helpers-topo.js';

const skip = (await missingPrerequisites(['bird', 'frr'])) ?? false;

const SRC6 = '2001:db8::10';
const ENH6 = '2001:db8::11';
const PLAIN6 = '2001:db8::12';
const BIRD = '198.18.0.10';
const PREFIX = '100.77.0.0/24';
const SENTINEL = '100.77.1.0/24';

/** FRR config lines (appended to the generated file) turning on extended next hop towards meshrr. */
const ENH_CONFIG = `router bgp ${ASN}\n neighbor ${RR_ADDRESS6} capability extended-nexthop\n!`;
/** frr-src's route: a `network` without a next hop, so FRR puts its own address there. */
const SRC_ROUTE = `router bgp ${ASN}\n address-family ipv4 unicast\n  network ${PREFIX}\n exit-address-family\n!`;

describe('RFC 8950: IPv4 routes with IPv6 next hops only to peers that negotiated it', { skip, timeout: 300_000, concurrency: false }, () => {
  let topo: Topo | undefined;
  let enh: PeerHandle;
  let plain: PeerHandle;

  before(async () => {
    topo = await createTopo('enh', { ipv6: true, clientGroup: { extendedNextHop: true } });
    const t = topo;
    await guarded(t, async () => {
      for (const a of [SRC6, ENH6, PLAIN6, BIRD]) await t.address(a);
      const v4over6 = (a: string) => [t.meshrr(a, { families: ['ipv4-unicast'] })];
      const opts = (name: string, id: string, a: string, extraConfig?: string) => ({
        name,
        netns: t.ns,
        routerId: id,
        localAs: ASN,
        neighbors: v4over6(a),
        ...(extraConfig !== undefined ? { extraConfig } : {}),
      });
      enh = await t.lab.start(frr.start, opts('frr-enh', '198.18.0.11', ENH6, ENH_CONFIG));
      plain = await t.lab.start(frr.start, opts('frr-plain', '198.18.0.12', PLAIN6));
      for (const p of [enh, plain]) await t.established(p, [RR_ADDRESS6]);
      const src = await t.lab.start(frr.start, opts('frr-src', '198.18.0.13', SRC6, `${ENH_CONFIG}\n${SRC_ROUTE}`));
      await t.established(src, [RR_ADDRESS6]);
      // The sentinel last (TESTING-PEERS.md, STYLE.md §7).
      await routeAt(enh, PREFIX);
      const b = await t.lab.start(bird.start, { name: 'bird', netns: t.ns, routerId: BIRD, localAs: ASN, neighbors: [t.meshrr(BIRD)], routes: [{ prefix: SENTINEL, nextHop: BIRD }] });
      await t.established(b);
    });
  });

  after(async () => {
    await topo?.close();
  });

  test('frr-enh negotiated extended next hop with meshrr, frr-plain did not', async () => {
    await guarded(topo, async () => {
      const has = (raw: readonly string[]): boolean => raw.some((l) => l.startsWith('extendedNexthop: advertisedAndReceived'));
      const e = await enh.negotiatedCapabilities(RR_ADDRESS6);
      const p = await plain.negotiatedCapabilities(RR_ADDRESS6);
      assert.ok(has(e.raw), `frr-enh capabilities: ${e.raw.join('; ')}`);
      assert.ok(!has(p.raw), `frr-plain capabilities: ${p.raw.join('; ')}`);
      assert.ok(p.families.includes('ipv4-unicast'), 'frr-plain carries IPv4 unicast');
    });
  });

  test('frr-enh receives the IPv4 route with the IPv6 next hop', async () => {
    await guarded(topo, async () => {
      const r = await routeAt(enh, PREFIX);
      assert.equal(r.nextHop, SRC6);
      assert.equal(r.peer, RR_ADDRESS6);
    });
  });

  test('frr-plain gets the sentinel but never the route with the IPv6 next hop', async () => {
    await guarded(topo, async () => {
      await routeAt(plain, SENTINEL);
      await routeAt(enh, SENTINEL);
      assert.deepEqual(await plain.routes({ prefix: PREFIX }), []);
    });
  });
});
