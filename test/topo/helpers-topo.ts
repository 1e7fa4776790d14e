/**
 * The topology every test/topo file builds: one network namespace, meshrr as the route
 * reflector on 198.18.0.1 port 179, real daemons as its clients and non-clients on their own
 * `lo` addresses, all in AS 64496 (iBGP). Addresses come from 198.18.0.0/15 because BIRD and
 * FRR refuse 127/8 next hops (TESTING-PEERS.md); each daemon's routes use its own address as
 * next hop, which every daemon resolves (it is a local address of the namespace).
 *
 * meshrr's groups: `clients` (role client, cluster ID 10.255.0.1, not the router ID, so the
 * tests see which one meshrr uses) accepts anyone from 198.18.0.0/25; `nonclients` (role
 * nonClient, cluster ID left at the router ID) lists its neighbours from 198.18.0.128/25.
 * meshrr is passive: the daemons connect to it.
 *
 * Also the polling helpers the files share (a route with a given shape at a daemon, a route
 * gone), and the teardown: meshrr, then every daemon and the namespace (lab.close), kept
 * files and log tails on failure.
 */
import { isIPv6 } from 'node:net';
import { join } from 'node:path';
import type { Netns } from '../helpers/netns.js';
import { sweepStaleNetns } from '../helpers/netns.js';
import type { BgpRoute, Lab, NeighborOptions, PeerHandle } from '../helpers/peers/index.js';
import { createLab } from '../helpers/peers/index.js';
import { pollUntil } from '../helpers/poll.js';
import type { MeshrrConfigSpec, MeshrrGroupSpec, MeshrrProcess } from './helpers-meshrr.js';
import { REPO_ROOT, startMeshrr } from './helpers-meshrr.js';

/** The shared test data (MRT dumps), next to the repository. */
export const SHARED_DATA = join(REPO_ROOT, '../shared/data');
export const ASN = 64496;
export const RR_ADDRESS = '198.18.0.1';
export const RR_ADDRESS6 = '2001:db8::1';
export const RR_ID = '198.18.0.1';
/** The cluster ID of meshrr's client group (different from its router ID on purpose). */
export const CLUSTER_ID = '10.255.0.1';
export const CLIENT_RANGE = '198.18.0.0/25';
export const CLIENT_RANGE6 = '2001:db8::/121';
/** BGP establishment needs no less (FRR topotests use 130 s; our timers are short). */
export const ESTABLISH_MS = 60_000;
export const ROUTE_MS = 30_000;

export interface TopoOptions {
  /** Addresses of the non-client neighbours (inside 198.18.0.128/25). */
  nonClients?: readonly string[];
  /** Extra keys of the client group (addPath ...). */
  clientGroup?: Partial<MeshrrGroupSpec>;
  gracefulRestart?: MeshrrConfigSpec['gracefulRestart'];
  /** Also listen on 2001:db8::1 and accept clients from 2001:db8::/121 (non-clients from ::80/121). */
  ipv6?: boolean;
}

export interface Topo {
  readonly lab: Lab;
  readonly ns: Netns;
  readonly rr: MeshrrProcess;
  /** Give the namespace a `lo` address for a daemon. */
  address(a: string): Promise<void>;
  /** Neighbour options a daemon at `local` uses to reach meshrr (over IPv6 from an IPv6 `local`). */
  meshrr(local: string, extra?: Partial<NeighborOptions>): NeighborOptions;
  /** Wait until `peer` has its session(s) to meshrr (IPv4 unless `addresses` says) Established. */
  established(peer: PeerHandle, addresses?: readonly string[]): Promise<void>;
  /** Mark the run failed (files kept, logs printed at close). */
  fail(): void;
  /** Stop meshrr, every daemon and the namespace. Idempotent. */
  close(): Promise<void>;
}

