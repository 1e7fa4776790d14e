/**
 * BIRD 2 as a real BGP peer for tests: `start(opts)` writes `bird.conf` (bird-config.ts), runs
 * `bird -f -c CONF -s CTL -P PID` (in a namespace when asked) and waits for `birdc`; queries
 * parse `birdc show protocols all` and `show route all` (bird-parse.ts). Routes are announced
 * and withdrawn at run time by rewriting the static block and export filter and running
 * `birdc configure`, which BIRD applies without resetting sessions.
 *
 * Cannot: stop listening (`listen: false` is ignored: every protocol binds its local address),
 * or show ADD-PATH path IDs in `show route` (routes carry no `pathId`).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '../netns.js';
import { birdProtocolName, renderBirdConfig } from './bird-config.js';
import { parseBirdPrefixes, parseBirdProtocol, parseBirdRoutes } from './bird-parse.js';
import { BasePeer, filterRoutes, prefixOf, startPeer, uniquePrefixes } from './daemon.js';
import { familyOf, normalizePrefix } from './json.js';
import type { BgpRoute, Family, NegotiatedCapabilities, NeighborState, PeerOptions, RouteFilter, RouteSpec } from './types.js';

export const BIRD = 'bird';
export const BIRDC = 'birdc';

export type BirdOptions = PeerOptions;

export class BirdPeer extends BasePeer {
  readonly kind = 'bird' as const;
  /** birdc control socket. */
  readonly socket: string;

  constructor(opts: BirdOptions) {
    super(opts, 'bird.conf');
    this.socket = join(this.dir, 'bird.ctl');
  }

  /** Write the config, start BIRD and wait until birdc answers. */
  async boot(): Promise<void> {
    await this.prepareDir();
    await this.writeConfig();
    this.launch({ cmd: BIRD, args: ['-f', '-c', this.configFile, '-s', this.socket, '-P', join(this.dir, 'bird.pid')] });
    await this.waitReady(() => this.birdc(['show', 'status']));
  }

  private async writeConfig(): Promise<void> {
    const text = renderBirdConfig({
      opts: this.opts,
      routes: [...this.originated.values()],
      localAddresses: this.opts.neighbors.map((n) => this.localAddressFor(n)),
      listenPort: this.opts.listen === false ? 179 : this.listenPort(),
    });
    await writeFile(this.configFile, text);
  }

  /** Run a birdc command (over the Unix socket, no namespace needed). */
  async birdc(args: readonly string[]): Promise<string> {
    const out = await this.cli(BIRDC, ['-s', this.socket, ...args], { inNetns: false });
    if (!out.startsWith('BIRD ')) throw new Error(`birdc ${args.join(' ')}: unexpected output: ${out.slice(0, 200)}`);
    return out;
  }

  private async protocol(address: string): Promise<ReturnType<typeof parseBirdProtocol>> {
    const name = birdProtocolName(this.neighborIndex(address));
    return parseBirdProtocol(await this.birdc(['show', 'protocols', 'all', name]), name);
  }

  async neighborState(address: string): Promise<NeighborState> {
    return (await this.protocol(address)).state;
  }

  async negotiatedCapabilities(address: string): Promise<NegotiatedCapabilities> {
    const info = await this.protocol(address);
    if (info.capabilities === undefined) throw new Error(`bird ${this.name}: no capabilities for ${address} (state ${info.state})`);
    return info.capabilities;
  }

  async uptime(address: string): Promise<number | undefined> {
    const info = await this.protocol(address);
    if (info.state !== 'Established' || info.since === undefined) return undefined;
    return Math.max(0, (Date.now() - info.since.getTime()) / 1000);
  }

  async routes(filter?: RouteFilter): Promise<BgpRoute[]> {
    const peerOf = (proto: string): string | undefined => {
      const m = /^n(\d+)$/.exec(proto);
      return m === null ? undefined : this.opts.neighbors[Number(m[1])]?.address;
    };
    const fams = filter?.prefix !== undefined ? [familyOf(filter.prefix)] : filter?.family !== undefined ? [filter.family] : (['ipv4-unicast', 'ipv6-unicast'] as const);
    const routes: BgpRoute[] = [];
    for (const fam of fams) {
      const table = fam === 'ipv4-unicast' ? 'master4' : 'master6';
      const args = ['show', 'route', ...(filter?.prefix === undefined ? [] : [normalizePrefix(filter.prefix)]), 'all', 'table', table];
      const res = await run(BIRDC, ['-s', this.socket, ...args], { allowFailure: true });
      if (res.code !== 0 && !res.stdout.includes('Network not found')) throw new Error(`birdc ${args.join(' ')}: ${res.stdout}${res.stderr}`);
      routes.push(...parseBirdRoutes(res.stdout, peerOf));
    }
    return filterRoutes(routes, filter);
  }

  async prefixes(family?: Family): Promise<string[]> {
    const out: string[] = [];
    for (const fam of family !== undefined ? [family] : (['ipv4-unicast', 'ipv6-unicast'] as const)) {
      const table = fam === 'ipv4-unicast' ? 'master4' : 'master6';
      for (const p of parseBirdPrefixes(await this.birdc(['show', 'route', 'table', table, 'where', 'source', '=', 'RTS_BGP']))) out.push(p);
    }
    return uniquePrefixes(out.map((prefix) => ({ prefix })));
  }

  async announce(route: RouteSpec): Promise<void> {
    this.originated.set(normalizePrefix(route.prefix), route);
    await this.reconfigure();
  }

  async withdraw(route: RouteSpec | string): Promise<void> {
    if (!this.originated.delete(prefixOf(route))) throw new Error(`bird ${this.name}: ${prefixOf(route)} is not originated`);
    await this.reconfigure();
  }

  /** Rewrite the config from the current options and routes and apply it (`birdc configure`). */
  async reconfigure(): Promise<void> {
    await this.writeConfig();
    const out = await this.birdc(['configure']);
    if (!/Reconfigured|Reconfiguration in progress/.test(out)) throw new Error(`bird ${this.name}: configure failed:\n${out}`);
  }
}

/** Start BIRD with a config rendered from `opts`. */
export async function start(opts: BirdOptions): Promise<BirdPeer> {
  return startPeer(new BirdPeer(opts));
}
