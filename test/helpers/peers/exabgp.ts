/**
 * ExaBGP 4.2 as a real BGP peer (and UPDATE injector) for tests: `start(opts)` writes
 * `exabgp.conf` (exabgp-config.ts), runs `exabgp CONF` with the environment ExaBGP needs here
 * (no CLI pipes, log to stdout, stay root) and waits for "loaded new configuration
 * successfully" in its log. Routes are announced and withdrawn at run time by appending API
 * commands to the file `tail -F` feeds it (`command()` sends any other API line, e.g. raw
 * `attribute [...]` announcements). Everything ExaBGP reports (state changes, OPENs, parsed
 * UPDATEs) lands as JSON lines in `received.jsonl`; `messages()` returns them and the queries
 * derive state, capabilities and the Adj-RIB-In from them (exabgp-parse.ts).
 *
 * Cannot: reflect routes (`rrClient` is rejected); TTL is never restricted, so `multihop` is a
 * no-op; it does not report neighbours it never connected to (state `Idle`).
 */
import { appendFile, chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BasePeer, filterRoutes, prefixOf, startPeer, uniquePrefixes } from './daemon.js';
import { exabgpAnnounceCommand, exabgpEnv, exabgpWithdrawCommand, renderExabgpConfig } from './exabgp-config.js';
import { exabgpCapabilities, exabgpRoutes, exabgpState, parseExabgpDump } from './exabgp-parse.js';
import type { JsonRecord } from './json.js';
import { normalizePrefix } from './json.js';
import type { BgpRoute, Family, NegotiatedCapabilities, NeighborState, PeerOptions, RouteFilter, RouteSpec } from './types.js';

export const EXABGP = 'exabgp';

export type ExabgpOptions = PeerOptions;

export class ExabgpPeer extends BasePeer {
  readonly kind = 'exabgp' as const;
  /** Append API command lines here (the `ctl` process tails it). */
  readonly commandFile: string;
  /** ExaBGP's JSON events, one per line. */
  readonly dumpFile: string;

  constructor(opts: ExabgpOptions) {
    super(opts, 'exabgp.conf');
    this.commandFile = join(this.dir, 'commands');
    this.dumpFile = join(this.dir, 'received.jsonl');
  }

  /** Write config and helper files, start ExaBGP and wait until it loaded the config. */
  async boot(): Promise<void> {
    await this.prepareDir();
    const dumpScript = join(this.dir, 'dump.sh');
    // No `exec`: the shell must keep ExaBGP's stdout pipe open (see exabgp-config.ts).
    await writeFile(dumpScript, `#!/bin/sh\ncat >> '${this.dumpFile}'\n`);
    await chmod(dumpScript, 0o755);
    await writeFile(this.commandFile, '');
    await writeFile(this.dumpFile, '');
    const locals = this.opts.neighbors.map((n) => this.localAddressFor(n));
    await writeFile(this.configFile, renderExabgpConfig(this.opts, [...this.originated.values()], locals, { commandFile: this.commandFile, dumpScript }));
    this.launch({ cmd: EXABGP, args: [this.configFile], env: exabgpEnv(this.listenAddresses(), this.listenPort()) });
    await this.waitReady(async () => {
      const log = await readFile(this.logFile, 'utf8');
      if (!log.includes('loaded new configuration successfully')) throw new Error('configuration not loaded yet');
    });
  }

  /** Send one API command line (`announce ...`, `neighbor X withdraw ...`, ...). */
  async command(line: string): Promise<void> {
    if (line.includes('\n')) throw new Error('exabgp: one command per line');
    await appendFile(this.commandFile, `${line}\n`);
  }

  /** Every JSON event ExaBGP reported so far. */
  async messages(): Promise<JsonRecord[]> {
    return parseExabgpDump(await readFile(this.dumpFile, 'utf8'));
  }

  async neighborState(address: string): Promise<NeighborState> {
    this.neighbor(address);
    return exabgpState(await this.messages(), address).state;
  }

  async negotiatedCapabilities(address: string): Promise<NegotiatedCapabilities> {
    this.neighbor(address);
    const caps = exabgpCapabilities(await this.messages(), address);
    if (caps === undefined) throw new Error(`exabgp ${this.name}: no OPEN exchanged with ${address} yet`);
    return caps;
  }

  async uptime(address: string): Promise<number | undefined> {
    this.neighbor(address);
    const { state, since } = exabgpState(await this.messages(), address);
    return state === 'Established' && since !== undefined ? Math.max(0, Date.now() / 1000 - since) : undefined;
  }

  async routes(filter?: RouteFilter): Promise<BgpRoute[]> {
    return filterRoutes(exabgpRoutes(await this.messages()), filter);
  }

  async prefixes(family?: Family): Promise<string[]> {
    return uniquePrefixes(await this.routes(family === undefined ? undefined : { family }));
  }

  async announce(route: RouteSpec): Promise<void> {
    await this.command(exabgpAnnounceCommand(route));
    this.originated.set(normalizePrefix(route.prefix), route);
  }

  async withdraw(route: RouteSpec | string): Promise<void> {
    const prefix = prefixOf(route);
    const known = typeof route === 'string' ? this.originated.get(prefix) : route;
    await this.command(exabgpWithdrawCommand(prefix, known?.nextHop));
    this.originated.delete(prefix);
  }
}

/** Start ExaBGP with a config rendered from `opts`. */
export async function start(opts: ExabgpOptions): Promise<ExabgpPeer> {
  return startPeer(new ExabgpPeer(opts));
}
