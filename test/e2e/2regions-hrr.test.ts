/**
 * examples/2regions-hrr end to end (issue 8): the example's ConfigMaps and environment, 7 pod
 * processes (3 core, lothlorien a/b, mirkwood a/b) discovering each other through dnsmasq
 * playing CoreDNS, and a BIRD router per region on the region's LoadBalancer addresses.
 *
 * Proves: the core mesh and both regional meshes form; each regional pod has exactly 2
 * upstream core peers; a route of one region reaches the other region's router through
 * regional RR -> core RR -> regional RR with ORIGINATOR_ID = the originating router and a
 * CLUSTER_LIST of exactly those three pods' cluster IDs (their POD_IPs). Then a core pod that
 * is an upstream of lothlorien-a dies and a replacement with a new IP takes its place in DNS:
 * within one discovery interval the core mesh and the upstream selections heal, sessions that
 * had nothing to do with the dead pod keep their uptime, and the routers keep every route.
 * Last, lothlorien-b is replaced by a pod with a new IP that takes over 172.19.1.2: the region
 * mesh heals within one interval, r-lothlorien keeps the mirkwood route all along (its session
 * to 172.19.1.1 untouched) and gets the path via 172.19.1.2 back.
 * Also issue 7's "several pod processes against dnsmasq" case.
 *
 * The community policy (65000:101, 65000:102) is 2regions-hrr-policy.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pollUntil } from '../helpers/poll.js';
import type { MeshrrPod } from './helpers-topo.js';
import { establishedPeers, groupPeers, invariant, sessions } from './helpers-topo.js';
import { CORE_IPS, REGIONS, ROUTES, startTwoRegions, stopTwoRegions, UPDATE_SECONDS } from './helpers-2regions.js';
import type { TwoRegions } from './helpers-2regions.js';

const SETTLE_MS = 60_000;

describe('examples/2regions-hrr end to end', { timeout: 180_000 }, () => {
  let t: TwoRegions | undefined;
  let failed = false;
  before(async () => {
    t = await startTwoRegions();
  });
  after(async () => {
    await stopTwoRegions(t, failed);
  });
  const fail = (e: unknown): never => {
    failed = true;
    throw e;
  };
  const regional = (): MeshrrPod[] => Object.values(t!.pods);
  const upstreams = async (p: MeshrrPod): Promise<string[]> => {
    const est = await establishedPeers(p);
    return [...groupPeers(await p.process.logs(), 'MESHRR-UPSTREAM')].filter((a) => est.has(a)).sort();
  };

  it('forms the core mesh and both regional meshes, each regional pod with exactly 2 upstreams', async () => {
    try {
      const core = t!.core;
      for (const c of core) {
        const want = core.filter((x) => x !== c).map((x) => x.address);
        await pollUntil(async () => {
          const est = await establishedPeers(c);
          return want.every((a) => est.has(a));
        }, { what: `${c.name} meshed with the other core pods`, timeoutMs: SETTLE_MS });
      }
      for (const [name, p] of Object.entries(t!.pods)) {
        const region = name.split('-')[0] as keyof typeof REGIONS;
        const other: string = p.address === REGIONS[region].podA ? REGIONS[region].podB : REGIONS[region].podA;
        await pollUntil(async () => (await establishedPeers(p)).has(other), { what: `${name} meshed with ${other}`, timeoutMs: SETTLE_MS });
        const ups = await pollUntil(async () => {
          const u = await upstreams(p);
          return u.length === 2 ? u : null;
        }, { what: `${name} has 2 Established upstreams`, timeoutMs: SETTLE_MS });
        for (const u of ups) assert.ok((CORE_IPS as readonly string[]).includes(u), `${name}: upstream ${u} is a core pod`);
        assert.equal(groupPeers(await p.process.logs(), 'MESHRR-UPSTREAM').size, 2, `${name}: max_peers 2`);
        // Mesh and upstream peers never land in the client group (allow range minus peers).
        assert.ok(!(await p.process.logs()).some((l) => l.msg === 'dynamicPeerAccepted' && [other, ...CORE_IPS].includes(String(l['peer']))), `${name}: no mesh peer accepted as a client`);
      }
      for (const r of ['lothlorien', 'mirkwood'] as const) {
        for (const a of [REGIONS[r].a, REGIONS[r].b]) await t!.routers[r].waitEstablished(a, SETTLE_MS);
      }
    } catch (e) {
      fail(e);
    }
  });

  it('carries each region\'s routes to the other region with ORIGINATOR_ID and a 3-hop CLUSTER_LIST', async () => {
    try {
      const pairs = [['lothlorien', 'mirkwood'], ['mirkwood', 'lothlorien']] as const;
      for (const [from, to] of pairs) {
        const prefix = ROUTES[from][0]!.prefix;
        const routes = await pollUntil(async () => {
          const rs = await t!.routers[to].routes({ prefix });
          return rs.length >= 2 ? rs : null;
        }, { what: `r-${to} has ${prefix} from both regional pods`, timeoutMs: SETTLE_MS });
        const fromPods: string[] = [REGIONS[from].podA, REGIONS[from].podB];
        const toPods: string[] = [REGIONS[to].podA, REGIONS[to].podB];
        for (const r of routes) {
          assert.equal(r.originatorId, REGIONS[from].router, `${prefix}: ORIGINATOR_ID is r-${from}`);
          assert.equal(r.nextHop, REGIONS[from].router, `${prefix}: next hop unchanged`);
          assert.deepEqual(r.asPath, [], `${prefix}: iBGP, empty AS_PATH`);
          // Shortest path: to-region pod, a core pod, from-region pod (RFC 4456 §8 prepends).
          const best = r.clusterList;
          assert.equal(best.length, 3, `${prefix}: CLUSTER_LIST ${best.join(' ')}`);
          assert.ok(toPods.includes(best[0]!), `${prefix}: first cluster ID is a ${to} pod`);
          assert.ok((CORE_IPS as readonly string[]).includes(best[1]!), `${prefix}: then a core pod`);
          assert.ok(fromPods.includes(best[2]!), `${prefix}: then a ${from} pod`);
        }
        // Inside the region the other router sees nothing of its own routes looped back.
        const own = await t!.routers[from].routes({ prefix });
        assert.ok(own.every((r) => r.peer === undefined || r.originatorId !== REGIONS[from].router), `r-${from} never gets its own route back`);
      }
    } catch (e) {
      fail(e);
    }
  });

  it('heals within one discovery interval when a core pod is replaced by one with a new IP', async () => {
    try {
      const la = t!.pods['lothlorien-a'];
      const ups = await upstreams(la);
      const victim = t!.core.find((c) => c.address === ups[0]);
      assert.ok(victim !== undefined);
      const survivors = t!.core.filter((c) => c !== victim);
      const newIp = '10.42.0.13';
      // Sessions that must keep their uptime: regional meshes, the core sessions between
      // survivors, routers to their reflectors, and upstreams that did not point at the victim.
      const before = new Map<string, number | undefined>();
      const key = (p: MeshrrPod, peer: string): string => `${p.name}>${peer}`;
      for (const p of [...regional(), ...survivors]) {
        for (const [peer, v] of sessions(await p.process.logs())) if (v.established && peer !== victim.address) before.set(key(p, peer), v.since);
      }
      assert.ok(before.size >= 12, `${before.size} sessions to watch`);
      const routerUptime = await t!.routers.mirkwood.uptime(REGIONS.mirkwood.a);
      assert.ok(routerUptime !== undefined);

      await t!.cluster.killPod(victim);
      const replacement = await t!.cluster.startPod('core-3', 'meshrr-core', newIp, { updateSeconds: UPDATE_SECONDS });
      const changed = Date.now();
      await t!.cluster.setService('meshrr-core', [...survivors.map((c) => c.address), newIp]);

      // Routers keep every route while the mesh heals: checked at every poll below.
      const checkRoutes = async (): Promise<void> => {
        for (const [r, other] of [['mirkwood', 'lothlorien'], ['lothlorien', 'mirkwood']] as const) {
          const got = await t!.routers[r].routes({ prefix: ROUTES[other][0]!.prefix });
          invariant(got.length > 0, `r-${r} lost ${ROUTES[other][0]!.prefix} during the heal`);
        }
      };
      const healed = async (): Promise<boolean> => {
        await t!.cluster.assertPodsAlive();
        await checkRoutes();
        for (const c of survivors) {
          const est = await establishedPeers(c);
          if (!est.has(newIp) || groupPeers(await c.process.logs(), 'MESHRR-MESH').has(victim.address)) return false;
        }
        for (const p of regional()) {
          const u = await upstreams(p);
          if (u.length !== 2 || u.includes(victim.address)) return false;
          if (groupPeers(await p.process.logs(), 'MESHRR-UPSTREAM').size !== 2) return false;
        }
        return true;
      };
      await pollUntil(healed, { what: 'core mesh and upstreams healed', timeoutMs: 30_000, intervalMs: 200 });
      const took = Date.now() - changed;
      // One discovery interval after the DNS change, plus the TCP and OPEN exchange.
      assert.ok(took <= UPDATE_SECONDS * 1000 + 3000, `healed in ${took} ms, more than one interval of ${UPDATE_SECONDS} s plus 3 s`);
      assert.ok((await establishedPeers(replacement)).size >= 2, 'the replacement meshed with the survivors');

      for (const p of [...regional(), ...survivors]) {
        const now = sessions(await p.process.logs());
        for (const [peer, v] of now) {
          const k = key(p, peer);
          if (before.has(k)) assert.equal(v.since, before.get(k), `${k}: session was not reset (uptime kept)`);
        }
      }
      const routerUptimeAfter = await t!.routers.mirkwood.uptime(REGIONS.mirkwood.a);
      assert.ok(routerUptimeAfter !== undefined && routerUptimeAfter >= routerUptime, 'r-mirkwood kept its session');
      await checkRoutes();
      process.stderr.write(`# 2regions-hrr: healed ${took} ms after the DNS change (UPDATE_SECONDS=${UPDATE_SECONDS})\n`);
    } catch (e) {
      fail(e);
    }
  });
  it('replaces a regional pod behind its LoadBalancer address; the router keeps its routes and its other session', async () => {
    try {
      const lb = t!.pods['lothlorien-b'];
      const la = t!.pods['lothlorien-a'];
      const router = t!.routers.lothlorien;
      const remote = ROUTES.mirkwood[0]!.prefix;
      const paths = async (): Promise<string[]> => (await router.routes({ prefix: remote })).map((r) => r.peer ?? '').sort();
      // r-lothlorien holds the mirkwood route from both regional addresses.
      await pollUntil(async () => (await paths()).length === 2, { what: `r-lothlorien has ${remote} from 172.19.1.1 and 172.19.1.2`, timeoutMs: 30_000 });
      const upA = await router.uptime(REGIONS.lothlorien.a);
      const aBefore = sessions(await la.process.logs()).get(REGIONS.lothlorien.router)?.since;
      const newIp = '10.42.1.12';
      await t!.cluster.killPod(lb);
      const replacement = await t!.cluster.startPod('lothlorien-b2', 'meshrr-lothlorien-b', newIp, { extra: [REGIONS.lothlorien.b], updateSeconds: UPDATE_SECONDS });
      const changed = Date.now();
      await t!.cluster.setService('meshrr-lothlorien', [REGIONS.lothlorien.podA, newIp]);
      t!.pods['lothlorien-b'] = replacement;
      // The router keeps the route all along: graceful restart keeps the path via 172.19.1.2
      // (stale) while that session is down, and the path via 172.19.1.1 stays. The replacement
      // is a cold start (Restart State and Forwarding State bits clear), so when its session
      // comes up the router drops the stale path (RFC 4724 §4.2) until the replacement has
      // learned and sent the route: a router homed to one address only would see that gap.
      await pollUntil(async () => {
        await t!.cluster.assertPodsAlive();
        const p = await paths();
        invariant(p.includes(REGIONS.lothlorien.a), `r-lothlorien kept ${remote}: ${p.join(' ')}`);
        return (await establishedPeers(la)).has(newIp) && !groupPeers(await la.process.logs(), 'MESHRR-MESH').has(REGIONS.lothlorien.podB) && (await upstreams(replacement)).length === 2;
      }, { what: 'lothlorien-a meshed with the replacement, which has 2 upstreams', timeoutMs: 30_000, intervalMs: 200 });
      const took = Date.now() - changed;
      assert.ok(took <= UPDATE_SECONDS * 1000 + 3000, `healed in ${took} ms, more than one interval of ${UPDATE_SECONDS} s plus 3 s`);
      await router.waitEstablished(REGIONS.lothlorien.b, 30_000);
      await pollUntil(async () => (await paths()).length === 2 && (await establishedPeers(replacement)).has(REGIONS.lothlorien.router), { what: 'the router back on 172.19.1.2', timeoutMs: 30_000 });
      const upA2 = await router.uptime(REGIONS.lothlorien.a);
      assert.ok(upA !== undefined && upA2 !== undefined && upA2 >= upA, 'r-lothlorien kept its session with 172.19.1.1');
      assert.equal(sessions(await la.process.logs()).get(REGIONS.lothlorien.router)?.since, aBefore, "lothlorien-a's session with the router not reset");
      process.stderr.write(`# 2regions-hrr: regional pod replaced, healed ${took} ms after the DNS change\n`);
    } catch (e) {
      fail(e);
    }
  });
});
