/**
 * examples/3clientgroups end to end (issue 8): two reflector pods from the example's ConfigMap
 * find each other and their three classes of client routers through dnsmasq answering the
 * selector-less headless Services with the addresses of the example's EndpointSlices.
 *
 * Proves: the reflectors mesh and connect to every listed router of every class; a router
 * that is not listed is refused; a full-table client receives the whole table from the other
 * full-table client with ORIGINATOR_ID = that router and CLUSTER_LIST = one reflector's POD_IP.
 * Then a reflector pod dies and a replacement with a new IP joins through DNS: within one
 * discovery interval it meshes and serves every router; the surviving reflector's sessions
 * keep their uptime and the routers keep their routes.
 *
 * What each class receives (full / partial / default) is 3clientgroups-policy.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bird } from '../helpers/peers/index.js';
import { pollUntil } from '../helpers/poll.js';
import { establishedPeers, invariant, sessions } from './helpers-topo.js';
import type { MeshrrPod } from './helpers-topo.js';
import type { BirdPeer } from '../helpers/peers/bird.js';
import { CLASSES, RR_IPS, RR_REPLACEMENT_IP, startThreeClientGroups, stopThreeClientGroups, TABLE, UPDATE_SECONDS } from './helpers-3clientgroups.js';
import type { ThreeClientGroups } from './helpers-3clientgroups.js';
import { BIRD_IGP } from './helpers-2regions.js';

const SETTLE_MS = 60_000;
type Router = { address: string; peer: BirdPeer };

describe('examples/3clientgroups end to end', { timeout: 150_000 }, () => {
  let t: ThreeClientGroups | undefined;
  let failed = false;
  before(async () => {
    t = await startThreeClientGroups();
  });
  after(async () => {
    await stopThreeClientGroups(t, failed);
  });
  const guard = async (fn: () => Promise<void>): Promise<void> => {
    try {
      await fn();
    } catch (e) {
      failed = true;
      throw e;
    }
  };
  const allRouters = (): Router[] => CLASSES.flatMap((c) => t!.routers[c]);

  it('meshes the reflectors and connects them to every listed router of every class', () =>
    guard(async () => {
      assert.equal(allRouters().length, 4, 'full table 2, partial 1, default 1 (the EndpointSlices)');
      for (const rr of t!.rrs) {
        const other = t!.rrs.find((x) => x !== rr)!.address;
        await pollUntil(async () => (await establishedPeers(rr)).has(other), { what: `${rr.name} meshed`, timeoutMs: SETTLE_MS });
        for (const r of allRouters()) await r.peer.waitEstablished(rr.address, SETTLE_MS);
      }
    }));

  it('refuses a router that no client Service lists', () =>
    guard(async () => {
      const node = await t!.cluster.addNode('stray', '172.20.9.9');
      const stray = await bird.start({
        name: 'stray',
        dir: t!.cluster.tmp.path,
        netns: node.ns,
        routerId: '172.20.9.9',
        localAs: 65000,
        listen: false,
        neighbors: [{ address: RR_IPS[0], remoteAs: 65000, localAddress: '172.20.9.9' }],
        extraConfig: BIRD_IGP,
      });
      try {
        const rr = t!.rrs[0]!;
        await rr.process.waitLog('connectionRefused', (l) => l['remote'] === '172.20.9.9', 20_000);
        assert.notEqual(await stray.neighborState(RR_IPS[0]), 'Established');
      } finally {
        await stray.stop();
      }
    }));

  it('reflects the whole table between full-table clients with ORIGINATOR_ID and CLUSTER_LIST', () =>
    guard(async () => {
      const [origin, receiver] = t!.routers.fulltable as [Router, Router];
      for (const prefix of Object.values(TABLE)) {
        const routes = await pollUntil(async () => {
          const rs = await receiver.peer.routes({ prefix });
          return rs.length === 2 ? rs : null;
        }, { what: `full-table client has ${prefix} from both reflectors`, timeoutMs: SETTLE_MS });
        for (const r of routes) {
          assert.equal(r.originatorId, origin.address);
          assert.equal(r.nextHop, origin.address);
          assert.equal(r.clusterList.length, 1, `${prefix}: CLUSTER_LIST ${r.clusterList.join(' ')}`);
          assert.ok((RR_IPS as readonly string[]).includes(r.clusterList[0]!), `${prefix}: cluster ID is a reflector's POD_IP`);
        }
        const ext = routes[0]!;
        if (prefix === TABLE.external) assert.deepEqual(ext.asPath, [64500]);
      }
    }));

  it('heals within one discovery interval when a reflector is replaced by one with a new IP', () =>
    guard(async () => {
      const [survivor, victim] = t!.rrs as [MeshrrPod, MeshrrPod];
      const uptimes = new Map<string, number | undefined>();
      for (const r of allRouters()) uptimes.set(r.address, await r.peer.uptime(survivor.address));
      const before = sessions(await survivor.process.logs());
      await t!.cluster.killPod(victim);
      const replacement = await t!.cluster.startPod('rr-2', 'meshrr-3clientgroups', RR_REPLACEMENT_IP, { updateSeconds: UPDATE_SECONDS });
      const changed = Date.now();
      await t!.cluster.setService('meshrr-3clientgroups', [survivor.address, RR_REPLACEMENT_IP]);
      const receiver = t!.routers.fulltable[1]!;
      await pollUntil(async () => {
        await t!.cluster.assertPodsAlive();
        invariant((await receiver.peer.routes({ prefix: TABLE.internal })).length > 0, 'the full-table client lost the table during the heal');
        if (!(await establishedPeers(survivor)).has(RR_REPLACEMENT_IP)) return false;
        for (const r of allRouters()) if ((await r.peer.neighborState(RR_REPLACEMENT_IP)) !== 'Established') return false;
        return true;
      }, { what: 'replacement meshed and serving every router', timeoutMs: 30_000, intervalMs: 200 });
      const took = Date.now() - changed;
      assert.ok(took <= UPDATE_SECONDS * 1000 + 3000, `healed in ${took} ms, more than one interval of ${UPDATE_SECONDS} s plus 3 s`);
      assert.ok((await establishedPeers(replacement)).size >= 5, 'the replacement has its mesh peer and the 4 routers');
      for (const r of allRouters()) {
        const up = await r.peer.uptime(survivor.address);
        assert.ok(up !== undefined && up >= (uptimes.get(r.address) ?? Infinity), `${r.address} kept its session with the survivor`);
      }
      const after = sessions(await survivor.process.logs());
      for (const r of allRouters()) assert.equal(after.get(r.address)?.since, before.get(r.address)?.since, `survivor's session with ${r.address} not reset`);
      // The dead reflector's routes may stay as stale (graceful restart, 30 s): look for the replacement's.
      await pollUntil(async () => (await receiver.peer.routes({ prefix: TABLE.internal })).some((r) => r.clusterList[0] === RR_REPLACEMENT_IP), {
        what: 'the table reflected by the replacement',
        timeoutMs: 20_000,
      });
      process.stderr.write(`# 3clientgroups: healed ${took} ms after the DNS change (UPDATE_SECONDS=${UPDATE_SECONDS})\n`);
    }));
});
