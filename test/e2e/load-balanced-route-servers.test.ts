/**
 * examples/load-balanced-route-servers end to end (issue 8): one route-server pod of each
 * StatefulSet (a and b) with its LoadBalancer address on lo (172.19.10.1, 172.19.10.2), the
 * example's ConfigMap (route-server mode, AS "65000.1" = 4259840001, EVPN + IPv4 unicast,
 * clients from 192.168.0.0/16 with AS 65001-65535), and two GoBGP routers (AS 65001 and
 * 65002, 192.168.x) peering eBGP multihop with both addresses.
 *
 * Proves: the route servers mesh through dnsmasq; both routers come up on both addresses
 * with AS 4259840001 (only possible with 4-octet AS) for IPv4 and EVPN; an IPv4 route and an
 * EVPN MAC/IP route of one router reach the other through either route server with the next
 * hop and AS_PATH unchanged
 * (RFC 7947: a route server adds no AS); a router outside the AS range is refused. Then the
 * b pod dies and a replacement with a new pod IP takes over address b: within one discovery
 * interval it meshes with a, the routers' sessions to address b come back, their sessions to
 * address a keep their uptime, and the routes stay at the receiving router throughout.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { gobgp } from '../helpers/peers/index.js';
import type { GobgpPeer } from '../helpers/peers/gobgp.js';
import type { Family } from '../helpers/peers/types.js';
import { pollUntil } from '../helpers/poll.js';
import { Cluster, establishedPeers, invariant, sessions } from './helpers-topo.js';
import type { MeshrrPod } from './helpers-topo.js';

const UPDATE_SECONDS = 2;
const ASN = 4259840001; // "65000.1"
const LB = { a: '172.19.10.1', b: '172.19.10.2' } as const;
const POD = { a: '10.42.4.10', b: '10.42.4.20', bReplacement: '10.42.4.21' } as const;
const ROUTERS = [
  { name: 'c1', address: '192.168.1.11', as: 65001 },
  { name: 'c2', address: '192.168.2.11', as: 65002 },
] as const;
const PREFIX = '203.0.113.0/24';
const MAC = 'aa:bb:cc:00:00:01';
/** The harness types only unicast families; GoBGP's config takes its own name for EVPN as is. */
const FAMILIES: Family[] = ['ipv4-unicast', 'l2vpn-evpn' as Family];

interface EvpnPath {
  nlri?: { type?: number; value?: { mac?: string; ip?: string; rd?: unknown } };
  attrs?: { type?: number; nexthop?: string; as_paths?: { asns?: number[] }[]; value?: unknown }[];
  'source-id'?: string;
  'neighbor-ip'?: string;
}

/** EVPN MAC/IP routes in a GoBGP RIB: mac, next hop, AS_PATH, neighbour. */
async function evpnRoutes(peer: GobgpPeer): Promise<{ mac: string; nextHop: string; asPath: number[]; neighbor: string }[]> {
  const text = await peer.gobgp(['global', 'rib', '-a', 'evpn', '-j']);
  const doc = JSON.parse(text === '' ? '{}' : text) as Record<string, EvpnPath[]>;
  const out: { mac: string; nextHop: string; asPath: number[]; neighbor: string }[] = [];
  for (const paths of Object.values(doc)) {
    for (const p of paths) {
      const mac = p.nlri?.value?.mac ?? '';
      const mp = p.attrs?.find((a) => a.type === 14);
      const nh = mp?.nexthop ?? p.attrs?.find((a) => a.type === 3)?.nexthop ?? '';
      const asPath = p.attrs?.find((a) => a.type === 2)?.as_paths?.flatMap((s) => s.asns ?? []) ?? [];
      out.push({ mac, nextHop: nh, asPath, neighbor: p['neighbor-ip'] ?? '' });
    }
  }
  return out;
}

