/**
 * RFC 4456 reflection with real peers: BIRD, a client of meshrr, originates routes carrying
 * every attribute it can set (ORIGIN, AS_PATH, NEXT_HOP, MED, LOCAL_PREF, communities, large
 * communities); FRR and GoBGP (clients) and OpenBGPD (non-client) must receive them with
 * ORIGINATOR_ID = BIRD's router ID (not one of its addresses), CLUSTER_LIST = [meshrr's
 * client cluster ID], NEXT_HOP unchanged and every other attribute as BIRD set it, read from
 * each daemon's own RIB. Every daemon has an IPv4 and an IPv6 session to meshrr; one route is
 * IPv6 (MP_REACH_NLRI, RFC 4760), its next hop unchanged too.
 *
 * The whole run is captured with tshark inside the namespace; Wireshark's dissector then
 * decodes the UPDATEs meshrr sent (ORIGINATOR_ID, CLUSTER_LIST, NLRI), and the raw bytes of
 * every other attribute are compared with those of the UPDATE BIRD sent: byte-identical
 * (issue 5: "all other attributes byte-identical").
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { BgpRoute, PeerHandle, RouteSpec } from '../helpers/peers/index.js';
import { bird, formatVersions, frr, gobgp, missingPrerequisites, openbgpd, versions } from '../helpers/peers/index.js';
import type { Capture } from './helpers-tshark.js';
import { attributeTrees, dissect, fieldValues, rawAttributes, startCapture } from './helpers-tshark.js';
import type { Topo } from './helpers-topo.js';
import { ASN, attrs, CLUSTER_ID, createTopo, guarded, routeAt, RR_ADDRESS, RR_ADDRESS6 } from './helpers-topo.js';

const skip = (await missingPrerequisites(['bird', 'frr', 'gobgp', 'openbgpd'])) ?? false;

const BIRD = '198.18.0.10';
const FRR = '198.18.0.11';
const GOBGP = '198.18.0.12';
const OBGPD = '198.18.0.130';
const BIRD6 = '2001:db8::10';
/** BIRD's BGP identifier, not one of its addresses: ORIGINATOR_ID must be this (RFC 4456 §8). */
const BIRD_ID = '10.0.0.10';
const FRR6 = '2001:db8::11';
const GOBGP6 = '2001:db8::12';
const OBGPD6 = '2001:db8::82';

const ROUTES: readonly RouteSpec[] = [
  {
    prefix: '203.0.113.0/24',
    nextHop: BIRD,
    origin: 'egp',
    asPath: [64511, 65010, 4200000001],
    med: 50,
    localPref: 150,
    communities: ['64496:101', '65000:7'],
    largeCommunities: ['64496:1:2', '4200000001:3:4'],
  },
  { prefix: '198.51.100.0/24', nextHop: BIRD, origin: 'incomplete', med: 0, localPref: 90, communities: ['64496:666', '64511:0'] },
  { prefix: '2001:db8:f00::/48', nextHop: BIRD6, origin: 'igp', asPath: [65020], med: 7, localPref: 110, communities: ['64496:6'], largeCommunities: ['64496:6:6'] },
];
const v6 = (prefix: string): boolean => prefix.includes(':');

