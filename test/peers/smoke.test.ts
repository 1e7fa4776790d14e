/**
 * Smoke test of the real-daemon harness (test/helpers/peers/, netns.ts, poll.ts, tmp.ts):
 * before meshrr's own speaker exists, real daemons talk to each other in network namespaces,
 * and every assertion goes through the harness's query functions (each daemon's capability
 * parser at least once). Each test then tears its lab down and checks that no namespace and
 * no daemon process is left. Skipped unless root with all five daemons installed.
 *
 * Addresses: 198.18.0.0/15 and 2001:db8::/32 on `lo` inside each test's own namespace (BIRD
 * and FRR reject 127/8 next hops), so the tests run concurrently without colliding.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { Netns } from '../helpers/netns.js';
import { createNetns, listNetns, pidAlive, sweepStaleNetns, run } from '../helpers/netns.js';
import { processState } from '../helpers/peers/daemon.js';
import type { Lab } from '../helpers/peers/index.js';
import { bird, createLab, exabgp, formatVersions, frr, gobgp, missingPrerequisites, openbgpd, versions } from '../helpers/peers/index.js';
import type { BgpRoute, PeerHandle, RouteFilter } from '../helpers/peers/index.js';
import { pollUntil } from '../helpers/poll.js';

// Fails loudly, naming what is missing (never a silent skip).
await missingPrerequisites();

/** Poll until `peer` holds exactly one route matching `filter`, and return it. */
async function routeAt(peer: PeerHandle, filter: RouteFilter): Promise<BgpRoute> {
  return pollUntil(
    async () => {
      const rs = await peer.routes(filter);
      return rs.length === 1 ? rs[0] : undefined;
    },
    { what: `${peer.kind} ${peer.name} has ${JSON.stringify(filter)}`, timeoutMs: 30_000 },
  );
}

async function routeGone(peer: PeerHandle, prefix: string): Promise<void> {
  await pollUntil(async () => (await peer.routes({ prefix })).length === 0, { what: `${peer.kind} ${peer.name} dropped ${prefix}` });
}

/** Run a test body in a lab; afterwards assert its namespaces and processes are gone. */
async function inLab(label: string, body: (lab: Lab, ns: Netns) => Promise<void>): Promise<void> {
  const lab = await createLab(label);
  try {
    await body(lab, await lab.netns());
  } catch (err) {
    await lab.close({ failed: true }).catch(() => undefined);
    throw err;
  }
  const names = lab.namespaces.map((n) => n.name);
  const pids = [...lab.peers.map((p) => p.pid), ...(await Promise.all(lab.namespaces.map((n) => n.pids()))).flat()];
  assert.ok(pids.length >= lab.peers.length);
  await lab.close();
  const left = await listNetns();
  assert.deepEqual(names.filter((n) => left.includes(n)), [], 'namespaces deleted');
  assert.deepEqual(pids.filter(pidAlive), [], 'daemon processes gone');
  assert.ok(lab.peers.every((p) => p.exited));
}

