/**
 * What every real-daemon peer module shares: spawning the daemon (inside a namespace when
 * asked) with its output in `<dir>/<name>/daemon.log`, waiting for its control interface by
 * polling, stopping it by pid (SIGTERM, SIGKILL after a timeout) and deleting its files, and
 * the option defaults every config renderer uses (listen addresses, families, timers).
 *
 * Must not: sleep, kill anything but the pid it spawned, or leave files behind unless asked
 * (MESHRR_KEEP_TMP, or `stop({ keepFiles: true })` after a failure).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { Netns } from '../netns.js';
import { pidAlive, run } from '../netns.js';
import { PollAbort, pollUntil } from '../poll.js';
import { keepTmp } from '../tmp.js';
import { familyOf, normalizePrefix, sameAddress } from './json.js';
import type {
  BgpRoute,
  Family,
  NegotiatedCapabilities,
  NeighborOptions,
  NeighborState,
  PeerHandle,
  PeerKind,
  PeerOptions,
  RouteFilter,
  RouteSpec,
} from './types.js';

export interface SpawnSpec {
  cmd: string;
  args: readonly string[];
  env?: Readonly<Record<string, string>>;
}

/** Base of the five peer classes: process lifecycle plus option helpers. */
export abstract class BasePeer implements PeerHandle {
  abstract readonly kind: PeerKind;
  readonly name: string;
  readonly dir: string;
  readonly configFile: string;
  readonly logFile: string;
  readonly netns: Netns | undefined;
  protected readonly opts: PeerOptions;
  /** Routes this daemon originates now, by normalised prefix. */
  protected readonly originated = new Map<string, RouteSpec>();
  private child: ChildProcess | undefined;
  private exitInfo: string | undefined;

  constructor(opts: PeerOptions, configName: string) {
    if (!/^[A-Za-z0-9_-]{1,24}$/.test(opts.name)) throw new Error(`peer name must be [A-Za-z0-9_-]{1,24}: ${opts.name}`);
    this.opts = opts;
    this.name = opts.name;
    this.dir = join(opts.dir, opts.name);
    this.configFile = join(this.dir, configName);
    this.logFile = join(this.dir, 'daemon.log');
    this.netns = opts.netns;
    for (const r of opts.routes ?? []) this.originated.set(normalizePrefix(r.prefix), r);
  }

  get pid(): number {
    const pid = this.child?.pid;
    if (pid === undefined) throw new Error(`${this.kind} ${this.name} was not started`);
    return pid;
  }

  get exited(): boolean {
    return this.exitInfo !== undefined;
  }

  /** Write the config, start the daemon and wait until it answers (called by `startPeer`). */
  abstract boot(): Promise<void>;
  abstract neighborState(address: string): Promise<NeighborState>;
  abstract negotiatedCapabilities(address: string): Promise<NegotiatedCapabilities>;
  abstract routes(filter?: RouteFilter): Promise<BgpRoute[]>;
  abstract prefixes(family?: Family): Promise<string[]>;
  abstract uptime(address: string): Promise<number | undefined>;
  abstract announce(route: RouteSpec): Promise<void>;
  abstract withdraw(route: RouteSpec | string): Promise<void>;

  /** Fresh `<dir>/<name>` directory. */
  protected async prepareDir(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
    await mkdir(this.dir, { recursive: true });
  }

  /** Spawn the daemon in the foreground, stdout and stderr appended to the log file. */
  protected launch(spec: SpawnSpec): void {
    const fd = openSync(this.logFile, 'a');
    try {
      const argv = this.netns === undefined ? { file: spec.cmd, args: [...spec.args] } : this.netns.command(spec.cmd, spec.args);
      const child = spawn(argv.file, argv.args, {
        stdio: ['ignore', fd, fd],
        env: { ...process.env, ...spec.env },
        cwd: this.dir,
      });
      child.on('exit', (code, signal) => {
        this.exitInfo = signal === null ? `exit code ${String(code)}` : `signal ${signal}`;
      });
      child.on('error', (err) => {
        this.exitInfo = `spawn error: ${err.message}`;
      });
      this.child = child;
    } finally {
      closeSync(fd);
    }
  }

  /** Throws PollAbort (with the log tail) when the daemon has exited. */
  protected async assertAlive(): Promise<void> {
    if (this.exitInfo === undefined) return;
    throw new PollAbort(`${this.kind} ${this.name} exited (${this.exitInfo}); log:\n${await this.logTail(30)}`);
  }