export async function createTopo(label: string, opts: TopoOptions = {}): Promise<Topo> {
  await sweepStaleNetns();
  const lab = await createLab(label);
  let failed = false;
  let rr: MeshrrProcess | undefined;
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    if (failed && rr !== undefined) process.stderr.write(`# --- meshrr (${rr.logFile}) ---\n${await rr.logTail(60)}\n`);
    await rr?.stop().catch((e: unknown) => process.stderr.write(`# meshrr stop: ${String(e)}\n`));
    await lab.close({ failed });
  };
  try {
    const ns = await lab.netns(label);
    await ns.addLoopback(RR_ADDRESS);
    const v6 = opts.ipv6 === true;
    if (v6) await ns.addLoopback(RR_ADDRESS6);
    const ranges = v6 ? [CLIENT_RANGE, CLIENT_RANGE6] : [CLIENT_RANGE];
    const groups: MeshrrGroupSpec[] = [{ name: 'clients', role: 'client', clusterId: CLUSTER_ID, listenRanges: ranges, holdTime: 30, ...opts.clientGroup }];
    const nonClients = opts.nonClients ?? [];
    if (nonClients.length > 0) {
      groups.push({ name: 'nonclients', role: 'nonClient', passive: true, holdTime: 30, neighbors: nonClients.map((address) => ({ address })) });
    }
    const listen = [{ address: RR_ADDRESS, port: 179 }, ...(v6 ? [{ address: RR_ADDRESS6, port: 179 }] : [])];
    const config: MeshrrConfigSpec = { routerId: RR_ID, asn: ASN, listen, groups };
    if (opts.gracefulRestart !== undefined) config.gracefulRestart = opts.gracefulRestart;
    rr = await startMeshrr({ netns: ns, dir: lab.dir, config });
    const started = rr;
    return {
      lab,
      ns,
      rr: started,
      address: (a) => ns.addLoopback(a),
      meshrr: (local, extra = {}) => ({ address: isIPv6(local) ? RR_ADDRESS6 : RR_ADDRESS, remoteAs: ASN, localAddress: local, holdTime: 30, ...extra }),
      async established(peer, addresses = [RR_ADDRESS]) {
        for (const a of addresses) await peer.waitEstablished(a, ESTABLISH_MS);
      },
      fail() {
        failed = true;
      },
      close,
    };
  } catch (err) {
    failed = true;
    await close().catch(() => undefined);
    throw err;
  }
}

/** Run a test body; a throw marks the topology failed (kept files) and is rethrown. */
export async function guarded(topo: Topo | undefined, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (err) {
    topo?.fail();
    throw err;
  }
}

/** Poll until `peer` holds a route for `prefix` that `ok` accepts (from meshrr); return it. */
export async function routeAt(peer: PeerHandle, prefix: string, ok: (r: BgpRoute) => boolean = () => true, timeoutMs = ROUTE_MS): Promise<BgpRoute> {
  return pollUntil(
    async () => {
      const rs = await peer.routes({ prefix });
      const hit = rs.find(ok);
      // Thrown, so a timeout shows what the daemon had instead.
      if (hit === undefined) throw new Error(`routes now: ${JSON.stringify(rs)}`);
      return hit;
    },
    { what: `${peer.kind} ${peer.name} has ${prefix} as expected`, timeoutMs, intervalMs: 200 },
  );
}

/** Poll until `peer` has no route for `prefix`. */
export async function routeGone(peer: PeerHandle, prefix: string, timeoutMs = ROUTE_MS): Promise<void> {
  await pollUntil(async () => (await peer.routes({ prefix })).length === 0, { what: `${peer.kind} ${peer.name} dropped ${prefix}`, timeoutMs, intervalMs: 200 });
}

/** The attributes a reflected route must keep, for deepEqual against what the sender set. */
export function attrs(r: BgpRoute): Record<string, unknown> {
  return {
    nextHop: r.nextHop,
    asPath: r.asPath,
    origin: r.origin,
    communities: [...r.communities].sort(),
    largeCommunities: [...r.largeCommunities].sort(),
    localPref: r.localPref,
    med: r.med,
  };
}