describe('real-daemon harness smoke', { concurrency: true }, () => {
  before(async () => {
    await sweepStaleNetns();
  });

  test('versions() reports every daemon', async (t) => {
    const v = await versions();
    t.diagnostic(formatVersions(v));
    for (const d of Object.values(v)) assert.match(d.version, /^\d+\.\d+/, `${d.name}: ${d.command}`);
  });

  test('sweepStaleNetns removes a dead run\'s namespace and what runs inside', async () => {
    // pid "zzzz" (base 36) = 1679615: a creator that is not running.
    const name = `mrr-zzzz-${Math.floor(Math.random() * 0xffffff).toString(16).padStart(6, '0')}`;
    await run('ip', ['netns', 'add', name]);
    const ns = await createNetns('live');
    try {
      await run('sh', ['-c', `ip netns exec ${name} tail -f /dev/null >/dev/null 2>&1 & echo $!`]);
      await pollUntil(async () => (await run('ip', ['netns', 'pids', name])).stdout.trim() !== '', { what: `process inside ${name}`, timeoutMs: 5_000 });
      const removed = await sweepStaleNetns();
      assert.ok(removed.includes(name), `removed ${removed.join(', ')}`);
      assert.ok(!removed.includes(ns.name), 'a live run keeps its namespace');
      assert.ok(!(await listNetns()).includes(name));
    } finally {
      await ns.destroy();
    }
  });

  test('BIRD and FRR establish over IPv4 and IPv6', async () => {
    await inLab('bird-frr', async (lab, ns) => {
      await ns.addLoopback('198.18.0.1', '198.18.0.2', '2001:db8::1', '2001:db8::2');
      const f = await lab.start(frr.start, {
        name: 'frr',
        netns: ns,
        routerId: '198.18.0.2',
        localAs: 65002,
        neighbors: [
          { address: '198.18.0.1', remoteAs: 65001, localAddress: '198.18.0.2', multihop: true, addPath: { send: true } },
          { address: '2001:db8::1', remoteAs: 65001, localAddress: '2001:db8::2', multihop: true },
        ],
        routes: [{ prefix: '2001:db8:f::/48', nextHop: '2001:db8::2', communities: ['65000:6'] }],
      });
      const b = await lab.start(bird.start, {
        name: 'bird',
        netns: ns,
        routerId: '198.18.0.1',
        localAs: 65001,
        neighbors: [
          { address: '198.18.0.2', remoteAs: 65002, localAddress: '198.18.0.1', multihop: true, addPath: { receive: true }, holdTime: 30 },
          { address: '2001:db8::2', remoteAs: 65002, localAddress: '2001:db8::1', multihop: true },
        ],
        routes: [{ prefix: '203.0.113.0/24', nextHop: '198.18.0.1', communities: ['65000:101'], largeCommunities: ['65000:1:2'], med: 5 }],
      });
      for (const [p, a] of [[b, '198.18.0.2'], [b, '2001:db8::2'], [f, '198.18.0.1'], [f, '2001:db8::1']] as const) await p.waitEstablished(a);

      const b4 = await b.negotiatedCapabilities('198.18.0.2');
      assert.deepEqual(b4.families, ['ipv4-unicast']);
      assert.ok(b4.fourOctetAs && b4.routeRefresh && b4.enhancedRouteRefresh && b4.gracefulRestart, b4.raw.join('\n'));
      assert.deepEqual(b4.addPath, [{ family: 'ipv4-unicast', send: false, receive: true }]);
      assert.equal(b4.holdTime, 30);
      const f4 = await f.negotiatedCapabilities('198.18.0.1');
      assert.deepEqual(f4.addPath, [{ family: 'ipv4-unicast', send: true, receive: false }]);
      assert.equal(f4.holdTime, 30);
      assert.deepEqual((await b.negotiatedCapabilities('2001:db8::2')).families, ['ipv6-unicast']);
      assert.deepEqual((await f.negotiatedCapabilities('2001:db8::1')).families, ['ipv6-unicast']);
      assert.ok(((await b.uptime('198.18.0.2')) ?? -1) >= 0);
      assert.ok(((await f.uptime('2001:db8::1')) ?? -1) >= 0);

      const atFrr = await routeAt(f, { prefix: '203.0.113.0/24' });
      assert.deepEqual(
        { nextHop: atFrr.nextHop, asPath: atFrr.asPath, c: atFrr.communities, lc: atFrr.largeCommunities, med: atFrr.med, peer: atFrr.peer },
        { nextHop: '198.18.0.1', asPath: [65001], c: ['65000:101'], lc: ['65000:1:2'], med: 5, peer: '198.18.0.1' },
      );
      const atBird = await routeAt(b, { prefix: '2001:db8:f::/48' });
      assert.deepEqual([atBird.family, atBird.nextHop, atBird.communities, atBird.peer], ['ipv6-unicast', '2001:db8::2', ['65000:6'], '2001:db8::2']);
      assert.deepEqual(await b.prefixes(), ['2001:db8:f::/48']);
      assert.deepEqual(await f.prefixes('ipv4-unicast'), ['203.0.113.0/24']);
    });
  });

  test('GoBGP and OpenBGPD establish with ADD-PATH both ways', async () => {
    await inLab('gobgp-obgpd', async (lab, ns) => {
      await ns.addLoopback('198.18.0.3', '198.18.0.4');
      // GoBGP 3 waits at least 5 s before an outgoing connect: let OpenBGPD dial.
      const g = await lab.start(gobgp.start, {
        name: 'gobgp',
        netns: ns,
        routerId: '198.18.0.3',
        localAs: 65003,
        neighbors: [{ address: '198.18.0.4', remoteAs: 65004, localAddress: '198.18.0.3', passive: true, multihop: true, addPath: { send: true, receive: true } }],
        routes: [{ prefix: '10.1.0.0/16', nextHop: '198.18.0.3', communities: ['65000:303'], med: 33, asPath: [65100] }],
      });
      const o = await lab.start(openbgpd.start, {
        name: 'obgpd',
        netns: ns,
        routerId: '198.18.0.4',
        localAs: 65004,
        neighbors: [{ address: '198.18.0.3', remoteAs: 65003, localAddress: '198.18.0.4', multihop: true, holdTime: 30, addPath: { send: true, receive: true } }],
        routes: [{ prefix: '198.51.100.0/24', nextHop: '198.18.0.4', communities: ['65000:404'], largeCommunities: ['65000:4:4'], med: 44 }],
      });
      await o.waitEstablished('198.18.0.3');
      await g.waitEstablished('198.18.0.4');
      const gc = await g.negotiatedCapabilities('198.18.0.4');
      assert.ok(gc.fourOctetAs && gc.routeRefresh, gc.raw.join('\n'));
      assert.deepEqual(gc.families, ['ipv4-unicast']);
      assert.deepEqual(gc.addPath, [{ family: 'ipv4-unicast', send: true, receive: true }]);
      assert.equal(gc.holdTime, 30);
      const oc = await o.negotiatedCapabilities('198.18.0.3');
      assert.ok(oc.fourOctetAs && oc.routeRefresh, oc.raw.join('\n'));
      assert.deepEqual(oc.addPath.find((a) => a.family === 'ipv4-unicast'), { family: 'ipv4-unicast', send: true, receive: true });
      assert.ok(((await g.uptime('198.18.0.4')) ?? -1) >= 0);
      assert.ok(((await o.uptime('198.18.0.3')) ?? -1) >= 0);

      const atGobgp = await routeAt(g, { prefix: '198.51.100.0/24' });
      assert.deepEqual([atGobgp.nextHop, atGobgp.communities, atGobgp.largeCommunities, atGobgp.med], ['198.18.0.4', ['65000:404'], ['65000:4:4'], 44]);
      const atObgpd = await routeAt(o, { prefix: '10.1.0.0/16' });
      assert.deepEqual([atObgpd.asPath, atObgpd.communities, atObgpd.med, typeof atObgpd.pathId], [[65003, 65100], ['65000:303'], 33, 'number']);
      await o.announce({ prefix: '192.0.2.0/24', nextHop: '198.18.0.4' });
      await routeAt(g, { prefix: '192.0.2.0/24' });
      assert.deepEqual(await g.prefixes(), ['192.0.2.0/24', '198.51.100.0/24']);
      assert.deepEqual(await o.prefixes(), ['10.1.0.0/16']);
      await o.withdraw('192.0.2.0/24');
      await routeGone(g, '192.0.2.0/24');

      // freeze() stops OpenBGPD's whole process tree (parent, session engine, RDE, RTR).
      const before = new Set(await ns.pids());
      await o.freeze();
      const stopped = [...before].filter((pid) => processState(pid) === 'T');
      assert.ok(stopped.length >= 4, `stopped: ${stopped.join(' ')}`);
      await o.thaw();
      assert.deepEqual([...before].filter((pid) => processState(pid) === 'T'), []);
      await o.waitEstablished('198.18.0.3');
    });
  });

  test('ExaBGP announces to BIRD; BIRD has the route with its community', async () => {
    await inLab('exa-bird', async (lab, ns) => {
      await ns.addLoopback('198.18.0.1', '198.18.0.5');
      const b = await lab.start(bird.start, {
        name: 'bird',
        netns: ns,
        routerId: '198.18.0.1',
        localAs: 65000,
        neighbors: [{ address: '198.18.0.5', remoteAs: 65000, localAddress: '198.18.0.1', passive: true }],
        routes: [{ prefix: '198.51.100.0/24', nextHop: '198.18.0.1', communities: ['65000:1'], localPref: 150 }],
      });
      const x = await lab.start(exabgp.start, {
        name: 'exabgp',
        netns: ns,
        routerId: '198.18.0.5',
        localAs: 65000,
        neighbors: [{ address: '198.18.0.1', remoteAs: 65000, localAddress: '198.18.0.5', gracefulRestart: 60 }],
        routes: [{ prefix: '203.0.113.0/24', nextHop: '198.18.0.5', communities: ['65000:101'], largeCommunities: ['65000:1:2'], localPref: 200, med: 10 }],
      });
      await x.waitEstablished('198.18.0.1');
      await b.waitEstablished('198.18.0.5');
      const xc = await x.negotiatedCapabilities('198.18.0.1');
      assert.ok(xc.fourOctetAs && xc.routeRefresh && xc.gracefulRestart, xc.raw.join('\n'));
      assert.deepEqual(xc.families, ['ipv4-unicast']);
      assert.ok(((await x.uptime('198.18.0.1')) ?? -1) >= 0);

      const r = await routeAt(b, { prefix: '203.0.113.0/24' });
      assert.deepEqual(
        { nextHop: r.nextHop, c: r.communities, lc: r.largeCommunities, lp: r.localPref, med: r.med, asPath: r.asPath, origin: r.origin },
        { nextHop: '198.18.0.5', c: ['65000:101'], lc: ['65000:1:2'], lp: 200, med: 10, asPath: [], origin: 'igp' },
      );
      // Run-time announce and withdraw through ExaBGP's command pipe.
      await x.announce({ prefix: '192.0.2.0/24', nextHop: '198.18.0.5', communities: ['65000:7'] });
      assert.deepEqual((await routeAt(b, { prefix: '192.0.2.0/24' })).communities, ['65000:7']);
      await x.withdraw('192.0.2.0/24');
      await routeGone(b, '192.0.2.0/24');
      // ExaBGP's JSON dump of received UPDATEs holds BIRD's route.
      const back = await routeAt(x, { prefix: '198.51.100.0/24' });
      assert.deepEqual([back.nextHop, back.communities, back.localPref], ['198.18.0.1', ['65000:1'], 150]);
    });
  });

  test('FRR announces a large community to GoBGP; GoBGP has it', async () => {
    await inLab('frr-gobgp', async (lab, ns) => {
      await ns.addLoopback('198.18.0.2', '198.18.0.3');
      const g = await lab.start(gobgp.start, {
        name: 'gobgp',
        netns: ns,
        routerId: '198.18.0.3',
        localAs: 65003,
        neighbors: [{ address: '198.18.0.2', remoteAs: 65002, localAddress: '198.18.0.3', passive: true, multihop: true }],
      });
      const f = await lab.start(frr.start, {
        name: 'frr',
        netns: ns,
        routerId: '198.18.0.2',
        localAs: 65002,
        neighbors: [{ address: '198.18.0.3', remoteAs: 65003, localAddress: '198.18.0.2', multihop: true }],
        routes: [{ prefix: '203.0.113.0/24', nextHop: '198.18.0.2', largeCommunities: ['65002:1:1', '65002:2:2'] }],
      });
      await f.waitEstablished('198.18.0.3');
      await g.waitEstablished('198.18.0.2');
      const fc = await f.negotiatedCapabilities('198.18.0.3');
      assert.ok(fc.fourOctetAs && fc.routeRefresh, fc.raw.join('\n'));

      const r = await routeAt(g, { prefix: '203.0.113.0/24' });
      assert.deepEqual([r.nextHop, r.asPath, r.largeCommunities, r.peer], ['198.18.0.2', [65002], ['65002:1:1', '65002:2:2'], '198.18.0.2']);
      // Run-time announce and withdraw through vtysh.
      await f.announce({ prefix: '192.0.2.0/24', nextHop: '198.18.0.2', largeCommunities: ['65002:9:9'], med: 9 });
      const r2 = await routeAt(g, { prefix: '192.0.2.0/24' });
      assert.deepEqual([r2.largeCommunities, r2.med], [['65002:9:9'], 9]);
      // A restarted daemon comes back with its config plus the routes announced since.
      const oldPid = f.pid;
      await f.restart();
      assert.notEqual(f.pid, oldPid);
      await f.waitEstablished('198.18.0.3');
      await pollUntil(async () => (await g.prefixes()).join() === '192.0.2.0/24,203.0.113.0/24', { what: 'gobgp has both FRR routes again' });
      await f.withdraw('192.0.2.0/24');
      await routeGone(g, '192.0.2.0/24');
    });
  });
});
