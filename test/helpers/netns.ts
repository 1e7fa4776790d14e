/**
 * Linux network namespaces for tests with real BGP daemons: create one (`ip netns add`, `lo`
 * up), give it addresses (IPv6 with `nodad`, so they are usable at once), veth pairs between
 * namespaces and routes, run commands inside it (`ip netns exec`), and destroy it: every pid
 * still inside (`ip netns pids`) gets SIGTERM, then SIGKILL, then the namespace is deleted.
 *
 * Names are `mrr-<pid base 36>-<random>[-label]`, unique per run, so parallel runs do not
 * collide and `sweepStaleNetns()` can tell which namespaces a dead run left behind.
 *
 * Also owns `run()`, the one way the harness runs a short command (a CLI query): execFile
 * with a timeout, inside a namespace when asked. Must not: wait by sleeping (every wait is a
 * poll, test/helpers/poll.ts), or touch namespaces it did not name `mrr-*`.
 * Needs root (CAP_SYS_ADMIN, CAP_NET_ADMIN).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { isIPv6 } from 'node:net';
import { PollTimeoutError, pollUntil } from './poll.js';

/** Prefix of every namespace this harness creates. */
export const NETNS_PREFIX = 'mrr-';

export interface RunOptions {
  /** Kill the command after this many ms (default 15 000). */
  timeoutMs?: number;
  /** Run inside this namespace. */
  netns?: Netns | string;
  /** Extra environment variables. */
  env?: Readonly<Record<string, string>>;
  /** Resolve with the exit code instead of rejecting on a non-zero exit. */
  allowFailure?: boolean;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  /** Exit code (0 on success). */
  code: number;
}

/** Run a short command and collect its output; rejects (naming the command) on failure. */
export function run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const ns = typeof opts.netns === 'string' ? opts.netns : opts.netns?.name;
  const [file, argv] = ns === undefined ? [cmd, [...args]] : ['ip', ['netns', 'exec', ns, cmd, ...args]];
  return new Promise((resolve, reject) => {
    execFile(
      file,
      argv,
      {
        timeout: opts.timeoutMs ?? 15_000,
        maxBuffer: 1 << 30,
        env: opts.env === undefined ? process.env : { ...process.env, ...opts.env },
        encoding: 'utf8',
      },
      (err, stdout, stderr) => {
        if (err === null) {
          resolve({ stdout, stderr, code: 0 });
          return;
        }
        const code = typeof err.code === 'number' ? err.code : -1;
        if (opts.allowFailure === true && code !== -1) {
          resolve({ stdout, stderr, code });
          return;
        }
        const why = err.killed ? `killed (${err.signal ?? 'timeout'})` : `exit ${String(err.code)}`;
        const out = `${stderr}${stdout}`.trim().slice(0, 2000);
        reject(new Error(`${[file, ...argv].join(' ')}: ${why}${out === '' ? '' : `\n${out}`}`, { cause: err }));
      },
    );
  });
}

export interface Netns {
  readonly name: string;
  /** Run a short command inside the namespace. */
  exec(cmd: string, args?: readonly string[], opts?: Omit<RunOptions, 'netns'>): Promise<RunResult>;
  /** `ip -n NAME ARGS...` */
  ip(...args: string[]): Promise<RunResult>;
  /** The argv that starts `cmd args` inside the namespace (for long-running spawns). */
  command(cmd: string, args: readonly string[]): { file: string; args: string[] };
  /** Set a link up. */
  linkUp(dev: string): Promise<void>;
  /** Add an address (`198.18.0.1/32`, `2001:db8::1/128`; IPv6 gets `nodad`). */
  addAddress(dev: string, cidr: string): Promise<void>;
  /** Add host addresses on `lo` (/32 or /128 unless a length is given). */
  addLoopback(...addresses: string[]): Promise<void>;
  /** Add a route (`ip route add PREFIX [via GW] [dev DEV]`). */
  addRoute(prefix: string, opts: { via?: string; dev?: string }): Promise<void>;
  /** `sysctl -w KEY=VALUE` inside the namespace. */
  sysctl(key: string, value: string): Promise<void>;
  /** Pids of the processes running inside the namespace. */
  pids(): Promise<number[]>;
  /** A TCP port no other harness user of this namespace got (daemon API ports). */
  allocPort(): number;
  /** Kill what still runs inside (TERM, then KILL) and delete the namespace. Idempotent. */
  destroy(): Promise<void>;
  readonly destroyed: boolean;
}

/** Create a namespace with a unique `mrr-*` name and `lo` up. */
export async function createNetns(label?: string): Promise<Netns> {
  const suffix = label === undefined ? '' : `-${label.replace(/[^A-Za-z0-9]+/g, '').slice(0, 12)}`;
  const name = `${NETNS_PREFIX}${process.pid.toString(36)}-${randomBytes(3).toString('hex')}${suffix}`;
  await run('ip', ['netns', 'add', name]);
  const ns = netnsHandle(name);
  try {
    await ns.linkUp('lo');
  } catch (err) {
    await ns.destroy();
    throw err;
  }
  return ns;
}