describe('reflection of every attribute BIRD sets', { skip, timeout: 300_000 }, () => {
  let topo: Topo | undefined;
  let capture: Capture | undefined;
  let receivers: PeerHandle[] = [];

  before(async () => {
    topo = await createTopo('attrs', { nonClients: [OBGPD, OBGPD6], ipv6: true });
    const t = topo;
    await guarded(t, async () => {
      for (const a of [BIRD, FRR, GOBGP, OBGPD, BIRD6, FRR6, GOBGP6, OBGPD6]) await t.address(a);
      capture = await startCapture(t.ns, t.lab.tmp.join('bgp.pcapng'), { logFile: t.lab.tmp.join('tshark.log') });
      // One IPv4 and one IPv6 session to meshrr per daemon.
      const opts = (name: string, a4: string, a6: string) => ({ name, netns: t.ns, routerId: a4, localAs: ASN, neighbors: [t.meshrr(a4), t.meshrr(a6)] });
      const f = await t.lab.start(frr.start, opts('frr', FRR, FRR6));
      const g = await t.lab.start(gobgp.start, opts('gobgp', GOBGP, GOBGP6));
      const o = await t.lab.start(openbgpd.start, opts('obgpd', OBGPD, OBGPD6));
      receivers = [f, g, o];
      const both = [RR_ADDRESS, RR_ADDRESS6];
      for (const p of receivers) await t.established(p, both);
      // BIRD last: the receivers are up, so they get the routes in meshrr's first UPDATEs.
      const b = await t.lab.start(bird.start, { ...opts('bird', BIRD, BIRD6), routerId: BIRD_ID, routes: ROUTES });
      await t.established(b, both);
    });
  });

  after(async () => {
    await capture?.stop().catch(() => undefined);
    await topo?.close();
  });

  test('daemon versions', async (t) => {
    t.diagnostic(formatVersions(await versions()));
  });

  for (const spec of ROUTES) {
    test(`${spec.prefix} reaches FRR, GoBGP (clients) and OpenBGPD (non-client) reflected, attributes intact`, async () => {
      await guarded(topo, async () => {
        const want = {
          nextHop: spec.nextHop,
          asPath: [...(spec.asPath ?? [])],
          origin: spec.origin,
          communities: [...(spec.communities ?? [])].sort(),
          largeCommunities: [...(spec.largeCommunities ?? [])].sort(),
          localPref: spec.localPref,
          med: spec.med,
        };
        for (const p of receivers) {
          const r: BgpRoute = await routeAt(p, spec.prefix);
          assert.deepEqual(attrs(r), want, `${p.kind}: attributes of ${spec.prefix}`);
          assert.equal(r.originatorId, BIRD_ID, `${p.kind}: ORIGINATOR_ID`);
          assert.deepEqual(r.clusterList, [CLUSTER_ID], `${p.kind}: CLUSTER_LIST`);
          assert.equal(r.peer, v6(spec.prefix) ? RR_ADDRESS6 : RR_ADDRESS, `${p.kind}: learned from meshrr`);
          assert.equal((await p.routes({ prefix: spec.prefix })).length, 1, `${p.kind}: one path`);
        }
      });
    });
  }

  test('tshark decodes the UPDATEs meshrr sent: ORIGINATOR_ID, CLUSTER_LIST, other attributes byte-identical to BIRD\'s', async () => {
    await guarded(topo, async () => {
      const cap = capture;
      assert.ok(cap !== undefined);
      await cap.stop();
      const updates = await dissect(cap.file, 'bgp.type == 2 && (bgp.nlri_prefix || bgp.mp_reach_nlri_ipv6_prefix)');
      for (const spec of ROUTES) {
        const six = v6(spec.prefix);
        const [net] = spec.prefix.split('/');
        const has = (u: { bgp: Record<string, unknown> }): boolean =>
          fieldValues(u.bgp, six ? 'bgp.mp_reach_nlri_ipv6_prefix' : 'bgp.nlri_prefix').includes(net ?? '');
        const [birdAddr, rrAddr] = six ? [BIRD6, RR_ADDRESS6] : [BIRD, RR_ADDRESS];
        const sent = updates.filter((u) => u.src === birdAddr && u.dst === rrAddr && has(u));
        assert.equal(sent.length, 1, `BIRD sent ${spec.prefix} once`);
        assert.deepEqual(updates.filter((u) => u.src === rrAddr && u.dst === birdAddr && has(u)), [], `meshrr did not send ${spec.prefix} back to BIRD`);
        // Type codes 9 and 10 are what meshrr adds; MP_REACH_NLRI (14) is rebuilt around the
        // NLRI by meshrr's packer, so its next hop is compared instead.
        const typeOf = (hex: string): number => parseInt(hex.slice(2, 4), 16);
        const birdRaw = rawAttributes(sent[0]?.bgp ?? {});
        const birdKept = birdRaw.filter((h) => typeOf(h) !== 14);
        assert.ok(birdKept.length >= 5, `BIRD's attributes: ${birdRaw.join(' ')}`);
        for (const dst of six ? [FRR6, GOBGP6, OBGPD6] : [FRR, GOBGP, OBGPD]) {
          const out = updates.filter((u) => u.src === rrAddr && u.dst === dst && has(u));
          assert.equal(out.length, 1, `meshrr sent ${spec.prefix} to ${dst} once`);
          const u = out[0]?.bgp ?? {};
          assert.deepEqual(fieldValues(u, 'bgp.update.path_attribute.originator_id'), [BIRD_ID], `ORIGINATOR_ID to ${dst}`);
          assert.deepEqual(fieldValues(u, 'bgp.path_attribute.cluster_id'), [CLUSTER_ID], `CLUSTER_LIST to ${dst}`);
          const nh = six ? 'bgp.update.path_attribute.mp_reach_nlri.next_hop.ipv6' : 'bgp.update.path_attribute.next_hop';
          assert.deepEqual(fieldValues(u, nh), [spec.nextHop], `NEXT_HOP to ${dst}`);
          const rest = rawAttributes(u).filter((h) => ![9, 10, 14].includes(typeOf(h)));
          assert.deepEqual([...rest].sort(), [...birdKept].sort(), `attributes to ${dst} byte-identical to BIRD's`);
          assert.equal(attributeTrees(u).length, birdRaw.length + 2, `BIRD's attributes plus ORIGINATOR_ID and CLUSTER_LIST to ${dst}`);
        }
      }
    });
  });
});
