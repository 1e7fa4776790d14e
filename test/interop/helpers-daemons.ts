/**
 * The five real daemons as the interop tests run them: each one in its own namespace (see
 * helpers-net.ts), iBGP AS 65000 towards meshrr, with every capability the daemon can
 * advertise switched on. The harness (test/helpers/peers/) has no option for extended
 * messages (BIRD, ExaBGP) or enhanced route refresh (OpenBGPD, off by default there), so the
 * classes below patch the rendered config file just before the daemon is launched: the
 * harness's own rendering, plus one line per neighbour.
 *
 * Also: what each daemon advertises with this config (`ADVERTISES`), checked against the
 * OPEN meshrr received, so a daemon upgrade that changes its defaults shows up here.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { BirdPeer } from '../helpers/peers/bird.js';
import type { SpawnSpec } from '../helpers/peers/daemon.js';
import { startPeer } from '../helpers/peers/daemon.js';
import { ExabgpPeer } from '../helpers/peers/exabgp.js';
import { FrrPeer } from '../helpers/peers/frr.js';
import { GobgpPeer } from '../helpers/peers/gobgp.js';
import type { Lab, NeighborOptions, PeerHandle, PeerKind, PeerOptions } from '../helpers/peers/index.js';
import { OpenbgpdPeer } from '../helpers/peers/openbgpd.js';
import type { Link } from './helpers-net.js';
import { MESHRR_AS } from './helpers-meshrr.js';

export const ALL_KINDS: readonly PeerKind[] = ['bird', 'frr', 'gobgp', 'openbgpd', 'exabgp'];

/** The kinds to test: all five, or those listed in INTEROP_KINDS (comma-separated) for debugging. */
export const KINDS: readonly PeerKind[] = ((): readonly PeerKind[] => {
  const only = process.env['INTEROP_KINDS'];
  if (only === undefined || only === '') return ALL_KINDS;
  return ALL_KINDS.filter((k) => only.split(',').includes(k));
})();

/** Rewrite `file` in place with `patch` (synchronously: called from `launch`). */
function patchFile(file: string, patch: (text: string) => string): void {
  writeFileSync(file, patch(readFileSync(file, 'utf8')));
}

class BirdX extends BirdPeer {
  protected override launch(spec: SpawnSpec): void {
    // RFC 8654 is off by default in BIRD 2.0.
    patchFile(this.configFile, (t) => t.replace(/^(\s*neighbor \S+ port \d+ as \d+;)$/gm, '$1\n  enable extended messages;'));
    super.launch(spec);
  }
}

class OpenbgpdX extends OpenbgpdPeer {
  protected override launch(spec: SpawnSpec): void {
    // RFC 7313 is off by default in OpenBGPD ("announce enhanced refresh", bgpd.conf(5)).
    patchFile(this.configFile, (t) => t.replace(/^(\s*remote-as \d+)$/gm, '$1\n  announce enhanced refresh yes'));
    super.launch(spec);
  }
}

class ExabgpX extends ExabgpPeer {
  protected override launch(spec: SpawnSpec): void {
    patchFile(this.configFile, (t) => t.replace(/^(\s*capability \{)$/gm, '$1\n    extended-message;'));
    super.launch(spec);
  }
}

/** Start a daemon of `kind` with the config patches above. */
export function starter(kind: PeerKind): (opts: PeerOptions) => Promise<PeerHandle> {
  switch (kind) {
    case 'bird':
      return (o) => startPeer(new BirdX(o));
    case 'frr':
      return (o) => startPeer(new FrrPeer(o));
    case 'gobgp':
      return (o) => startPeer(new GobgpPeer(o));
    case 'openbgpd':
      return (o) => startPeer(new OpenbgpdX(o));
    case 'exabgp':
      return (o) => startPeer(new ExabgpX(o));
  }
}

/** What each daemon advertises in its OPEN with `neighborTo(...)` (graceful restart on). */
export interface Advertised {
  routeRefresh: boolean;
  enhancedRouteRefresh: boolean;
  gracefulRestart: boolean;
  extendedMessage: boolean;
  addPath: boolean;
}

export const ADVERTISES: Readonly<Record<PeerKind, Advertised>> = {
  bird: { routeRefresh: true, enhancedRouteRefresh: true, gracefulRestart: true, extendedMessage: true, addPath: true },
  frr: { routeRefresh: true, enhancedRouteRefresh: true, gracefulRestart: true, extendedMessage: true, addPath: true },
  gobgp: { routeRefresh: true, enhancedRouteRefresh: false, gracefulRestart: true, extendedMessage: false, addPath: true },
  openbgpd: { routeRefresh: true, enhancedRouteRefresh: true, gracefulRestart: true, extendedMessage: false, addPath: true },
  exabgp: { routeRefresh: true, enhancedRouteRefresh: true, gracefulRestart: true, extendedMessage: true, addPath: true },
};

/**
 * The daemon's neighbour entry for meshrr at `address` (meshrr's listener on `port`):
 * iBGP, both unicast families, ADD-PATH both ways, graceful restart unless switched off.
 */
export function neighborTo(
  address: string,
  localAddress: string,
  port: number,
  opts: { passive?: boolean; holdTime?: number; gracefulRestart?: boolean } = {},
): NeighborOptions {
  return {
    address,
    remoteAs: MESHRR_AS,
    port,
    localAddress,
    families: ['ipv4-unicast', 'ipv6-unicast'],
    ...(opts.passive === true ? { passive: true } : {}),
    ...(opts.holdTime !== undefined ? { holdTime: opts.holdTime } : {}),
    gracefulRestart: opts.gracefulRestart === false ? false : 120,
    addPath: { send: true, receive: true },
  };
}

/** A daemon on `link`, peering with meshrr over IPv4 and IPv6 transport (two sessions). */
export async function startOnLink(
  lab: Lab,
  kind: PeerKind,
  link: Link,
  name: string,
  meshrrPort: number,
  opts: { passive?: boolean; holdTime?: number; v6?: boolean; gracefulRestart?: boolean } = {},
): Promise<PeerHandle> {
  const n = {
    ...(opts.passive !== undefined ? { passive: opts.passive } : {}),
    ...(opts.holdTime !== undefined ? { holdTime: opts.holdTime } : {}),
    ...(opts.gracefulRestart !== undefined ? { gracefulRestart: opts.gracefulRestart } : {}),
  };
  const neighbors = [neighborTo(link.root4, link.peer4, meshrrPort, n)];
  if (opts.v6 !== false) neighbors.push(neighborTo(link.root6, link.peer6, meshrrPort, n));
  return lab.start(starter(kind), {
    name,
    netns: link.ns,
    routerId: link.peer4,
    localAs: MESHRR_AS,
    neighbors,
  });
}
