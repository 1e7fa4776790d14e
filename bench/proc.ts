/**
 * Process plumbing for the fan-out bench: a network namespace made and removed around a
 * run, child processes started inside it (`ip netns exec` execs, so the child's pid is the
 * program's pid) with their JSON-line events, polling with timeouts instead of sleeps,
 * stopping by pid, and the /proc figures the bench reports (CPU seconds, RSS, VmHWM).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

export type Event = Readonly<Record<string, unknown>> & { readonly event: string };

export class TimeoutError extends Error {}

/** Polls `fn` until it returns non-null; rejects with TimeoutError after `timeoutMs`. */
export async function poll<T>(fn: () => T | null, timeoutMs: number, what: string, everyMs = 10): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== null) return v;
    if (Date.now() > deadline) throw new TimeoutError(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * A child process; stdout lines that parse as JSON objects with `event` are kept as events.
 * With `Child.nice` set, it starts under `nice -n` (which execs, keeping the pid).
 */
export class Child {
  /** Scheduling niceness for children (negative: ahead of other work on a shared machine). */
  static nice = 0;
  readonly proc: ChildProcess;
  readonly pid: number;
  readonly events: Event[] = [];
  private stderr = '';
  exit: { code: number | null; signal: string | null } | null = null;

  constructor(
    readonly name: string,
    cmd: string,
    args: readonly string[],
    /** Extra environment variables for this child (on top of the bench's own). */
    env: Readonly<Record<string, string>> = {},
  ) {
    const [c, a] = Child.nice === 0 ? [cmd, args] : ['nice', ['-n', String(Child.nice), cmd, ...args]];
    this.proc = spawn(c, a, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    if (this.proc.pid === undefined) throw new Error(`${name}: could not start ${cmd}`);
    this.pid = this.proc.pid;
    let out = '';
    this.proc.stdout?.setEncoding('utf8').on('data', (s: string) => {
      out += s;
      let nl: number;
      while ((nl = out.indexOf('\n')) >= 0) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        if (!line.startsWith('{')) continue;
        try {
          const v: unknown = JSON.parse(line);
          if (typeof v === 'object' && v !== null && typeof (v as { event?: unknown }).event === 'string') this.events.push(v as Event);
        } catch {
          // not an event line (a daemon's own output)
        }
      }
    });
    this.proc.stderr?.setEncoding('utf8').on('data', (s: string) => {
      this.stderr = (this.stderr + s).slice(-4000);
    });
    this.proc.stdin?.on('error', () => undefined);
    this.proc.on('exit', (code, signal) => {
      this.exit = { code, signal };
    });
  }

  /** The last lines the child wrote to stderr. */
  tail(): string {
    return this.stderr.trim().split('\n').slice(-5).join(' | ');
  }

  send(line: string): void {
    this.proc.stdin?.write(`${line}\n`);
  }

  find(event: string): Event | null {
    for (const e of this.events) if (e.event === event) return e;
    return null;
  }

  /** Waits for an event; rejects early when the child exits or reports a lost session. */
  async waitEvent(event: string, timeoutMs: number): Promise<Event> {
    return poll(
      () => {
        const e = this.find(event);
        if (e !== null) return e;
        const lost = this.find('lost');
        if (lost !== null) throw new Error(`${this.name}: session ${String(lost['addr'])} lost: ${String(lost['error'])}`);
        if (this.exit !== null) throw new Error(`${this.name} exited (${this.exit.code ?? this.exit.signal}) before '${event}': ${this.tail()}`);
        return null;
      },
      timeoutMs,
      `${this.name} '${event}'`,
    );
  }

  /** SIGTERM by pid, then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.exit !== null) return;
    try {
      process.kill(this.pid, 'SIGTERM');
    } catch {
      return;
    }
    try {
      await poll(() => (this.exit !== null ? true : null), graceMs, `${this.name} to exit`);
    } catch {
      try {
        process.kill(this.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      await poll(() => (this.exit !== null ? true : null), 2000, `${this.name} to die`).catch(() => undefined);
    }
  }
}

/** Runs a command to completion; throws with its stderr when it fails. */
export function run(cmd: string, args: readonly string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${(r.stderr || r.error?.message || '').trim()}`);
  return r.stdout;
}

/** CPU seconds (user + system, all threads) of a process. */
export function cpuSeconds(pid: number): number {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of stat(5), counted from the state (field 3) here.
  return (Number(f[11]) + Number(f[12])) / 100;
}

/** Kernel CPU seconds and minor page faults of a process so far (stat(5) fields 15 and 10). */
export function kernelShare(pid: number): { sysS: number; minorFaults: number } {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return { sysS: Number(f[12]) / 100, minorFaults: Number(f[7]) };
}

/**
 * CPU seconds the whole machine has spent in processes (user, nice, system; all CPUs). Interrupt
 * and softirq time is left out: loopback TCP delivery of the bench's own traffic lands there.
 */
export function machineBusySeconds(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  return ((f[0] ?? 0) + (f[1] ?? 0) + (f[2] ?? 0)) / 100;
}

/**
 * Waits until the rest of the machine is nearly idle (other work on a shared machine skews
 * every timing): polls the busy CPU over 500 ms windows until it is under `maxCores`, for at
 * most `timeoutMs`. Returns the cores last seen busy.
 */
export async function waitForQuiet(maxCores: number, timeoutMs: number): Promise<number> {
  let last = machineBusySeconds();
  let lastAt = performance.now();
  let busy = 0;
  try {
    await poll(
      () => {
        const now = performance.now();
        if (now - lastAt < 500) return null;
        const b = machineBusySeconds();
        busy = (b - last) / ((now - lastAt) / 1000);
        last = b;
        lastAt = now;
        return busy <= maxCores ? true : null;
      },
      timeoutMs,
      'the machine to be quiet',
      50,
    );
  } catch (e) {
    if (!(e instanceof TimeoutError)) throw e;
  }
  return busy;
}

/** VmRSS and VmHWM (peak) of a process, in MB. */
export function memory(pid: number): { rssMb: number; hwmMb: number } {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string): number => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
}

/** True when the process's network namespace has a TCP socket listening on `port`. */
export function listening(pid: number, port: number): boolean {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  for (const file of [`/proc/${pid}/net/tcp`, `/proc/${pid}/net/tcp6`]) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n')) {
      const f = line.trim().split(/\s+/);
      if (f[3] === '0A' && f[1]?.endsWith(hex) === true) return true;
    }
  }
  return false;
}

/** Kills every process left in a namespace (by pid) and deletes it. Synchronous. */
function removeNetns(name: string): void {
  const pids = spawnSync('ip', ['netns', 'pids', name], { encoding: 'utf8' }).stdout.split(/\s+/).filter((p) => p !== '');
  for (const p of pids) {
    try {
      process.kill(Number(p), 'SIGKILL');
    } catch {
      // gone
    }
  }
  spawnSync('ip', ['netns', 'del', name]);
}

/** Namespaces in use, removed on SIGINT/SIGTERM too (finally blocks do not run then). */
const active = new Set<string>();
let handlersInstalled = false;

function installSignalCleanup(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      for (const name of active) removeNetns(name);
      process.exit(sig === 'SIGINT' ? 130 : 143);
    });
  }
}

/**
 * Runs `fn` in a fresh network namespace with lo up and 198.18.0.0/15 routed to lo (so BIRD
 * and FRR can resolve the injected next hops). Every process still inside is killed by pid
 * and the namespace deleted afterwards, also when `fn` throws or the bench is interrupted.
 */
export async function withNetns<T>(name: string, fn: (ns: string) => Promise<T>): Promise<T> {
  installSignalCleanup();
  spawnSync('ip', ['netns', 'del', name]);
  run('ip', ['netns', 'add', name]);
  active.add(name);
  try {
    run('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
    run('ip', ['-n', name, 'route', 'add', '198.18.0.0/15', 'dev', 'lo']);
    return await fn(name);
  } finally {
    removeNetns(name);
    active.delete(name);
  }
}