  /** Poll `probe` until it resolves; fails fast if the daemon exits, stops it on timeout. */
  protected async waitReady(probe: () => Promise<unknown>): Promise<void> {
    try {
      await pollUntil(
        async () => {
          await this.assertAlive();
          await probe();
          return true;
        },
        { what: `${this.kind} ${this.name} control interface`, timeoutMs: this.opts.startTimeoutMs ?? 15_000, intervalMs: 50 },
      );
    } catch (err) {
      // A PollAbort already carries the log tail.
      const tail = err instanceof PollAbort ? '' : `\nlog:\n${await this.logTail(30)}`;
      await this.stop({ keepFiles: true });
      throw new Error(`${this.kind} ${this.name} did not start: ${(err as Error).message}${tail}`, { cause: err });
    }
  }

  /**
   * Run a CLI command and return stdout: inside the daemon's namespace unless `inNetns` is
   * false (Unix-socket CLIs such as birdc, vtysh and bgpctl work from anywhere).
   */
  protected async cli(cmd: string, args: readonly string[], opts: { inNetns?: boolean; timeoutMs?: number } = {}): Promise<string> {
    const ns = opts.inNetns === false ? undefined : this.netns;
    const res = await run(cmd, args, { timeoutMs: opts.timeoutMs ?? 15_000, ...(ns === undefined ? {} : { netns: ns }) });
    return res.stdout;
  }

  /** The configured neighbour with this address; throws when there is none. */
  protected neighbor(address: string): NeighborOptions {
    const n = this.opts.neighbors.find((x) => sameAddress(x.address, address));
    if (n === undefined) throw new Error(`${this.kind} ${this.name}: no neighbour ${address} configured`);
    return n;
  }

  protected neighborIndex(address: string): number {
    const i = this.opts.neighbors.findIndex((x) => sameAddress(x.address, address));
    if (i < 0) throw new Error(`${this.kind} ${this.name}: no neighbour ${address} configured`);
    return i;
  }

  async waitEstablished(address: string, timeoutMs = 30_000): Promise<void> {
    await pollUntil(
      async () => {
        await this.assertAlive();
        const state = await this.neighborState(address);
        if (state !== 'Established') throw new Error(`state ${state}`);
        return true;
      },
      { what: `${this.kind} ${this.name} session to ${address} Established`, timeoutMs, intervalMs: 200 },
    );
  }

  async restart(): Promise<void> {
    await this.stop({ keepFiles: true });
    this.child = undefined;
    this.exitInfo = undefined;
    await this.boot();
  }

  signal(signal: NodeJS.Signals): void {
    process.kill(this.pid, signal);
  }

  /** SIGSTOP the process tree, then poll until the kernel shows every process stopped. */
  async freeze(): Promise<void> {
    const pids = [this.pid, ...(await descendants(this.pid))];
    for (const pid of pids) signalPid(pid, 'SIGSTOP');
    await pollUntil(() => pids.every((pid) => ['T', 'Z', ''].includes(processState(pid))), {
      what: `${this.kind} ${this.name} processes stopped`,
      timeoutMs: 5_000,
      intervalMs: 20,
    });
  }

  /** SIGCONT the process tree, then poll until no process of it is stopped. */
  async thaw(): Promise<void> {
    const pids = [this.pid, ...(await descendants(this.pid))];
    for (const pid of pids) signalPid(pid, 'SIGCONT');
    await pollUntil(() => pids.every((pid) => processState(pid) !== 'T'), {
      what: `${this.kind} ${this.name} processes running`,
      timeoutMs: 5_000,
      intervalMs: 20,
    });
  }

  async logTail(lines = 40): Promise<string> {
    const text = await readFile(this.logFile, 'utf8').catch(() => '');
    return text.split('\n').slice(-lines - 1).join('\n');
  }

  async stop(opts: { keepFiles?: boolean; timeoutMs?: number } = {}): Promise<void> {
    const child = this.child;
    if (child !== undefined && this.exitInfo === undefined) {
      // Helpers the daemon started (OpenBGPD's engines, ExaBGP's API processes) normally end
      // with it; any still alive afterwards get SIGKILL, by pid (a namespace's destroy() would
      // catch them too, but a daemon may run outside one).
      const helpers = child.pid === undefined ? [] : await descendants(child.pid);
      const exit = once(child, 'exit');
      child.kill('SIGTERM');
      // A frozen daemon must wake up to see the SIGTERM.
      for (const pid of [child.pid ?? -1, ...helpers]) signalPid(pid, 'SIGCONT');
      const timeoutMs = opts.timeoutMs ?? 5_000;
      const ac = new AbortController();
      const timedOut = await Promise.race([
        exit.then(() => false),
        delay(timeoutMs, true, { signal: ac.signal }).catch(() => false),
      ]);
      ac.abort();
      if (timedOut && this.exitInfo === undefined) {
        child.kill('SIGKILL');
        await exit;
      }
      await pollUntil(() => helpers.every((pid) => !pidAlive(pid)), { what: `${this.kind} ${this.name} helpers exit`, timeoutMs: 3_000, intervalMs: 50 }).catch(
        () => {
          for (const pid of helpers) signalPid(pid, 'SIGKILL');
        },
      );
    }
    if (opts.keepFiles !== true && !keepTmp()) await rm(this.dir, { recursive: true, force: true });
  }

