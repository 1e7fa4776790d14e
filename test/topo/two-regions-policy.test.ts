/**
 * Issue 6 with real routers: Juniper meshrr's 2regions-hrr policy on five meshrr processes.
 * A core reflector (its clients: the four regional reflectors), two regions of two
 * reflectors each (mesh between them, the core as upstream), and in each region a BIRD and
 * an FRR router as clients of both regional reflectors, all in AS 65000 on loopback
 * addresses of one namespace. The regional reflectors export to the core through `to-core`:
 * 65000:101 never leaves its region, 65000:102 gets LOCAL_PREF 20.
 * 1. A 65000:101 route from region A reaches both routers of A, and neither of B (proven by a
 *    sentinel announced after it, over the same sessions).
 * 2. A 65000:102 route arrives in B with LOCAL_PREF 20, in A with the value its router sent.
 * 3. A policy change, reloaded with SIGHUP (no restart), lets 65000:101 out with LOCAL_PREF 50
 *    within seconds, and no router session is reset (the daemons' own uptimes keep growing).
 * 4. A reload with a broken policy is rejected with the file, line and key path, and the
 *    running policy stays (region B keeps what it had).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { BgpRoute, PeerHandle } from '../helpers/peers/index.js';
import { bird, frr, missingPrerequisites } from '../helpers/peers/index.js';
import { createLab, type Lab } from '../helpers/peers/lab.js';
import type { Netns } from '../helpers/netns.js';
import { sweepStaleNetns } from '../helpers/netns.js';
import { pollUntil } from '../helpers/poll.js';
import { writeFile } from 'node:fs/promises';
import { renderMeshrrConfig, startMeshrr, type MeshrrConfigSpec, type MeshrrProcess } from './helpers-meshrr.js';
import { routeAt } from './helpers-topo.js';

const skip = (await missingPrerequisites()) ?? false;

const ASN = 65000;
const CORE = '198.18.1.1';
const RR = { a1: '198.18.1.11', a2: '198.18.1.12', b1: '198.18.1.21', b2: '198.18.1.22' } as const;
const ROUTER = { birdA: '198.18.1.31', frrA: '198.18.1.32', birdB: '198.18.1.41', frrB: '198.18.1.42' } as const;

const REGIONAL = '203.0.113.0/24';
const PREFERRED = '203.0.113.128/25';
const SENTINEL = '198.51.100.0/24';

const toCore = (regionalAction: unknown): Record<string, unknown> => ({
  'to-core': {
    default: 'accept',
    terms: [
      { name: 'keep-regional', match: { community: '65000:101' }, then: regionalAction },
      { name: 'inregion-preferred', match: { community: '65000:102' }, then: { localPref: 20, action: 'accept' } },
    ],
  },
});

function regional(self: string, mate: string, routers: readonly string[], policies: Record<string, unknown>): MeshrrConfigSpec {
  return {
    routerId: self,
    asn: ASN,
    listen: [{ address: self, port: 179 }],
    groups: [
      { name: 'clients', role: 'client', clusterId: self, holdTime: 30, neighbors: routers.map((address) => ({ address, passive: true })) },
      { name: 'mesh', role: 'nonClient', holdTime: 30, connectRetryTime: 2, neighbors: [{ address: mate, localAddress: self }] },
      { name: 'upstream', role: 'nonClient', holdTime: 30, connectRetryTime: 2, neighbors: [{ address: CORE, localAddress: self }], exportPolicy: 'to-core' },
    ],
    policies,
  };
}

const CORE_CONFIG: MeshrrConfigSpec = {
  routerId: CORE,
  asn: ASN,
  listen: [{ address: CORE, port: 179 }],
  groups: [{ name: 'regional', role: 'client', clusterId: CORE, holdTime: 30, neighbors: Object.values(RR).map((address) => ({ address, passive: true })) }],
};

describe('2regions-hrr policy at group boundaries, with BIRD and FRR routers', { skip, timeout: 300_000, concurrency: false }, () => {
  let lab: Lab | undefined;
  let ns: Netns;
  let failed = false;
  const rrs: MeshrrProcess[] = [];
  let a1: MeshrrProcess;
  let a2: MeshrrProcess;
  const routers: Record<keyof typeof ROUTER, PeerHandle> = {} as Record<keyof typeof ROUTER, PeerHandle>;

  const guard = async (body: () => Promise<void>): Promise<void> => {
    try {
      await body();
    } catch (err) {
      failed = true;
      throw err;
    }
  };

  before(async () => {
    await sweepStaleNetns();
    lab = await createLab('2regions');
    const l = lab;
    await guard(async () => {
      ns = await l.netns('2regions');
      for (const a of [CORE, ...Object.values(RR), ...Object.values(ROUTER)]) await ns.addLoopback(a);
      const policies = toCore('reject');
      rrs.push(await startMeshrr({ netns: ns, dir: l.dir, name: 'core', config: CORE_CONFIG }));
      a1 = await startMeshrr({ netns: ns, dir: l.dir, name: 'a1', config: regional(RR.a1, RR.a2, [ROUTER.birdA, ROUTER.frrA], policies) });
      a2 = await startMeshrr({ netns: ns, dir: l.dir, name: 'a2', config: regional(RR.a2, RR.a1, [ROUTER.birdA, ROUTER.frrA], policies) });
      rrs.push(a1, a2);
      rrs.push(await startMeshrr({ netns: ns, dir: l.dir, name: 'b1', config: regional(RR.b1, RR.b2, [ROUTER.birdB, ROUTER.frrB], policies) }));
      rrs.push(await startMeshrr({ netns: ns, dir: l.dir, name: 'b2', config: regional(RR.b2, RR.b1, [ROUTER.birdB, ROUTER.frrB], policies) }));
      const router = (name: string, self: string, rr1: string, rr2: string) => ({
        name,
        netns: ns,
        routerId: self,
        localAs: ASN,
        listen: false as const,
        neighbors: [rr1, rr2].map((address) => ({ address, remoteAs: ASN, localAddress: self, holdTime: 30 })),
      });
      routers.birdA = await l.start(bird.start, router('birdA', ROUTER.birdA, RR.a1, RR.a2));
      routers.frrA = await l.start(frr.start, router('frrA', ROUTER.frrA, RR.a1, RR.a2));
      routers.birdB = await l.start(bird.start, router('birdB', ROUTER.birdB, RR.b1, RR.b2));
      routers.frrB = await l.start(frr.start, router('frrB', ROUTER.frrB, RR.b1, RR.b2));
      for (const [r, pair] of [
        [routers.birdA, [RR.a1, RR.a2]],
        [routers.frrA, [RR.a1, RR.a2]],
        [routers.birdB, [RR.b1, RR.b2]],
        [routers.frrB, [RR.b1, RR.b2]],
      ] as const) {
        for (const a of pair) await r.waitEstablished(a, 60_000);
      }
      // The mesh and the upstream sessions: every regional reflector logs its core session up.
      for (const rr of rrs.slice(1)) await rr.waitLog('fsmTransition', (l) => l['peer'] === CORE && l['to'] === 'Established', 60_000);
    });
  });

  after(async () => {
    if (failed) for (const rr of rrs) process.stderr.write(`# --- meshrr ${rr.dir} ---\n${await rr.logTail(30)}\n`);
    for (const rr of rrs) await rr.stop().catch(() => undefined);
    await lab?.close({ failed });
  });

  const lp = (v: number | undefined) => (r: BgpRoute) => r.localPref === v;

  test('65000:101 stays in its region; 65000:102 gets LOCAL_PREF 20 outside it', async () => {
    await guard(async () => {
      await routers.birdA.announce({ prefix: REGIONAL, nextHop: ROUTER.birdA, communities: ['65000:101'] });
      await routers.birdA.announce({ prefix: PREFERRED, nextHop: ROUTER.birdA, communities: ['65000:102'], localPref: 100 });
      await routeAt(routers.frrA, REGIONAL, (r) => r.communities.includes('65000:101') && r.originatorId === ROUTER.birdA);
      await routeAt(routers.frrA, PREFERRED, lp(100));
      for (const r of [routers.birdB, routers.frrB]) await routeAt(r, PREFERRED, lp(20), 60_000);
      await routers.birdA.announce({ prefix: SENTINEL, nextHop: ROUTER.birdA });
      for (const r of [routers.birdB, routers.frrB]) {
        await routeAt(r, SENTINEL, () => true, 60_000);
        assert.deepEqual(await r.routes({ prefix: REGIONAL }), [], `${r.name} must not hold the 65000:101 route`);
      }
    });
  });

  test('a reloaded policy changes what the routers hold, without resetting a session', async () => {
    await guard(async () => {
      const uptimes = new Map<string, number>();
      const sessions: [PeerHandle, string][] = [
        [routers.birdA, RR.a1],
        [routers.birdA, RR.a2],
        [routers.frrA, RR.a1],
        [routers.frrA, RR.a2],
        [routers.birdB, RR.b1],
        [routers.birdB, RR.b2],
        [routers.frrB, RR.b1],
        [routers.frrB, RR.b2],
      ];
      for (const [r, a] of sessions) uptimes.set(`${r.name}-${a}`, (await r.uptime(a)) ?? -1);
      const policies = toCore({ localPref: 50, action: 'accept' });
      const started = Date.now();
      await a1.reload(regional(RR.a1, RR.a2, [ROUTER.birdA, ROUTER.frrA], policies));
      await a2.reload(regional(RR.a2, RR.a1, [ROUTER.birdA, ROUTER.frrA], policies));
      for (const r of [routers.birdB, routers.frrB]) await routeAt(r, REGIONAL, lp(50), 20_000);
      const seconds = (Date.now() - started) / 1000;
      assert.ok(seconds < 20, `the change reached region B in ${seconds} s`);
      for (const [r, a] of sessions) {
        const before = uptimes.get(`${r.name}-${a}`) ?? -1;
        const now = await pollUntil(async () => r.uptime(a), { what: `${r.name} session to ${a} up`, timeoutMs: 5_000 });
        assert.ok(before >= 0 && now >= before, `${r.name}'s session to ${a} was not reset (uptime ${before} s, then ${now} s)`);
      }
      for (const rr of [a1, a2]) {
        const downs = (await rr.logs()).filter((l) => l.msg === 'fsmTransition' && l['from'] === 'Established');
        assert.deepEqual(downs, [], 'no meshrr session left Established');
      }
    });
  });

  test('a broken policy on reload is rejected with its path, and the running one stays', async () => {
    await guard(async () => {
      const bad = regional(RR.a1, RR.a2, [ROUTER.birdA, ROUTER.frrA], toCore({ localPref: 'fifty', action: 'accept' }));
      const before = (await a1.logs()).filter((l) => l.msg === 'configRejected').length;
      await writeFile(a1.configFile, renderMeshrrConfig(bad));
      a1.signal('SIGHUP');
      const line = await a1.waitLog('configRejected', () => true, 15_000);
      assert.ok((await a1.logs()).filter((l) => l.msg === 'configRejected').length > before);
      assert.match(String(line['err']), /policies\.to-core\.terms\[0\]\.then\.localPref/);
      // Still the policy of the previous test: the 65000:101 route keeps LOCAL_PREF 50 in region B.
      await routeAt(routers.frrB, REGIONAL, lp(50), 5_000);
      assert.equal(a1.exited, false);
    });
  });
});
