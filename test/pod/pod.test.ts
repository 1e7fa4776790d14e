/**
 * The pod loop (src/pod/pod.ts) with a fake RouterControl and a scripted resolver: peers
 * added, removed (Cease / Peer De-configured) and left alone, upstream replacement after the
 * grace period, allow ranges recomputed on every change and set before new peers are added,
 * DNS failures changing nothing, failed router calls retried, and the node-cron schedule
 * never overlapping runs.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { parseRouterConfig } from '../../src/config/router-config.js';
import { prefixContainsAddress, subtractAddresses } from '../../src/discovery/allow-range.js';
import { DnsError } from '../../src/discovery/dns-resolver.js';
import type { DnsLookup } from '../../src/discovery/dns-resolver.js';
import { parseMeshrrConf } from '../../src/pod/meshrr-conf.js';
import { CEASE_PEER_DECONFIGURED, cronFor, Pod } from '../../src/pod/pod.js';
import { memoryLogger } from '../discovery/helpers-log.js';
import { FakeRouter } from './helpers-router.js';
import { pollUntil } from '../helpers/poll.js';

const CONF = parseMeshrrConf(
  `asn: "65000"
bgpgroups:
  - {name: MESHRR-MESH, type: mesh, source: {hostname: meshrr}}
  - {name: MESHRR-CLIENTS, type: subtractive, prefixes: [10.42.0.0/16, "fd42::/112"]}
  - {name: MESHRR-UPSTREAM, type: mesh, source: {hostname: meshrr.core.svc.cluster.local}, max_peers: 2}
`,
  'meshrr.conf.yml',
);
const ROUTER = parseRouterConfig(
  `routerId: 10.42.0.1
asn: 65000
groups:
  - {name: MESHRR-MESH, role: nonClient}
  - {name: MESHRR-CLIENTS, role: client, listenRanges: [10.42.0.0/16, "fd42::/112"]}
  - {name: MESHRR-UPSTREAM, role: nonClient}
  - {name: STATIC, role: client, neighbors: [{address: 10.42.99.1}]}
`,
  'rr.yml',
);

const answer = (...addresses: string[]): DnsLookup => ({ kind: 'answer', name: 'n', addresses, tried: ['n'] });

function setup() {
  const dns: Record<string, DnsLookup> = {
    meshrr: answer('10.42.0.1', '10.42.0.2', 'fd42::2'),
    'meshrr.core.svc.cluster.local': answer('10.42.9.1', '10.42.9.2', '10.42.9.3'),
  };
  const router = new FakeRouter();
  const mem = memoryLogger();
  let now = 0;
  const pod = new Pod({ conf: CONF, routerConfig: ROUTER, podIp: '10.42.0.1', updateSeconds: 60, router, resolve: (h) => Promise.resolve(dns[h] ?? { kind: 'nxdomain', tried: [h] }), log: mem.log, now: () => now, random: () => 0 });
  return { pod, router, dns, mem, tick: (ms = 60_000) => (now += ms) };
}

const expectedRanges = (...peers: string[]): string[] => subtractAddresses(['10.42.0.0/16', 'fd42::/112'], ['10.42.99.1', ...peers]);

describe('Pod.runOnce', () => {
  it('adds every discovered peer, after setting the allow ranges without them', async () => {
    const { pod, router } = setup();
    const r = await pod.runOnce();
    assert.equal(r.kind, 'applied');
    const calls = router.take();
    assert.deepEqual(calls, [
      { op: 'ranges', group: 'MESHRR-CLIENTS', prefixes: expectedRanges('10.42.0.2', 'fd42::2', '10.42.9.1', '10.42.9.2') },
      { op: 'add', group: 'MESHRR-MESH', address: '10.42.0.2' },
      { op: 'add', group: 'MESHRR-MESH', address: 'fd42::2' },
      { op: 'add', group: 'MESHRR-UPSTREAM', address: '10.42.9.1' },
      { op: 'add', group: 'MESHRR-UPSTREAM', address: '10.42.9.2' },
    ]);
    assert.deepEqual([...pod.peers.groups], [['MESHRR-MESH', ['10.42.0.2', 'fd42::2']], ['MESHRR-UPSTREAM', ['10.42.9.1', '10.42.9.2']]]);
    // The status API shows the last run: per group the answer and every decision with its reason.
    const up = pod.lastRun?.groups.find((g) => g.group === 'MESHRR-UPSTREAM');
    assert.deepEqual(up?.answer, ['10.42.9.1', '10.42.9.2', '10.42.9.3']);
    assert.deepEqual(up?.decisions.map((d) => [d.address, d.action]), [['10.42.9.1', 'add'], ['10.42.9.2', 'add']]);
    assert.ok(up?.decisions.every((d) => d.reason.length > 0));
    const ranges = router.ranges.get('MESHRR-CLIENTS') ?? [];
    for (const a of [...router.neighbors.keys(), '10.42.99.1']) assert.ok(!ranges.some((p) => prefixContainsAddress(p, a)), `${a} outside the allow ranges`);
  });

  it('makes no router call when nothing changed', async () => {
    const { pod, router } = setup();
    await pod.runOnce();
    router.take();
    const r = await pod.runOnce();
    assert.equal(r.kind, 'unchanged');
    assert.deepEqual(router.take(), []);
  });

  it('removes a peer gone from DNS with Cease / Peer De-configured, leaves the others alone, widens the ranges', async () => {
    const { pod, router, dns } = setup();
    await pod.runOnce();
    router.take();
    dns.meshrr = answer('10.42.0.1', 'fd42::2', '10.42.0.3');
    const r = await pod.runOnce();
    assert.deepEqual(r.removed, [{ group: 'MESHRR-MESH', address: '10.42.0.2' }]);
    assert.deepEqual(r.added, [{ group: 'MESHRR-MESH', address: '10.42.0.3' }]);
    assert.deepEqual(router.take(), [
      { op: 'remove', address: '10.42.0.2', notification: { code: 6, subcode: 3 } },
      { op: 'ranges', group: 'MESHRR-CLIENTS', prefixes: expectedRanges('fd42::2', '10.42.0.3', '10.42.9.1', '10.42.9.2') },
      { op: 'add', group: 'MESHRR-MESH', address: '10.42.0.3' },
    ]);
    assert.equal(CEASE_PEER_DECONFIGURED.subcode, 3);
    assert.deepEqual(pod.listenRanges.get('MESHRR-CLIENTS'), expectedRanges('fd42::2', '10.42.0.3', '10.42.9.1', '10.42.9.2'));
  });

  it('replaces an upstream peer that is not Established after the grace period', async () => {
    const { pod, router, tick } = setup();
    router.neverUp.add('10.42.9.1');
    await pod.runOnce();
    router.take();
    tick();
    assert.equal((await pod.runOnce()).kind, 'unchanged', 'still within the grace period');
    tick();
    const r = await pod.runOnce();
    assert.deepEqual(router.take(), [
      { op: 'remove', address: '10.42.9.1', notification: CEASE_PEER_DECONFIGURED },
      { op: 'ranges', group: 'MESHRR-CLIENTS', prefixes: expectedRanges('10.42.0.2', 'fd42::2', '10.42.9.2', '10.42.9.3') },
      { op: 'add', group: 'MESHRR-UPSTREAM', address: '10.42.9.3' },
    ]);
    assert.deepEqual(r.rangesSet, ['MESHRR-CLIENTS']);
    assert.deepEqual(pod.peers.groups.get('MESHRR-UPSTREAM'), ['10.42.9.2', '10.42.9.3']);
  });

  it('changes nothing when DNS fails, and carries on when it is back', async () => {
    const { pod, router, dns } = setup();
    await pod.runOnce();
    router.take();
    const saved = dns.meshrr as DnsLookup;
    dns.meshrr = { kind: 'failed', error: new DnsError('MESHRR_DNS_UNREACHABLE', 'meshrr', 'A', null), tried: ['meshrr'] };
    dns['meshrr.core.svc.cluster.local'] = answer('10.42.9.3');
    assert.equal((await pod.runOnce()).kind, 'dnsFailed');
    assert.deepEqual(router.take(), []);
    assert.equal(router.neighbors.size, 4);
    dns.meshrr = saved;
    const r = await pod.runOnce();
    assert.equal(r.kind, 'applied');
    assert.deepEqual(r.removed.map((p) => p.address), ['10.42.9.1', '10.42.9.2']);
  });

  it('retries a router call that failed at the next run', async () => {
    const { pod, router, mem } = setup();
    router.failOnce.add('add fd42::2');
    const r = await pod.runOnce();
    assert.equal(r.failures, 1);
    assert.deepEqual(pod.peers.groups.get('MESHRR-MESH'), ['10.42.0.2']);
    assert.equal(mem.named('routerCallFailed').length, 1);
    router.take();
    const r2 = await pod.runOnce();
    assert.deepEqual(r2.added, [{ group: 'MESHRR-MESH', address: 'fd42::2' }]);
    assert.deepEqual(pod.peers.groups.get('MESHRR-MESH'), ['10.42.0.2', 'fd42::2']);
  });
});

describe('Pod.runSoon (a watched source changed)', () => {
  it('runs at once, or again right after a run in progress', async () => {
    const { pod, router, dns } = setup();
    await pod.runSoon();
    router.take();
    // A change seen while a run is under way: applied by a run right after it.
    const first = pod.runOnce();
    dns['meshrr'] = answer('10.42.0.1', '10.42.0.2', '10.42.0.3');
    await pod.runSoon();
    await first;
    await pollUntil(() => router.neighbors.has('10.42.0.3'), { what: 'the peer added by the follow-up run', timeoutMs: 2000, intervalMs: 10 });
    assert.deepEqual(pod.peers.groups.get('MESHRR-MESH'), ['10.42.0.2', '10.42.0.3']);
  });
});

describe('Pod.reconfigure (reloaded meshrr.conf.yml)', () => {
  it('keeps the peers of unchanged groups, follows a new hostname and new subtractive prefixes', async () => {
    const { pod, router, dns } = setup();
    await pod.runOnce();
    router.take();
    dns['meshrr.region2'] = answer('10.42.0.7');
    const conf = parseMeshrrConf(
      `asn: "65000"
bgpgroups:
  - {name: MESHRR-MESH, type: mesh, source: {hostname: meshrr.region2}}
  - {name: MESHRR-CLIENTS, type: subtractive, prefixes: [10.42.0.0/17]}
  - {name: MESHRR-UPSTREAM, type: mesh, source: {hostname: meshrr.core.svc.cluster.local}, max_peers: 2}
`,
      'meshrr.conf.yml',
    );
    const r = await pod.reconfigure(conf, ROUTER);
    assert.deepEqual(r.added, [{ group: 'MESHRR-MESH', address: '10.42.0.7' }]);
    assert.deepEqual(r.removed.map((p) => p.address).sort(), ['10.42.0.2', 'fd42::2']);
    const calls = router.take();
    assert.ok(!calls.some((c) => c.op !== 'ranges' && 'address' in c && String(c.address).startsWith('10.42.9.')), 'the upstream peers are left alone');
    assert.deepEqual(pod.listenRanges.get('MESHRR-CLIENTS'), subtractAddresses(['10.42.0.0/17'], ['10.42.99.1', '10.42.0.7', '10.42.9.1', '10.42.9.2']));
  });

  it('drops the discovered peers of a mesh group that is gone', async () => {
    const { pod, router } = setup();
    await pod.runOnce();
    router.take();
    const conf = parseMeshrrConf(
      `asn: "65000"
bgpgroups:
  - {name: MESHRR-CLIENTS, type: subtractive, prefixes: [10.42.0.0/16, "fd42::/112"]}
  - {name: MESHRR-UPSTREAM, type: mesh, source: {hostname: meshrr.core.svc.cluster.local}, max_peers: 2}
`,
      'meshrr.conf.yml',
    );
    await pod.reconfigure(conf, ROUTER);
    assert.deepEqual([...pod.peers.groups.keys()], ['MESHRR-UPSTREAM']);
  });
});

describe('schedule', () => {
  it('maps UPDATE_SECONDS to cron expressions', () => {
    assert.deepEqual(cronFor(30), { expression: '*/30 * * * * *', gated: false });
    assert.deepEqual(cronFor(60), { expression: '0 */1 * * * *', gated: false });
    assert.deepEqual(cronFor(300), { expression: '0 */5 * * * *', gated: false });
    assert.deepEqual(cronFor(7200), { expression: '0 0 */2 * * *', gated: false });
    assert.deepEqual(cronFor(45), { expression: '* * * * * *', gated: true });
  });

  it('runs every UPDATE_SECONDS with node-cron and never overlaps a slow run', async () => {
    const router = new FakeRouter();
    const mem = memoryLogger();
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    const pod = new Pod({
      conf: CONF,
      routerConfig: ROUTER,
      podIp: '10.42.0.1',
      updateSeconds: 1,
      router,
      log: mem.log,
      resolve: async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        runs++;
        await new Promise((r) => setTimeout(r, 1300));
        active--;
        return answer('10.42.0.2');
      },
    });
    await pod.start();
    await new Promise((r) => setTimeout(r, 4200));
    await pod.stop();
    assert.ok(runs >= 4, `ran ${runs / 2} times`);
    assert.ok(maxActive <= 2, 'one run at a time (two groups resolve in parallel)');
    assert.equal(mem.named('discoveryScheduled').length, 1);
  });
});
