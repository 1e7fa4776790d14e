/**
 * meshrr as the route reflector of a topology test: the real `meshrr rr --config FILE`
 * process (src/cli/main.ts through tsx), run inside the test's namespace with
 * LOG_LEVEL=debug, its pino JSON lines kept in `<dir>/meshrr/meshrr.log` for failure
 * reports. The config is written as JSON (a YAML 1.2 subset, so the router-config parser
 * reads it as it reads rr.yml) from a typed spec mirroring docs/router-config.md.
 *
 * Must not: sleep (every wait polls the log or the process), or kill anything but the pid it
 * spawned (`ip netns exec` execs node, so that pid is meshrr itself).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Netns } from '../helpers/netns.js';
import { PollAbort, pollUntil } from '../helpers/poll.js';

/** The repository root: meshrr runs from there (`node --import tsx src/cli/main.ts`). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface MeshrrNeighborSpec {
  address: string;
  port?: number;
  passive?: boolean;
  description?: string;
  /** Source address of our connections (needed between loopback addresses of one namespace). */
  localAddress?: string;
}

export interface MeshrrGroupSpec {
  name: string;
  role: 'client' | 'nonClient' | 'ebgp';
  clusterId?: string;
  listenRanges?: string[];
  neighbors?: MeshrrNeighborSpec[];
  passive?: boolean;
  holdTime?: number;
  connectRetryTime?: number;
  families?: string[];
  addPath?: { send?: number | 'all'; receive?: boolean };
  /** RFC 8950 extended next hop for IPv4 unicast over IPv6 (docs/router-config.md). */
  extendedNextHop?: boolean;
  importPolicy?: string;
  exportPolicy?: string;
}

export interface MeshrrConfigSpec {
  routerId: string;
  asn: number;
  listen: { address: string; port: number }[];
  gracefulRestart?: { enabled?: boolean; restartTime?: number; staleRoutesTime?: number; notification?: boolean };
  groups: MeshrrGroupSpec[];
  /** docs/policy.md */
  policies?: Record<string, unknown>;
}

/** One pino line of meshrr's log. */
export interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly [key: string]: unknown;
}

export interface MeshrrProcess {
  readonly pid: number;
  readonly dir: string;
  readonly configFile: string;
  readonly logFile: string;
  readonly exited: boolean;
  /** Every JSON line logged so far. */
  logs(): Promise<LogLine[]>;
  /** Poll until a line with `msg` (and matching `where`) is logged; returns it. */
  waitLog(msg: string, where?: (l: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** The last lines of the log (stdout and stderr), for failure messages. */
  logTail(lines?: number): Promise<string>;
  /** SIGTERM (Cease to every peer), SIGKILL after `timeoutMs`. Idempotent. */
  stop(timeoutMs?: number): Promise<void>;
  /** Write a new config, SIGHUP, and wait until meshrr applied it (throws if it rejected it). */
  reload(config: MeshrrConfigSpec): Promise<void>;
  /** Send a signal to meshrr. */
  signal(sig: NodeJS.Signals): void;
}

/** Render the config spec as the text `meshrr rr --config` reads (JSON is YAML 1.2). */
export function renderMeshrrConfig(spec: MeshrrConfigSpec): string {
  return `${JSON.stringify({ hostname: 'meshrr-topo', ...spec }, null, 2)}\n`;
}

/** Start `meshrr rr` inside `netns` and wait until it logged `configApplied`. */
export async function startMeshrr(opts: { netns: Netns; dir: string; config: MeshrrConfigSpec; name?: string }): Promise<MeshrrProcess> {
  const dir = join(opts.dir, opts.name ?? 'meshrr');
  await mkdir(dir, { recursive: true });
  const configFile = join(dir, 'rr.yml');
  const logFile = join(dir, 'meshrr.log');
  const errFile = join(dir, 'meshrr.stderr');
  await writeFile(configFile, renderMeshrrConfig(opts.config));
  const out = openSync(logFile, 'a');
  const err = openSync(errFile, 'a');
  let child: ChildProcess;
  try {
    const argv = opts.netns.command('node', ['--import', 'tsx', 'src/cli/main.ts', 'rr', '--config', configFile]);
    child = spawn(argv.file, argv.args, { cwd: REPO_ROOT, stdio: ['ignore', out, err], env: { ...process.env, LOG_LEVEL: 'debug' } });
  } finally {
    closeSync(out);
    closeSync(err);
  }
  let exitInfo: string | undefined;
  child.on('exit', (code, signal) => {
    exitInfo = signal === null ? `exit code ${String(code)}` : `signal ${signal}`;
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('meshrr: spawn failed');

  const readLines = async (): Promise<LogLine[]> => {
    const text = await readFile(logFile, 'utf8').catch(() => '');
    const lines: LogLine[] = [];
    for (const l of text.split('\n')) {
      if (!l.startsWith('{')) continue;
      try {
        lines.push(JSON.parse(l) as LogLine);
      } catch {
        // a line still being written
      }
    }
    return lines;
  };
  const logTail = async (n = 40): Promise<string> => {
    const a = await readFile(logFile, 'utf8').catch(() => '');
    const b = await readFile(errFile, 'utf8').catch(() => '');
    return `${a.split('\n').slice(-n - 1).join('\n')}${b === '' ? '' : `\n--- stderr ---\n${b.split('\n').slice(-n - 1).join('\n')}`}`;
  };
  const handle: MeshrrProcess = {
    pid,
    dir,
    configFile,
    logFile,
    get exited() {
      return exitInfo !== undefined;
    },
    logs: readLines,
    logTail,
    async waitLog(msg, where = () => true, timeoutMs = 30_000) {
      return pollUntil(
        async () => {
          const found = (await readLines()).find((l) => l.msg === msg && where(l));
          if (found === undefined && exitInfo !== undefined) throw new PollAbort(`meshrr exited (${exitInfo}):\n${await logTail(20)}`);
          return found;
        },
        { what: `meshrr log line ${msg}`, timeoutMs, intervalMs: 100 },
      );
    },
    signal(sig) {
      child.kill(sig);
    },
    async reload(config) {
      const count = async (msg: string): Promise<number> => (await readLines()).filter((l) => l.msg === msg).length;
      const [applied, rejected] = [await count('configApplied'), await count('configRejected')];
      await writeFile(configFile, renderMeshrrConfig(config));
      child.kill('SIGHUP');
      await pollUntil(
        async () => {
          if ((await count('configRejected')) > rejected) throw new PollAbort(`meshrr rejected the new config:\n${await logTail(10)}`);
          return (await count('configApplied')) > applied;
        },
        { what: 'meshrr applied the reloaded config', timeoutMs: 15_000, intervalMs: 100 },
      );
    },
    async stop(timeoutMs = 5_000) {
      if (exitInfo !== undefined) return;
      const exit = once(child, 'exit');
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await exit;
      clearTimeout(t);
    },
  };
  try {
    await handle.waitLog('configApplied', () => true, 30_000);
  } catch (e) {
    await handle.stop();
    throw new Error(`meshrr did not start: ${(e as Error).message}\n${await logTail(20)}`, { cause: e });
  }
  return handle;
}
