/**
 * The status API, `meshrr show`, `/metrics`, the probes and `meshrr dump rib` against a live
 * `meshrr rr` with real peers (issue 9): BIRD and FRR as route-reflector clients of meshrr
 * in one namespace (test/topo/helpers-topo.ts), each announcing routes, one prefix from
 * both (FRR's path wins on LOCAL_PREF).
 *
 * Every number is checked against the peers' own view:
 * 1. prefixes meshrr received from a peer = what the peer says it exported / sent to meshrr
 *    (`birdc show protocols all` "exported", vtysh `sentPrefixCounter`);
 * 2. prefixes meshrr advertised to a peer = what the peer imported / accepted from meshrr;
 * 3. the advertised view's attributes = the route as the peer received it;
 * 4. /metrics, parsed by an independent text-format parser, carries the same counts;
 * 5. /readyz is 503 until the first session is Established and again once none is;
 * 6. `meshrr dump rib --mrt` read back by Debian's bgpdump = `meshrr show routes --json`.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { run } from '../helpers/netns.js';
import { bird, frr, missingPrerequisites } from '../helpers/peers/index.js';
import type { BirdPeer } from '../helpers/peers/bird.js';
import type { FrrPeer } from '../helpers/peers/frr.js';
import { pollUntil } from '../helpers/poll.js';
import type { Topo } from '../topo/helpers-topo.js';
import { ASN, CLUSTER_ID, createTopo, guarded, routeAt, RR_ADDRESS } from '../topo/helpers-topo.js';
import type { NeighborView, RoutesView, SummaryView } from '../../src/status/views.js';
import { nsGet, nsMeshrr, nsMeshrrJson } from './helpers-status.js';

const A = { bird: '198.18.0.10', frr: '198.18.0.11' } as const;
const BIRD_ROUTES = [
  { prefix: '203.0.113.0/24', nextHop: A.bird, communities: ['64496:101'] },
  { prefix: '203.0.113.128/25', nextHop: A.bird },
];
const FRR_ROUTES = [
  { prefix: '198.51.100.0/24', nextHop: A.frr, med: 20 },
  { prefix: '198.51.100.64/26', nextHop: A.frr },
  { prefix: '203.0.113.0/24', nextHop: A.frr, localPref: 200 },
];

/** `Routes: N imported, M exported` of one BIRD channel. */
async function birdCounts(b: BirdPeer): Promise<{ imported: number; exported: number }> {
  const out = await b.birdc(['show', 'protocols', 'all', 'n0']);
  const m = /Channel ipv4[\s\S]*?Routes:\s+(\d+) imported, (\d+) exported/.exec(out);
  if (m === null) throw new Error(`no ipv4 channel counts in:\n${out}`);
  return { imported: Number(m[1]), exported: Number(m[2]) };
}

/** FRR's own counters for its session with meshrr (IPv4 unicast). */
async function frrCounts(f: FrrPeer): Promise<{ accepted: number; sent: number }> {
  const doc = JSON.parse(await f.vtysh([`show bgp neighbors ${RR_ADDRESS} json`])) as Record<string, { addressFamilyInfo?: { ipv4Unicast?: { acceptedPrefixCounter?: number; sentPrefixCounter?: number } } }>;
  const af = doc[RR_ADDRESS]?.addressFamilyInfo?.ipv4Unicast;
  if (af?.acceptedPrefixCounter === undefined || af.sentPrefixCounter === undefined) throw new Error(`no ipv4Unicast counters: ${JSON.stringify(doc).slice(0, 400)}`);
  return { accepted: af.acceptedPrefixCounter, sent: af.sentPrefixCounter };
}

