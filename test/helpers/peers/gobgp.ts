/**
 * GoBGP as a real BGP peer for tests: `start(opts)` writes `gobgpd.toml` (gobgp-config.ts),
 * runs `gobgpd -f CONF -t toml --api-hosts unix://DIR/gobgp.sock --pprof-disable` (the gRPC
 * API on a Unix socket, so no TCP port is taken and the CLI works from any namespace), waits
 * for `gobgp global`, then adds the routes to originate with `gobgp global rib add`. Queries
 * parse `gobgp neighbor ADDR [-j]` and `gobgp global rib -a AFI -j` (gobgp-parse.ts).
 *
 * Cannot: show ADD-PATH path IDs in its rib JSON (routes carry no `pathId`).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BasePeer, filterRoutes, prefixOf, startPeer, uniquePrefixes } from './daemon.js';
import { gobgpAddArgs, gobgpDelArgs, renderGobgpConfig } from './gobgp-config.js';
import { parseGobgpCapabilities, parseGobgpNeighbor, parseGobgpPrefixes, parseGobgpRib } from './gobgp-parse.js';
import { familyOf, normalizePrefix, parseJson } from './json.js';
import type { BgpRoute, Family, NegotiatedCapabilities, NeighborState, PeerOptions, RouteFilter, RouteSpec } from './types.js';

export const GOBGPD = 'gobgpd';
export const GOBGP = 'gobgp';

export interface GobgpOptions extends PeerOptions {
  /** gobgpd `--log-level` (default `info`). */
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
}

export class GobgpPeer extends BasePeer {
  readonly kind = 'gobgp' as const;
  /** gRPC API socket. */
  readonly socket: string;
  private readonly logLevel: string;

  constructor(opts: GobgpOptions) {
    super(opts, 'gobgpd.toml');
    this.socket = join(this.dir, 'gobgp.sock');
    this.logLevel = opts.logLevel ?? 'info';
  }

  /** Write the config, start gobgpd, wait for its API, then originate the initial routes. */
  async boot(): Promise<void> {
    await this.prepareDir();
    const locals = this.opts.neighbors.map((n) => this.localAddressFor(n));
    await writeFile(this.configFile, renderGobgpConfig(this.opts, this.listenAddresses(), this.listenPort(), locals));
    this.launch({
      cmd: GOBGPD,
      args: ['-f', this.configFile, '-t', 'toml', '--api-hosts', `unix://${this.socket}`, '--pprof-disable', '-l', this.logLevel],
    });
    await this.waitReady(() => this.gobgp(['global']));
    for (const r of this.originated.values()) await this.gobgp(gobgpAddArgs(r));
  }

  /** Run a gobgp CLI command against this daemon. */
  async gobgp(args: readonly string[]): Promise<string> {
    return this.cli(GOBGP, ['--target', `unix://${this.socket}`, ...args], { inNetns: false });
  }

  async neighborState(address: string): Promise<NeighborState> {
    this.neighbor(address);
    const doc = parseJson(await this.gobgp(['neighbor', address, '-j']), 'gobgp neighbor -j');
    return parseGobgpNeighbor(doc, Date.now()).state;
  }

  async negotiatedCapabilities(address: string): Promise<NegotiatedCapabilities> {
    this.neighbor(address);
    return parseGobgpCapabilities(await this.gobgp(['neighbor', address]));
  }

  async uptime(address: string): Promise<number | undefined> {
    this.neighbor(address);
    const doc = parseJson(await this.gobgp(['neighbor', address, '-j']), 'gobgp neighbor -j');
    return parseGobgpNeighbor(doc, Date.now()).upSeconds;
  }

  async routes(filter?: RouteFilter): Promise<BgpRoute[]> {
    const fams = filter?.prefix !== undefined ? [familyOf(filter.prefix)] : filter?.family !== undefined ? [filter.family] : (['ipv4-unicast', 'ipv6-unicast'] as const);
    const routes: BgpRoute[] = [];
    for (const fam of fams) {
      const args = ['global', 'rib', '-a', fam === 'ipv4-unicast' ? 'ipv4' : 'ipv6'];
      if (filter?.prefix !== undefined) args.push(normalizePrefix(filter.prefix));
      const out = await this.gobgp([...args, '-j']);
      if (out.trim() === '' || out.includes('Network not in table')) continue;
      routes.push(...parseGobgpRib(parseJson(out, 'gobgp global rib -j')));
    }
    return filterRoutes(routes, filter);
  }

  async prefixes(family?: Family): Promise<string[]> {
    const out: string[] = [];
    for (const fam of family !== undefined ? [family] : (['ipv4-unicast', 'ipv6-unicast'] as const)) {
      const text = await this.gobgp(['global', 'rib', '-a', fam === 'ipv4-unicast' ? 'ipv4' : 'ipv6', '-j']);
      if (text.trim() !== '') for (const p of parseGobgpPrefixes(parseJson(text, 'gobgp global rib -j'))) out.push(p);
    }
    return uniquePrefixes(out.map((prefix) => ({ prefix })));
  }

  async announce(route: RouteSpec): Promise<void> {
    await this.gobgp(gobgpAddArgs(route));
    this.originated.set(normalizePrefix(route.prefix), route);
  }

  async withdraw(route: RouteSpec | string): Promise<void> {
    const prefix = prefixOf(route);
    await this.gobgp(gobgpDelArgs(prefix));
    this.originated.delete(prefix);
  }
}

/** Start gobgpd with a config rendered from `opts`. */
export async function start(opts: GobgpOptions): Promise<GobgpPeer> {
  return startPeer(new GobgpPeer(opts));
}
