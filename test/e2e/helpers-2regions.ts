/**
 * examples/2regions-hrr as namespaces: 3 core pods (Deployment meshrr-core, pod network
 * 10.42.0.0/16), per region the a and b DaemonSet pods with their LoadBalancer addresses
 * (172.19.1.1/.2 lothlorien, 172.19.2.1/.2 mirkwood) on lo, and one BIRD router per region
 * peering with both addresses of its region, graceful restart on. Shared by the example's
 * end-to-end test and its policy test.
 */
import { bird } from '../helpers/peers/index.js';
import type { BirdPeer } from '../helpers/peers/bird.js';
import type { RouteSpec } from '../helpers/peers/types.js';
import { Cluster } from './helpers-topo.js';
import type { MeshrrPod } from './helpers-topo.js';

/** Discovery interval of the test pods (the manifests say 60). */
export const UPDATE_SECONDS = 2;
export const ASN = 65000;
/** BIRD's next hops resolve through eth0 (every test range is on-link). */
export const BIRD_IGP = 'protocol static e2e_igp { ipv4 { table igp4; }; route 0.0.0.0/0 via "eth0"; }';

export const REGIONS = {
  lothlorien: { a: '172.19.1.1', b: '172.19.1.2', podA: '10.42.1.10', podB: '10.42.1.11', router: '198.51.100.11' },
  mirkwood: { a: '172.19.2.1', b: '172.19.2.2', podA: '10.42.2.10', podB: '10.42.2.11', router: '198.51.100.21' },
} as const;
export type Region = keyof typeof REGIONS;
export const CORE_IPS = ['10.42.0.10', '10.42.0.11', '10.42.0.12'] as const;

export interface TwoRegions {
  readonly cluster: Cluster;
  readonly core: MeshrrPod[];
  readonly pods: Record<`${Region}-${'a' | 'b'}`, MeshrrPod>;
  readonly routers: Record<Region, BirdPeer>;
}

/** Routes each region's router announces: [plain, 65000:101, 65000:102]. */
export const ROUTES: Record<Region, RouteSpec[]> = {
  lothlorien: [
    { prefix: '203.0.113.0/26', nextHop: REGIONS.lothlorien.router },
    { prefix: '203.0.113.64/26', nextHop: REGIONS.lothlorien.router, communities: ['65000:101'] },
    { prefix: '203.0.113.128/26', nextHop: REGIONS.lothlorien.router, communities: ['65000:102'] },
  ],
  mirkwood: [
    { prefix: '100.64.2.0/24', nextHop: REGIONS.mirkwood.router },
    { prefix: '100.64.3.0/24', nextHop: REGIONS.mirkwood.router, communities: ['65000:101'] },
    { prefix: '100.64.4.0/24', nextHop: REGIONS.mirkwood.router, communities: ['65000:102'] },
  ],
};

export async function startTwoRegions(opts: { corePods?: number } = {}): Promise<TwoRegions> {
  const cluster = await Cluster.create('2regions-hrr');
  try {
    const n = opts.corePods ?? 3;
    const coreIps = CORE_IPS.slice(0, n);
    await cluster.setService('meshrr-core', coreIps);
    await cluster.setService('meshrr-lothlorien', [REGIONS.lothlorien.podA, REGIONS.lothlorien.podB]);
    await cluster.setService('meshrr-mirkwood', [REGIONS.mirkwood.podA, REGIONS.mirkwood.podB]);
    const starts: Promise<MeshrrPod>[] = coreIps.map((ip, i) => cluster.startPod(`core-${i}`, 'meshrr-core', ip, { updateSeconds: UPDATE_SECONDS }));
    for (const r of ['lothlorien', 'mirkwood'] as const) {
      for (const x of ['a', 'b'] as const) {
        starts.push(cluster.startPod(`${r}-${x}`, `meshrr-${r}-${x}`, REGIONS[r][x === 'a' ? 'podA' : 'podB'], { extra: [REGIONS[r][x]], updateSeconds: UPDATE_SECONDS }));
      }
    }
    const started = await Promise.all(starts);
    const core = started.slice(0, n);
    const [la, lb, ma, mb] = started.slice(n) as [MeshrrPod, MeshrrPod, MeshrrPod, MeshrrPod];
    const routers = {} as Record<Region, BirdPeer>;
    for (const r of ['lothlorien', 'mirkwood'] as const) {
      const node = await cluster.addNode(`r-${r}`, REGIONS[r].router);
      routers[r] = await bird.start({
        name: `r-${r}`,
        dir: cluster.tmp.path,
        netns: node.ns,
        routerId: REGIONS[r].router,
        localAs: ASN,
        listen: false,
        neighbors: [REGIONS[r].a, REGIONS[r].b].map((address) => ({ address, remoteAs: ASN, localAddress: REGIONS[r].router, gracefulRestart: 30 })),
        routes: ROUTES[r],
        extraConfig: BIRD_IGP,
      });
    }
    return { cluster, core, pods: { 'lothlorien-a': la, 'lothlorien-b': lb, 'mirkwood-a': ma, 'mirkwood-b': mb }, routers };
  } catch (e) {
    await cluster.destroy({ failed: true });
    throw e;
  }
}

export async function stopTwoRegions(t: TwoRegions | undefined, failed: boolean): Promise<void> {
  if (t === undefined) return;
  for (const r of Object.values(t.routers)) await r.stop({ keepFiles: failed }).catch(() => undefined);
  await t.cluster.destroy({ failed });
}