function netnsHandle(name: string): Netns {
  let nextPort = 50051;
  let destroyed = false;
  const ns: Netns = {
    name,
    get destroyed() {
      return destroyed;
    },
    exec: (cmd, args = [], opts = {}) => run(cmd, args, { ...opts, netns: name }),
    ip: (...args) => run('ip', ['-n', name, ...args]),
    command: (cmd, args) => ({ file: 'ip', args: ['netns', 'exec', name, cmd, ...args] }),
    async linkUp(dev) {
      await ns.ip('link', 'set', dev, 'up');
    },
    async addAddress(dev, cidr) {
      const v6 = isIPv6(cidr.split('/')[0] ?? '');
      await ns.ip(...(v6 ? ['-6'] : []), 'addr', 'add', cidr, 'dev', dev, ...(v6 ? ['nodad'] : []));
    },
    async addLoopback(...addresses) {
      for (const a of addresses) {
        await ns.addAddress('lo', a.includes('/') ? a : `${a}/${isIPv6(a) ? 128 : 32}`);
      }
    },
    async addRoute(prefix, opts) {
      const v6 = isIPv6(prefix.split('/')[0] ?? '');
      const args = [...(v6 ? ['-6'] : []), 'route', 'add', prefix];
      if (opts.via !== undefined) args.push('via', opts.via);
      if (opts.dev !== undefined) args.push('dev', opts.dev);
      await ns.ip(...args);
    },
    async sysctl(key, value) {
      await ns.exec('sysctl', ['-q', '-w', `${key}=${value}`]);
    },
    pids: () => netnsPids(name),
    allocPort: () => nextPort++,
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      await killAndDelete(name);
    },
  };
  return ns;
}

/**
 * Connect two namespaces (or one with itself) with a veth pair, set both ends up and give each
 * end its addresses.
 */
export async function addVeth(
  a: { ns: Netns; ifname: string; addresses?: readonly string[] },
  b: { ns: Netns; ifname: string; addresses?: readonly string[] },
): Promise<void> {
  await run('ip', ['link', 'add', a.ifname, 'netns', a.ns.name, 'type', 'veth', 'peer', 'name', b.ifname, 'netns', b.ns.name]);
  for (const end of [a, b]) {
    for (const cidr of end.addresses ?? []) await end.ns.addAddress(end.ifname, cidr);
    await end.ns.linkUp(end.ifname);
  }
}

/** Names of all namespaces (`ip netns list`). */
export async function listNetns(): Promise<string[]> {
  const { stdout } = await run('ip', ['netns', 'list']);
  return stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[0] ?? '')
    .filter((n) => n !== '');
}

/** Pids inside a namespace (`ip netns pids`); empty when it does not exist. */
export async function netnsPids(name: string): Promise<number[]> {
  const { stdout, code } = await run('ip', ['netns', 'pids', name], { allowFailure: true });
  if (code !== 0) return [];
  return stdout
    .split(/\s+/)
    .filter((s) => /^\d+$/.test(s))
    .map(Number);
}

/**
 * True while a process with this pid runs. A zombie (exited, not yet reaped: a daemon's
 * helper reparented to an init that does not reap) counts as gone.
 */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function signalAll(pids: readonly number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

async function killAndDelete(name: string): Promise<void> {
  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    const pids = await netnsPids(name);
    if (pids.length === 0) break;
    signalAll(pids, signal);
    try {
      await pollUntil(async () => (await netnsPids(name)).length === 0, {
        what: `no process left in netns ${name} after ${signal}`,
        timeoutMs: 5_000,
        intervalMs: 50,
      });
      break;
    } catch (err) {
      if (!(err instanceof PollTimeoutError) || signal === 'SIGKILL') throw err;
    }
  }
  await run('ip', ['netns', 'del', name], { allowFailure: true });
}

/**
 * Remove `mrr-*` namespaces that older runs left behind: those whose creating process (the pid
 * in the name) is gone, and those with an unparsable name older than `maxAgeMs`. Namespaces of
 * live runs are left alone. Returns the names removed.
 */
export async function sweepStaleNetns(opts: { maxAgeMs?: number } = {}): Promise<string[]> {
  const maxAgeMs = opts.maxAgeMs ?? 30 * 60_000;
  const removed: string[] = [];
  for (const name of await listNetns()) {
    if (!name.startsWith(NETNS_PREFIX)) continue;
    const m = /^mrr-([0-9a-z]+)-[0-9a-f]{6}(?:-|$)/.exec(name);
    let stale: boolean;
    if (m?.[1] !== undefined) {
      const pid = parseInt(m[1], 36);
      stale = pid !== process.pid && !pidAlive(pid);
    } else {
      const age = await stat(`/run/netns/${name}`).then(
        (s) => Date.now() - s.mtimeMs,
        () => Infinity,
      );
      stale = age > maxAgeMs;
    }
    if (!stale) continue;
    await killAndDelete(name);
    removed.push(name);
  }
  return removed;
}
