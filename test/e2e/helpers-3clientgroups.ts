/**
 * examples/3clientgroups as namespaces: 2 reflector pods (Deployment meshrr-3clientgroups) and
 * one BIRD router per address listed in the example's EndpointSlices (full table: 2, partial
 * table: 1, default only: 1). dnsmasq answers each selector-less headless Service with its
 * EndpointSlice addresses, as CoreDNS does. The routers accept the reflectors (passive
 * neighbours for the pod addresses, standing in for `bgp listen range` / Junos `allow`).
 * Router full-1 announces the table: a route originated inside the AS (empty AS_PATH), one
 * learned from outside (AS_PATH 64500) and the default route.
 */
import { bird } from '../helpers/peers/index.js';
import type { BirdPeer } from '../helpers/peers/bird.js';
import type { RouteSpec } from '../helpers/peers/types.js';
import { arr, obj, str } from '../manifests/helpers-manifests.js';
import { BIRD_IGP } from './helpers-2regions.js';
import { Cluster } from './helpers-topo.js';
import type { MeshrrPod } from './helpers-topo.js';

export const UPDATE_SECONDS = 2;
export const RR_IPS = ['10.42.3.10', '10.42.3.11'] as const;
/** Where the replacement reflector of the heal test comes up. */
export const RR_REPLACEMENT_IP = '10.42.3.12';
export const CLASSES = ['fulltable', 'partialtable', 'defaultonly'] as const;
export type ClientClass = (typeof CLASSES)[number];

export const TABLE = {
  internal: '203.0.113.0/24',
  external: '100.64.0.0/24',
  default: '0.0.0.0/0',
} as const;

export interface ThreeClientGroups {
  readonly cluster: Cluster;
  readonly rrs: MeshrrPod[];
  /** Routers by class, in EndpointSlice order. */
  readonly routers: Record<ClientClass, { address: string; peer: BirdPeer }[]>;
}

export async function startThreeClientGroups(): Promise<ThreeClientGroups> {
  const cluster = await Cluster.create('3clientgroups');
  try {
    const members = {} as Record<ClientClass, string[]>;
    for (const c of CLASSES) {
      const slices = cluster.docs.filter((d) => d.kind === 'EndpointSlice' && obj(obj(d.body['metadata'])['labels'])['kubernetes.io/service-name'] === `meshrr-${c}-clients`);
      members[c] = slices.flatMap((s) => arr(s.body['endpoints']).flatMap((e) => arr(obj(e)['addresses']).map(str)));
      await cluster.setService(`meshrr-${c}-clients`, members[c]);
    }
    await cluster.setService('meshrr-3clientgroups', [...RR_IPS]);
    // Routers first: the reflectors connect to them as soon as they have discovered them.
    const routers = {} as ThreeClientGroups['routers'];
    const first = members.fulltable[0];
    for (const c of CLASSES) {
      routers[c] = [];
      for (const [i, address] of members[c].entries()) {
        const node = await cluster.addNode(`${c.slice(0, 4)}-${i}`, address);
        const routes: RouteSpec[] = address === first
          ? [
              { prefix: TABLE.internal, nextHop: address },
              { prefix: TABLE.external, nextHop: address, asPath: [64500] },
              { prefix: TABLE.default, nextHop: address },
            ]
          : [];
        const peer = await bird.start({
          name: `${c}-${i}`,
          dir: cluster.tmp.path,
          netns: node.ns,
          routerId: address,
          localAs: 65000,
          neighbors: [...RR_IPS, RR_REPLACEMENT_IP].map((a) => ({ address: a, remoteAs: 65000, localAddress: address, passive: true, gracefulRestart: 30 })),
          routes,
          extraConfig: BIRD_IGP,
        });
        routers[c].push({ address, peer });
      }
    }
    const rrs = await Promise.all(RR_IPS.map((ip, i) => cluster.startPod(`rr-${i}`, 'meshrr-3clientgroups', ip, { updateSeconds: UPDATE_SECONDS })));
    return { cluster, rrs, routers };
  } catch (e) {
    await cluster.destroy({ failed: true });
    throw e;
  }
}

export async function stopThreeClientGroups(t: ThreeClientGroups | undefined, failed: boolean): Promise<void> {
  if (t === undefined) return;
  for (const c of CLASSES) for (const r of t.routers[c]) await r.peer.stop({ keepFiles: failed }).catch(() => undefined);
  await t.cluster.destroy({ failed });
}
