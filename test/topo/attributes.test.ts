/**
 * RFC 4456 reflection with real peers: BIRD, a client of meshrr, originates routes carrying
 * every attribute it can set (ORIGIN, AS_PATH, NEXT_HOP, MED, LOCAL_PREF, communities, large
 * communities); FRR and GoBGP (clients) and OpenBGPD (non-client) must receive them with
 * ORIGINATOR_ID = BIRD's router ID, CLUSTER_LIST = [meshrr's client cluster ID], NEXT_HOP
 * unchanged and every other attribute as BIRD set it, read from each daemon's own RIB.
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
import { ASN, attrs, CLUSTER_ID, createTopo, guarded, routeAt, RR_ADDRESS } from './helpers-topo.js';

const skip = (await missingPrerequisites(['bird', 'frr', 'gobgp', 'openbgpd'])) ?? false;

const BIRD = '198.18.0.10';
const FRR = '198.18.0.11';
const GOBGP = '198.18.0.12';
const OBGPD = '198.18.0.130';

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
];

describe('reflection of every attribute BIRD sets', { skip, timeout: 300_000 }, () => {
  let topo: Topo | undefined;
  let capture: Capture | undefined;
  let receivers: PeerHandle[] = [];

  before(async () => {
    topo = await createTopo('attrs', { nonClients: [OBGPD] });
    const t = topo;
    await guarded(t, async () => {
      for (const a of [BIRD, FRR, GOBGP, OBGPD]) await t.address(a);
      capture = await startCapture(t.ns, t.lab.tmp.join('bgp.pcapng'), { logFile: t.lab.tmp.join('tshark.log') });
      const f = await t.lab.start(frr.start, { name: 'frr', netns: t.ns, routerId: FRR, localAs: ASN, neighbors: [t.meshrr(FRR)] });
      const g = await t.lab.start(gobgp.start, { name: 'gobgp', netns: t.ns, routerId: GOBGP, localAs: ASN, neighbors: [t.meshrr(GOBGP)] });
      const o = await t.lab.start(openbgpd.start, { name: 'obgpd', netns: t.ns, routerId: OBGPD, localAs: ASN, neighbors: [t.meshrr(OBGPD)] });
      receivers = [f, g, o];
      for (const p of receivers) await t.established(p);
      // BIRD last: the receivers are up, so they get the routes in meshrr's first UPDATEs.
      const b = await t.lab.start(bird.start, { name: 'bird', netns: t.ns, routerId: BIRD, localAs: ASN, neighbors: [t.meshrr(BIRD)], routes: ROUTES });
      await t.established(b);
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
          nextHop: BIRD,
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
          assert.equal(r.originatorId, BIRD, `${p.kind}: ORIGINATOR_ID`);
          assert.deepEqual(r.clusterList, [CLUSTER_ID], `${p.kind}: CLUSTER_LIST`);
          assert.equal(r.peer, RR_ADDRESS, `${p.kind}: learned from meshrr`);
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
      const updates = await dissect(cap.file, 'bgp.type == 2 && bgp.nlri_prefix');
      const fromBird = updates.filter((u) => u.src === BIRD && u.dst === RR_ADDRESS);
      const fromRr = updates.filter((u) => u.src === RR_ADDRESS);
      for (const spec of ROUTES) {
        const [net] = spec.prefix.split('/');
        const has = (u: { bgp: Record<string, unknown> }): boolean => fieldValues(u.bgp, 'bgp.nlri_prefix').includes(net ?? '');
        const sent = fromBird.filter(has);
        assert.equal(sent.length, 1, `BIRD sent ${spec.prefix} once`);
        const birdRaw = rawAttributes(sent[0]?.bgp ?? {});
        assert.ok(birdRaw.length >= 5, `BIRD's attributes: ${birdRaw.join(' ')}`);
        for (const dst of [FRR, GOBGP, OBGPD]) {
          const out = fromRr.filter((u) => u.dst === dst && has(u));
          assert.equal(out.length, 1, `meshrr sent ${spec.prefix} to ${dst} once`);
          const u = out[0]?.bgp ?? {};
          assert.deepEqual(fieldValues(u, 'bgp.update.path_attribute.originator_id'), [BIRD], `ORIGINATOR_ID to ${dst}`);
          assert.deepEqual(fieldValues(u, 'bgp.path_attribute.cluster_id'), [CLUSTER_ID], `CLUSTER_LIST to ${dst}`);
          assert.deepEqual(fieldValues(u, 'bgp.update.path_attribute.next_hop'), [BIRD], `NEXT_HOP to ${dst}`);
          // Attribute type codes 9 and 10 are the ones meshrr adds; the rest must be BIRD's bytes.
          const typeOf = (hex: string): number => parseInt(hex.slice(2, 4), 16);
          const rest = rawAttributes(u).filter((h) => typeOf(h) !== 9 && typeOf(h) !== 10);
          assert.deepEqual([...rest].sort(), [...birdRaw].sort(), `attributes to ${dst} byte-identical to BIRD's`);
          assert.equal(attributeTrees(u).length, birdRaw.length + 2, `BIRD's attributes plus ORIGINATOR_ID and CLUSTER_LIST to ${dst}`);
        }
      }
    });
  });
});