  // ===== option defaults shared by the config renderers =====

  /** Addresses to listen on; empty = all addresses (or none when `listen: false`). */
  protected listenAddresses(): string[] {
    if (this.opts.listen === false) return [];
    if (this.opts.listen?.addresses !== undefined) return [...this.opts.listen.addresses];
    const locals = this.opts.neighbors.map((n) => n.localAddress).filter((a): a is string => a !== undefined);
    return [...new Set(locals)];
  }

  protected listenPort(): number {
    return this.opts.listen === false ? 0 : (this.opts.listen?.port ?? 179);
  }

  /** The source address for a neighbour: its `localAddress`, else a listen address of its family. */
  protected localAddressFor(n: NeighborOptions): string | undefined {
    if (n.localAddress !== undefined) return n.localAddress;
    const fam = familyOf(n.address);
    return this.listenAddresses().find((a) => familyOf(a) === fam);
  }
}

/** Boot a peer; if that fails after the process started, stop it (keeping its files). */
export async function startPeer<P extends BasePeer>(peer: P): Promise<P> {
  try {
    await peer.boot();
    return peer;
  } catch (err) {
    await peer.stop({ keepFiles: true });
    throw err;
  }
}

export function familiesOf(n: NeighborOptions): readonly Family[] {
  return n.families ?? [familyOf(n.address)];
}

export function multihopHops(n: NeighborOptions): number | undefined {
  if (n.multihop === true) return 255;
  return typeof n.multihop === 'number' ? n.multihop : undefined;
}

export function restartTime(n: NeighborOptions): number | undefined {
  if (n.gracefulRestart === true) return 120;
  return typeof n.gracefulRestart === 'number' ? n.gracefulRestart : undefined;
}

export function isIbgp(opts: PeerOptions, n: NeighborOptions): boolean {
  return opts.localAs === n.remoteAs;
}

/** Prefix of a route argument to `withdraw`. */
export function prefixOf(route: RouteSpec | string): string {
  return normalizePrefix(typeof route === 'string' ? route : route.prefix);
}

/** Sorted unique prefixes of some routes. */
export function uniquePrefixes(routes: readonly { prefix: string }[]): string[] {
  return [...new Set(routes.map((r) => r.prefix))].sort();
}

/** Keep routes that pass a filter. */
export function filterRoutes(routes: BgpRoute[], filter: RouteFilter | undefined): BgpRoute[] {
  if (filter === undefined) return routes;
  const prefix = filter.prefix === undefined ? undefined : normalizePrefix(filter.prefix);
  return routes.filter((r) => (filter.family === undefined || r.family === filter.family) && (prefix === undefined || r.prefix === prefix));
}

/** `"65000:1:2"` -> `[65000, 1, 2]`, checking the shape. */
export function communityParts(text: string, parts: 2 | 3): number[] {
  const xs = text.split(':').map(Number);
  if (xs.length !== parts || xs.some((x) => !Number.isInteger(x) || x < 0)) throw new Error(`bad community ${text}`);
  return xs;
}

/** An empty capability set, filled in by the parsers. */
export function emptyCapabilities(): NegotiatedCapabilities {
  return {
    fourOctetAs: false,
    routeRefresh: false,
    enhancedRouteRefresh: false,
    gracefulRestart: false,
    extendedMessage: false,
    families: [],
    addPath: [],
    raw: [],
  };
}

/** The state letter in /proc/PID/stat (`R`, `S`, `T` stopped, `Z` zombie); '' when gone. */
export function processState(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.charAt(stat.lastIndexOf(')') + 2);
  } catch {
    return '';
  }
}

/** Signal a pid, ignoring one that is already gone. */
function signalPid(pid: number, signal: NodeJS.Signals): void {
  if (pid <= 0) return;
  try {
    process.kill(pid, signal);
  } catch {
    // gone already
  }
}

/** Pids of all descendants of `pid` (from /proc/PID/stat parent links). */
export async function descendants(pid: number): Promise<number[]> {
  const parentOf = new Map<number, number>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // "pid (comm) state ppid ...": comm may contain spaces and parentheses.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (Number.isInteger(ppid)) parentOf.set(Number(entry), ppid);
  }
  const out: number[] = [];
  const walk = (p: number): void => {
    for (const [c, pp] of parentOf) {
      if (pp === p) {
        out.push(c);
        walk(c);
      }
    }
  };
  walk(pid);
  return out;
}