describe('status API against a live meshrr with BIRD and FRR clients', { timeout: 300_000, concurrency: false }, () => {
  let topo: Topo | undefined;
  let b: BirdPeer;
  let f: FrrPeer;

  before(async () => {
    await missingPrerequisites(['bird', 'frr']);
    topo = await createTopo('status');
  });

  after(async () => {
    await topo?.close();
  });

  test('/readyz is 503 before the first session, /healthz is 200', async () => {
    const t = topo as Topo;
    await guarded(t, async () => {
      const r = await nsGet(t.ns, '/readyz');
      assert.equal(r.status, 503, r.body);
      assert.match((JSON.parse(r.body) as { reason: string }).reason, /0 of 1 required sessions/);
      assert.equal((await nsGet(t.ns, '/healthz')).status, 200);
    });
  });

  test('/readyz turns 200 once a session is Established', async () => {
    const t = topo as Topo;
    await guarded(t, async () => {
      for (const a of Object.values(A)) await t.address(a);
      const base = (name: string, addr: string) => ({ name, netns: t.ns, routerId: addr, localAs: ASN, neighbors: [t.meshrr(addr)] });
      b = await t.lab.start(bird.start, { ...base('bird', A.bird), routes: BIRD_ROUTES });
      await t.established(b);
      await pollUntil(async () => (await nsGet(t.ns, '/readyz')).status === 200, { what: '/readyz 200 after BIRD came up', timeoutMs: 10_000 });
      f = await t.lab.start(frr.start, { ...base('frr', A.frr), routes: FRR_ROUTES });
      await t.established(f);
      // Converged: each daemon has the other's routes (the shared prefix from FRR, LOCAL_PREF 200).
      for (const r of FRR_ROUTES) await routeAt(b, r.prefix, (x) => x.originatorId === A.frr);
      await routeAt(f, '203.0.113.128/25', (x) => x.originatorId === A.bird);
    });
  });

  test('neighbour prefix counts equal what BIRD and FRR report', async () => {
    const t = topo as Topo;
    await guarded(t, async () => {
      await pollUntil(
        async () => {
          const ns = await nsMeshrrJson<NeighborView[]>(t.ns, ['show', 'neighbors']);
          const nb = ns.find((n) => n.name === A.bird)?.prefixes['ipv4-unicast'];
          const nf = ns.find((n) => n.name === A.frr)?.prefixes['ipv4-unicast'];
          const bc = await birdCounts(b);
          const fc = await frrCounts(f);
          const got = { birdRecv: nb?.received, birdAdv: nb?.advertised, frrRecv: nf?.received, frrAdv: nf?.advertised };
          const want = { birdRecv: bc.exported, birdAdv: bc.imported, frrRecv: fc.sent, frrAdv: fc.accepted };
          // Thrown, so a timeout shows both sides.
          if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(`meshrr ${JSON.stringify(got)} vs peers ${JSON.stringify(want)}`);
          return got;
        },
        { what: 'meshrr counts = peer counts', timeoutMs: 30_000, intervalMs: 500 },
      );
      const one = await nsMeshrrJson<NeighborView>(t.ns, ['show', 'neighbors', A.frr]);
      assert.equal(one.state, 'Established');
      assert.equal(one.foundBy, 'listenRange');
      assert.equal(one.group, 'clients');
      assert.equal(one.negotiated?.holdTime, 30);
      assert.equal(one.negotiated?.fourOctetAs, true);
      assert.deepEqual(one.prefixes['ipv4-unicast'], { received: 3, accepted: 3, advertised: 1 });
      assert.ok(one.messagesReceived.update >= 1 && one.messagesSent.open === 1, JSON.stringify(one.messagesSent));
    });
  });

  test('show summary and neighbors print FRR-style tables', async (tc) => {
    const t = topo as Topo;
    await guarded(t, async () => {
      const summary = await nsMeshrr(t.ns, ['show', 'summary']);
      const neighbors = await nsMeshrr(t.ns, ['show', 'neighbors']);
      tc.diagnostic(`\n${summary}`);
      tc.diagnostic(`\n${neighbors}`);
      assert.match(summary, /^IPv4 Unicast Summary:$/m);
      assert.match(summary, /^Neighbor {8}V {9}AS {3}MsgRcvd {3}MsgSent {3}TblVer {2}InQ OutQ {2}Up\/Down State\/PfxRcd {3}PfxSnt Desc$/m);
      // BIRD: 2 received, 3 sent; FRR: 3 received, 1 sent (its own best is not sent back).
      assert.match(summary, /^198\.18\.0\.10 {5}4 {6}64496 +\d+ +\d+ +0 +0 +0 \d\d:\d\d:\d\d +2 +3 /m);
      assert.match(summary, /^198\.18\.0\.11 {5}4 {6}64496 +\d+ +\d+ +0 +0 +0 \d\d:\d\d:\d\d +3 +1 /m);
      assert.match(summary, /^Total number of neighbors 2$/m);
      assert.match(neighbors, /^BGP neighbor is 198\.18\.0\.10, remote AS 64496, local AS 64496, internal link$/m);
      assert.match(neighbors, /^ {2}BGP state = Established, up for \d\d:\d\d:\d\d$/m);
      const s = await nsMeshrrJson<SummaryView>(t.ns, ['show', 'summary']);
      assert.deepEqual(s.clusterIds, [RR_ADDRESS, CLUSTER_ID]);
      assert.deepEqual(s.families.find((x) => x.family === 'ipv4-unicast'), { family: 'ipv4-unicast', prefixes: 4, paths: 5 });
      assert.equal(s.peers.established, 2);
    });
  });

  test('routes: longest match, why the best won, community, received and advertised', async () => {
    const t = topo as Topo;
    await guarded(t, async () => {
      const lm = await nsMeshrrJson<RoutesView>(t.ns, ['show', 'routes', '203.0.113.200']);
      assert.deepEqual(lm.routes.map((r) => r.prefix), ['203.0.113.128/25']);
      const two = await nsMeshrrJson<RoutesView>(t.ns, ['show', 'routes', '203.0.113.0/24']);
      const paths = two.routes[0]?.paths ?? [];
      assert.deepEqual(
        paths.map((p) => [p.peer, p.best, p.reason, p.attributes.localPref]),
        [
          [A.frr, true, 'localPref', 200],
          [A.bird, false, 'localPref', 100],
        ],
      );
      const text = await nsMeshrr(t.ns, ['show', 'routes', '203.0.113.0/24']);
      assert.match(text, /^ {6}Origin IGP, metric 0, localpref 200, valid, internal, best \(Local Pref\)$/m);
      const comm = await nsMeshrrJson<RoutesView>(t.ns, ['show', 'routes', '--community', '64496:101']);
      assert.deepEqual(comm.routes.map((r) => [r.prefix, r.paths.map((p) => p.peer)]), [['203.0.113.0/24', [A.bird]]]);
      const rcv = await nsMeshrrJson<RoutesView>(t.ns, ['show', 'routes', '--peer', A.bird, '--received']);
      assert.deepEqual(rcv.routes.map((r) => r.prefix).sort(), BIRD_ROUTES.map((r) => r.prefix).sort());
      const adv = await nsMeshrrJson<RoutesView>(t.ns, ['show', 'routes', '--peer', A.bird, '--advertised']);
      assert.deepEqual(adv.routes.map((r) => r.prefix), ['198.51.100.0/24', '198.51.100.64/26', '203.0.113.0/24']);
      // The attributes as sent are the route as BIRD holds it.
      for (const r of adv.routes) {
        const at = await routeAt(b, r.prefix, (x) => x.originatorId === A.frr);
        const p = r.paths[0];
        assert.ok(p !== undefined);
        assert.deepEqual(
          { nextHop: p.attributes.nextHop, originatorId: p.attributes.originatorId, clusterList: p.attributes.clusterList, localPref: p.attributes.localPref, med: p.attributes.med },
          { nextHop: at.nextHop, originatorId: at.originatorId, clusterList: at.clusterList, localPref: at.localPref, med: at.med ?? null },
        );
      }
      const table = await nsMeshrr(t.ns, ['show', 'routes', '--peer', A.bird, '--advertised']);
      assert.match(table, /^\*>i198\.51\.100\.0\/24 {2}198\.18\.0\.11 {13}20 {4}100 {6}0 i$/m);
      assert.match(table, /^Displayed {2}3 routes and 3 total paths$/m);
    });
  });

  test('/metrics parses as Prometheus text and carries the same counts', async () => {
    const t = topo as Topo;
    await guarded(t, async () => {
      const r = await nsGet(t.ns, '/metrics');
      assert.equal(r.status, 200);
      const fams = parsePrometheusTextFormat(r.body);
      const fam = (name: string) => {
        const x = fams.find((m) => m.name === name);
        assert.ok(x !== undefined, `metric ${name} missing`);
        return x;
      };
      const value = (name: string, labels: Record<string, string>): number => {
        const s = fam(name).metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
        assert.ok(s !== undefined, `${name}${JSON.stringify(labels)} missing`);
        return Number(s.value);
      };
      assert.equal(value('meshrr_bgp_sessions', { state: 'Established' }), 2);
      assert.equal(value('meshrr_bgp_peer_up', { peer: A.bird }), 1);
      assert.equal(value('meshrr_bgp_peer_prefixes', { peer: A.bird, family: 'ipv4-unicast', direction: 'received' }), 2);
      assert.equal(value('meshrr_bgp_peer_prefixes', { peer: A.bird, family: 'ipv4-unicast', direction: 'advertised' }), 3);
      assert.equal(value('meshrr_bgp_peer_prefixes', { peer: A.frr, family: 'ipv4-unicast', direction: 'advertised' }), 1);
      assert.equal(value('meshrr_rib_prefixes', { family: 'ipv4-unicast' }), 4);
      assert.equal(value('meshrr_rib_paths', { family: 'ipv4-unicast' }), 5);
      assert.equal(value('meshrr_config_reloads_total', { result: 'applied' }), 1);
      const n = await nsMeshrrJson<NeighborView>(t.ns, ['show', 'neighbors', A.frr]);
      assert.equal(value('meshrr_bgp_messages_total', { peer: A.frr, direction: 'received', type: 'update' }), n.messagesReceived.update);
      assert.equal(value('meshrr_bgp_messages_total', { peer: A.frr, direction: 'sent', type: 'open' }), 1);
      for (const m of fams) {
        assert.match(m.name, /^[a-z_:][a-z0-9_:]*$/);
        if (m.type === 'COUNTER') assert.match(m.name, /_total$/, `${m.name}: a counter ends in _total`);
        for (const s of m.metrics) assert.ok(!Object.keys(s.labels ?? {}).includes('prefix'), `${m.name}: no per-prefix label`);
      }
      assert.ok(fam('meshrr_event_loop_lag_seconds').type === 'GAUGE');
      const runs = fam('meshrr_bestpath_run_duration_seconds');
      assert.equal(runs.type, 'HISTOGRAM');
      const count = runs.metrics[0] as unknown as { count?: string };
      assert.ok(Number(count.count) > 0, 'decision runs were timed');
    });
  });

  test('meshrr dump rib --mrt read back by bgpdump equals show routes --json', async () => {
    const t = topo as Topo;
    await guarded(t, async () => {
      const file = join(t.lab.dir, 'rib.mrt');
      await nsMeshrr(t.ns, ['dump', 'rib', '--mrt', file]);
      const dump = await run('bgpdump', ['-m', file]);
      const fromDump = dump.stdout
        .split('\n')
        .filter((l) => l.startsWith('TABLE_DUMP2|'))
        .map((l) => {
          const c = l.split('|');
          // TABLE_DUMP2|time|B|peer|peerAS|prefix|ASpath|origin|nexthop|localpref|med|communities|...
          return [c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10], c[11]].join('|');
        })
        .sort();
      const routes = await nsMeshrrJson<RoutesView>(t.ns, ['show', 'routes']);
      const fromApi = routes.routes
        .flatMap((r) =>
          r.paths.map((p) => {
            const a = p.attributes;
            return [p.peer, String(ASN), r.prefix, a.asPath, a.origin ?? '', a.nextHop, String(a.localPref ?? 0), String(a.med ?? 0), a.communities.join(' ')].join('|');
          }),
        )
        .sort();
      assert.equal(fromApi.length, 5);
      assert.deepEqual(fromDump, fromApi);
    });
  });

  test('/readyz turns 503 again when no session is left', async () => {
    const t = topo as Topo;
    await guarded(t, async () => {
      await b.stop();
      await f.stop();
      await pollUntil(async () => (await nsGet(t.ns, '/readyz')).status === 503, { what: '/readyz 503 after both peers stopped', timeoutMs: 30_000 });
      const s = await nsMeshrrJson<SummaryView>(t.ns, ['show', 'summary']);
      assert.equal(s.peers.established, 0);
    });
  });
});