describe('examples/load-balanced-route-servers end to end', { timeout: 150_000 }, () => {
  let cluster: Cluster | undefined;
  let rs: Record<'a' | 'b', MeshrrPod>;
  const routers: GobgpPeer[] = [];
  let failed = false;
  const guard = async (fn: () => Promise<void>): Promise<void> => {
    try {
      await fn();
    } catch (e) {
      failed = true;
      throw e;
    }
  };

  before(async () => {
    cluster = await Cluster.create('load-balanced-route-servers');
    await cluster.setService('meshrr-rs', [POD.a, POD.b]);
    const [a, b] = await Promise.all([
      cluster.startPod('rs-a-0', 'meshrr-rs-a', POD.a, { extra: [LB.a], updateSeconds: UPDATE_SECONDS }),
      cluster.startPod('rs-b-0', 'meshrr-rs-b', POD.b, { extra: [LB.b], updateSeconds: UPDATE_SECONDS }),
    ]);
    rs = { a, b };
    for (const r of ROUTERS) {
      const node = await cluster.addNode(r.name, r.address);
      routers.push(
        await gobgp.start({
          name: r.name,
          dir: cluster.tmp.path,
          netns: node.ns,
          routerId: r.address,
          localAs: r.as,
          listen: false,
          neighbors: [LB.a, LB.b].map((address) => ({ address, remoteAs: ASN, localAddress: r.address, multihop: 10, families: FAMILIES, gracefulRestart: 30 })),
        }),
      );
    }
  });
  after(async () => {
    for (const r of routers) await r.stop({ keepFiles: failed }).catch(() => undefined);
    await cluster?.destroy({ failed });
  });

  it('meshes the route servers and brings up both routers on both addresses', () =>
    guard(async () => {
      await pollUntil(async () => (await establishedPeers(rs.a)).has(POD.b) && (await establishedPeers(rs.b)).has(POD.a), { what: 'route servers meshed', timeoutMs: 60_000 });
      for (const r of routers) for (const a of [LB.a, LB.b]) await r.waitEstablished(a, 60_000);
    }));

  it('passes IPv4 and EVPN routes between eBGP routers with next hop and AS_PATH unchanged', () =>
    guard(async () => {
      const [c1, c2] = routers as [GobgpPeer, GobgpPeer];
      await c1.announce({ prefix: PREFIX, nextHop: ROUTERS[0].address });
      await c1.gobgp(['global', 'rib', '-a', 'evpn', 'add', 'macadv', MAC, '10.10.10.1', 'etag', '0', 'label', '10', 'rd', '65001:10', 'rt', '65001:10', 'nexthop', ROUTERS[0].address]);
      const v4 = await pollUntil(async () => {
        const rs4 = await c2.routes({ prefix: PREFIX });
        return rs4.length === 2 ? rs4 : null;
      }, { what: `c2 has ${PREFIX} from both route servers`, timeoutMs: 30_000 });
      for (const r of v4) {
        assert.equal(r.nextHop, ROUTERS[0].address, 'next hop unchanged');
        assert.deepEqual(r.asPath, [ROUTERS[0].as], 'the route server adds no AS (RFC 7947 §2.2.2)');
        assert.equal(r.originatorId, undefined, 'no ORIGINATOR_ID over eBGP');
        assert.deepEqual(r.clusterList, []);
      }
      const evpn = await pollUntil(async () => {
        const e = (await evpnRoutes(c2)).filter((x) => x.mac === MAC);
        return e.length === 2 ? e : null;
      }, { what: 'c2 has the EVPN MAC/IP route from both route servers', timeoutMs: 30_000 });
      for (const e of evpn) {
        assert.equal(e.nextHop, ROUTERS[0].address, 'EVPN next hop unchanged');
        assert.deepEqual(e.asPath, [ROUTERS[0].as]);
      }
    }));

  it('refuses a router whose AS is outside 65001-65535', () =>
    guard(async () => {
      const node = await cluster!.addNode('c-bad-as', '192.168.9.9');
      const bad = await gobgp.start({
        name: 'c-bad-as',
        dir: cluster!.tmp.path,
        netns: node.ns,
        routerId: '192.168.9.9',
        localAs: 64999,
        listen: false,
        neighbors: [{ address: LB.a, remoteAs: ASN, localAddress: '192.168.9.9', multihop: 10 }],
      });
      try {
        await rs.a.process.waitLog('notificationSent', (l) => String(l['peer']).startsWith('192.168.9.9'), 20_000);
        assert.notEqual(await bad.neighborState(LB.a), 'Established');
      } finally {
        await bad.stop();
      }
    }));

  it('heals within one discovery interval when the b pod is replaced by one with a new IP', () =>
    guard(async () => {
      const [c1, c2] = routers as [GobgpPeer, GobgpPeer];
      const upA = await Promise.all(routers.map((r) => r.uptime(LB.a)));
      const beforeA = sessions(await rs.a.process.logs());
      await cluster!.killPod(rs.b);
      const replacement = await cluster!.startPod('rs-b-1', 'meshrr-rs-b', POD.bReplacement, { extra: [LB.b], updateSeconds: UPDATE_SECONDS });
      const changed = Date.now();
      await cluster!.setService('meshrr-rs', [POD.a, POD.bReplacement]);
      await pollUntil(async () => {
        await cluster!.assertPodsAlive();
        invariant((await c2.routes({ prefix: PREFIX })).length > 0, `c2 lost ${PREFIX} during the heal`);
        return (await establishedPeers(rs.a)).has(POD.bReplacement) && (await establishedPeers(replacement)).has(POD.a);
      }, { what: 'a meshed with the replacement', timeoutMs: 30_000, intervalMs: 200 });
      const took = Date.now() - changed;
      assert.ok(took <= UPDATE_SECONDS * 1000 + 3000, `healed in ${took} ms, more than one interval of ${UPDATE_SECONDS} s plus 3 s`);
      for (const r of [c1, c2]) await r.waitEstablished(LB.b, 30_000);
      const upA2 = await Promise.all(routers.map((r) => r.uptime(LB.a)));
      upA.forEach((u, i) => assert.ok(u !== undefined && upA2[i] !== undefined && upA2[i]! >= u, `${ROUTERS[i]!.name} kept its session with address a`));
      const afterA = sessions(await rs.a.process.logs());
      for (const r of ROUTERS) {
        const k = [...beforeA.keys()].find((x) => x === r.address);
        if (k !== undefined) assert.equal(afterA.get(k)?.since, beforeA.get(k)?.since, `rs-a's session with ${r.name} not reset`);
      }
      // The replacement serves the routers again: c2 gets c1's route through address b too.
      await pollUntil(async () => (await c2.routes({ prefix: PREFIX })).some((r) => r.peer === LB.b), { what: `c2 has ${PREFIX} from address b again`, timeoutMs: 30_000 });
      process.stderr.write(`# load-balanced-route-servers: healed ${took} ms after the DNS change (UPDATE_SECONDS=${UPDATE_SECONDS})\n`);
    }));
});
