/**
 * FRR and BIRD with TCP-MD5 (RFC 2385) and GTSM (RFC 5082) towards meshrr. The peer harness
 * (test/helpers/peers/) has no option for either, so, like test/interop/helpers-daemons.ts,
 * these classes patch the rendered config just before the daemon starts: FRR gets
 * `neighbor A password K` / `neighbor A ttl-security hops N`, BIRD `password "K";`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { BirdPeer } from '../helpers/peers/bird.js';
import type { SpawnSpec } from '../helpers/peers/daemon.js';
import { startPeer } from '../helpers/peers/daemon.js';
import { FrrPeer } from '../helpers/peers/frr.js';
import type { Lab, NeighborOptions, PeerHandle, PeerOptions } from '../helpers/peers/index.js';
import { neighborTo } from '../interop/helpers-daemons.js';
import { MESHRR_AS } from '../interop/helpers-meshrr.js';

export interface SecureOptions {
  /** TCP-MD5 key the daemon uses for meshrr. */
  readonly password?: string;
  /** FRR `ttl-security hops N`. */
  readonly ttlHops?: number;
}

function patch(file: string, fn: (text: string) => string): void {
  writeFileSync(file, fn(readFileSync(file, 'utf8')));
}

class SecureFrr extends FrrPeer {
  constructor(
    opts: PeerOptions,
    private readonly sec: SecureOptions,
  ) {
    super(opts);
  }

  protected override launch(spec: SpawnSpec): void {
    patch(this.configFile, (t) =>
      t.replace(/^ neighbor (\S+) remote-as (\d+)$/gm, (line, a: string) => {
        const out = [line];
        if (this.sec.password !== undefined) out.push(` neighbor ${a} password ${this.sec.password}`);
        if (this.sec.ttlHops !== undefined) out.push(` neighbor ${a} ttl-security hops ${this.sec.ttlHops}`);
        return out.join('\n');
      }),
    );
    super.launch(spec);
  }
}

class SecureBird extends BirdPeer {
  constructor(
    opts: PeerOptions,
    private readonly sec: SecureOptions,
  ) {
    super(opts);
  }

  protected override launch(spec: SpawnSpec): void {
    if (this.sec.ttlHops !== undefined) throw new Error('BIRD: these tests use FRR for GTSM');
    patch(this.configFile, (t) => (this.sec.password === undefined ? t : t.replace(/^(\s*neighbor \S+ port \d+ as \d+;)$/gm, `$1\n  password "${this.sec.password}";`)));
    super.launch(spec);
  }
}

/**
 * A daemon in `ns` peering with meshrr at each of `targets` (meshrr's address, the daemon's
 * source address), iBGP AS 65000, with the given key and GTSM setting.
 */
export function startSecure(
  lab: Lab,
  kind: 'frr' | 'bird',
  opts: {
    name: string;
    netns: PeerOptions['netns'];
    routerId: string;
    meshrrPort: number;
    targets: readonly { meshrr: string; local: string }[];
    passive?: boolean;
    holdTime?: number;
  } & SecureOptions,
): Promise<PeerHandle> {
  const neighbors: NeighborOptions[] = opts.targets.map((t) => ({
    ...neighborTo(t.meshrr, t.local, opts.meshrrPort, { ...(opts.passive !== undefined ? { passive: opts.passive } : {}), holdTime: opts.holdTime ?? 30, gracefulRestart: false }),
    addPath: {},
  }));
  const sec: SecureOptions = { ...(opts.password !== undefined ? { password: opts.password } : {}), ...(opts.ttlHops !== undefined ? { ttlHops: opts.ttlHops } : {}) };
  const peerOpts = { name: opts.name, ...(opts.netns !== undefined ? { netns: opts.netns } : {}), routerId: opts.routerId, localAs: MESHRR_AS, neighbors };
  return lab.start((o: PeerOptions) => startPeer(kind === 'frr' ? new SecureFrr(o, sec) : new SecureBird(o, sec)), peerOpts);
}
