/**
 * A meshrr pod as a process: the built CLI (`node dist/cli/main.js pod`, what the image's
 * ENTRYPOINT + CMD run; CI builds before testing) started inside a network namespace with the
 * environment a manifest sets, its pino JSON lines kept in `<dir>/pod.log`.
 *
 * Must not: sleep (every wait polls the log or the process), or signal anything but the pid
 * it spawned (`ip netns exec` execs the command, so that pid is the command itself).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { closeSync, openSync, rmSync, statSync } from 'node:fs';
import { chmod, cp, mkdir, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import type { Netns } from '../helpers/netns.js';
import { PollAbort, pollUntil } from '../helpers/poll.js';

/** The repository root: the image's /opt/meshrr. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The built CLI, as the image runs it. */
export const MAIN_JS = join(REPO_ROOT, 'dist', 'cli', 'main.js');

/** True when a process of another uid can reach `path` (every directory above it o+x). */
function reachableByOthers(path: string): boolean {
  for (let d = path; ; d = dirname(d)) {
    if ((statSync(d).mode & 0o001) === 0) return false;
    if (dirname(d) === d) return true;
  }
}

let staged: Promise<string> | null = null;

/**
 * A directory laid out like the image's /opt/meshrr (dist, templates, package.json and the
 * production node_modules) that a non-root uid can read: the repository itself when other
 * users can reach it, else a copy in the temp dir (a checkout under /root is not readable by
 * uid 1000). MESHRR_TEST_STAGE=1 forces the copy.
 */
export function imageRoot(): Promise<string> {
  if (staged !== null) return staged;
  staged = (async () => {
    if (process.env['MESHRR_TEST_STAGE'] !== '1' && reachableByOthers(join(REPO_ROOT, 'dist', 'cli'))) return REPO_ROOT;
    const dir = await mkdtemp(join(tmpdir(), 'meshrr-image-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    await chmod(dir, 0o755);
    const { stdout } = await promisify(execFile)('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: REPO_ROOT, maxBuffer: 1 << 24 }).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }));
    const packages = stdout.split('\n').filter((l) => l.startsWith(REPO_ROOT) && relative(REPO_ROOT, l).startsWith('node_modules'));
    for (const p of [...packages.map((l) => relative(REPO_ROOT, l)), 'dist', 'templates', 'package.json']) {
      await cp(join(REPO_ROOT, p), join(dir, p), { recursive: true });
    }
    return `${dir}/`;
  })();
  return staged;
}

/** One pino line. */
export interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly time?: number;
  readonly [key: string]: unknown;
}

export interface PodProcess {
  readonly name: string;
  readonly pid: number;
  readonly dir: string;
  /** Exit code or signal once exited, else null. */
  readonly exit: { code: number | null; signal: string | null } | null;
  logs(): Promise<LogLine[]>;
  waitLog(msg: string, where?: (l: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  logTail(lines?: number): Promise<string>;
  /** Sends `signal` and resolves with the exit once the process is gone (SIGKILL after `timeoutMs`). */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<{ code: number | null; signal: string | null }>;
}

export interface StartPodOptions {
  readonly name: string;
  readonly netns: Netns;
  /** Where pod.log and pod.stderr go (a per-pod directory is created inside). */
  readonly dir: string;
  /** argv; default `node dist/cli/main.js pod`. */
  readonly argv?: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** Resolve once this log line appears (default `configApplied`); null: do not wait. */
  readonly readyLog?: string | null;
}

function parseLines(text: string): LogLine[] {
  const out: LogLine[] = [];
  for (const l of text.split('\n')) {
    if (!l.startsWith('{')) continue;
    try {
      out.push(JSON.parse(l) as LogLine);
    } catch {
      // a line still being written
    }
  }
  return out;
}

export async function startPod(opts: StartPodOptions): Promise<PodProcess> {
  const dir = join(opts.dir, opts.name);
  await mkdir(dir, { recursive: true });
  const logFile = join(dir, 'pod.log');
  const errFile = join(dir, 'pod.stderr');
  const out = openSync(logFile, 'a');
  const err = openSync(errFile, 'a');
  const argv = opts.argv ?? ['node', MAIN_JS, 'pod'];
  let child: ChildProcess;
  try {
    const [cmd, ...args] = argv;
    const c = opts.netns.command(cmd ?? 'node', args);
    // Only what a container would have: PATH plus the manifest's environment.
    child = spawn(c.file, c.args, { cwd: dir, stdio: ['ignore', out, err], env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...opts.env } });
  } finally {
    closeSync(out);
    closeSync(err);
  }
  let exit: { code: number | null; signal: string | null } | null = null;
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      resolve(exit);
    });
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${opts.name}: spawn failed`);
  const logs = async (): Promise<LogLine[]> => parseLines(await readFile(logFile, 'utf8').catch(() => ''));
  const logTail = async (n = 30): Promise<string> => {
    const a = await readFile(logFile, 'utf8').catch(() => '');
    const b = await readFile(errFile, 'utf8').catch(() => '');
    return `${a.split('\n').slice(-n - 1).join('\n')}${b === '' ? '' : `\n--- stderr ---\n${b.split('\n').slice(-n - 1).join('\n')}`}`;
  };
  const handle: PodProcess = {
    name: opts.name,
    pid,
    dir,
    get exit() {
      return exit;
    },
    logs,
    logTail,
    async waitLog(msg, where = () => true, timeoutMs = 30_000) {
      return pollUntil(
        async () => {
          const found = (await logs()).find((l) => l.msg === msg && where(l));
          if (found === undefined && exit !== null) throw new PollAbort(`${opts.name} exited (${JSON.stringify(exit)}):\n${await logTail(20)}`);
          return found;
        },
        { what: `${opts.name} log line ${msg}`, timeoutMs, intervalMs: 100 },
      );
    },
    async stop(signal = 'SIGTERM', timeoutMs = 10_000) {
      if (exit !== null) return exit;
      child.kill(signal);
      const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const e = await exited;
      clearTimeout(t);
      return e;
    },
  };
  const ready = opts.readyLog === undefined ? 'configApplied' : opts.readyLog;
  if (ready !== null) {
    try {
      await handle.waitLog(ready, () => true, 30_000);
    } catch (e) {
      await handle.stop('SIGKILL');
      throw new Error(`${opts.name} did not start: ${(e as Error).message}\n${await logTail(20)}`, { cause: e });
    }
  }
  return handle;
}
