/**
 * FRR bgpd as a real BGP peer for tests: `start(opts)` writes `bgpd.conf` (frr-config.ts) and
 * runs bgpd alone, `bgpd -Z -S -n -P 0 -f CONF -i PID -z ZSOCK --vty_socket DIR -p PORT
 * [-l ADDR]...` (no zebra, no vty TCP port, so several can share a namespace); queries go
 * through `vtysh --vty_socket DIR -d bgpd` JSON (frr-parse.ts). Routes are announced and
 * withdrawn at run time with vtysh `network` statements and route-maps.
 *
 * Log level defaults to `critical`: without zebra bgpd logs a `zclient_send_message() failed`
 * error per prefix. Cannot: stop advertising ADD-PATH receive except with
 * `addPath: { receive: false }`.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BasePeer, prefixOf, startPeer, uniquePrefixes } from './daemon.js';
import type { FrrLogLevel } from './frr-config.js';
import { frrAnnounceCommands, frrWithdrawCommands, renderFrrConfig } from './frr-config.js';
import { parseFrrNeighbor, parseFrrPrefix, parseFrrPrefixes } from './frr-parse.js';
import { familyOf, normalizePrefix, parseJson, parseJsonSequence } from './json.js';
import type { BgpRoute, Family, NegotiatedCapabilities, NeighborState, PeerOptions, RouteFilter, RouteSpec } from './types.js';

export const FRR_BGPD = '/usr/lib/frr/bgpd';
export const VTYSH = 'vtysh';

export interface FrrOptions extends PeerOptions {
  /** bgpd log level (default `critical`). */
  logLevel?: FrrLogLevel;
}

/** Per-prefix vtysh queries batched into one vtysh run. */
const PREFIXES_PER_VTYSH = 100;

export class FrrPeer extends BasePeer {
  readonly kind = 'frr' as const;
  private readonly frrOpts: FrrOptions;

  constructor(opts: FrrOptions) {
    super(opts, 'bgpd.conf');
    this.frrOpts = opts;
  }

  /** Write the config, start bgpd and wait until vtysh answers. */
  async boot(): Promise<void> {
    await this.prepareDir();
    const locals = this.opts.neighbors.map((n) => this.localAddressFor(n));
    await writeFile(this.configFile, renderFrrConfig(this.opts, [...this.originated.values()], locals, this.frrOpts.logLevel ?? 'critical'));
    const args = ['-Z', '-S', '-n', '-P', '0', '-f', this.configFile, '-i', join(this.dir, 'bgpd.pid'), '-z', join(this.dir, 'zserv.api')];
    args.push('--vty_socket', this.dir, '-p', String(this.listenPort()));
    for (const a of this.listenAddresses()) args.push('-l', a);
    this.launch({ cmd: FRR_BGPD, args });
    await this.waitReady(async () => parseJson(await this.vtysh(['show bgp summary json']), 'vtysh show bgp summary json'));
  }

  /** Run vtysh commands against this bgpd; fails on a `%` error line. */
  async vtysh(commands: readonly string[]): Promise<string> {
    const out = await this.cli(VTYSH, ['--vty_socket', this.dir, '-d', 'bgpd', ...commands.flatMap((c) => ['-c', c])], { inNetns: false });
    const err = out.split('\n').find((l) => l.startsWith('% '));
    if (err !== undefined) throw new Error(`vtysh ${commands.join(' | ')}: ${err}`);
    return out;
  }

  private async neighborInfo(address: string): Promise<ReturnType<typeof parseFrrNeighbor>> {
    this.neighbor(address);
    const doc = parseJson(await this.vtysh([`show bgp neighbors ${address} json`]), 'vtysh show bgp neighbors');
    return parseFrrNeighbor(doc, address);
  }

  async neighborState(address: string): Promise<NeighborState> {
    return (await this.neighborInfo(address)).state;
  }

  async negotiatedCapabilities(address: string): Promise<NegotiatedCapabilities> {
    const info = await this.neighborInfo(address);
    if (info.state !== 'Established') throw new Error(`frr ${this.name}: session to ${address} is ${info.state}`);
    return info.capabilities;
  }

  async uptime(address: string): Promise<number | undefined> {
    return (await this.neighborInfo(address)).upSeconds;
  }

  async routes(filter?: RouteFilter): Promise<BgpRoute[]> {
    const afi = (f: Family): string => (f === 'ipv4-unicast' ? 'ipv4' : 'ipv6');
    let queries: string[];
    if (filter?.prefix !== undefined) {
      const p = normalizePrefix(filter.prefix);
      queries = [`show bgp ${afi(familyOf(p))} unicast ${p} json`];
    } else {
      const fams = filter?.family !== undefined ? [filter.family] : (['ipv4-unicast', 'ipv6-unicast'] as const);
      queries = [];
      for (const f of fams) {
        const doc = parseJson(await this.vtysh([`show bgp ${afi(f)} unicast json`]), 'vtysh show bgp unicast json');
        queries.push(...parseFrrPrefixes(doc).map((p) => `show bgp ${afi(f)} unicast ${p} json`));
      }
    }
    const routes: BgpRoute[] = [];
    for (let i = 0; i < queries.length; i += PREFIXES_PER_VTYSH) {
      const out = await this.vtysh(queries.slice(i, i + PREFIXES_PER_VTYSH));
      for (const doc of parseJsonSequence(out, 'vtysh show bgp PREFIX json')) routes.push(...parseFrrPrefix(doc));
    }
    return routes;
  }

  async prefixes(family?: Family): Promise<string[]> {
    const out: string[] = [];
    for (const fam of family !== undefined ? [family] : (['ipv4-unicast', 'ipv6-unicast'] as const)) {
      const doc = parseJson(await this.vtysh([`show bgp ${fam === 'ipv4-unicast' ? 'ipv4' : 'ipv6'} unicast json`]), 'vtysh show bgp unicast json');
      for (const p of parseFrrPrefixes(doc, true)) out.push(normalizePrefix(p));
    }
    return uniquePrefixes(out.map((prefix) => ({ prefix })));
  }

  async announce(route: RouteSpec): Promise<void> {
    await this.vtysh(frrAnnounceCommands(this.opts.localAs, route));
    this.originated.set(normalizePrefix(route.prefix), route);
  }

  async withdraw(route: RouteSpec | string): Promise<void> {
    const prefix = prefixOf(route);
    await this.vtysh(frrWithdrawCommands(this.opts.localAs, prefix));
    this.originated.delete(prefix);
  }
}

/** Start FRR bgpd with a config rendered from `opts`. */
export async function start(opts: FrrOptions): Promise<FrrPeer> {
  return startPeer(new FrrPeer(opts));
}
