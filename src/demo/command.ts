/**
 * `meshrr demo`: the README's first command. Runs the 2regions-hrr demo mesh (mesh.ts) on
 * loopback addresses in this process, without Kubernetes and without root, prints the mesh,
 * the routers' tables and what happened once everything is up, then prints a one-line
 * heartbeat only when something changes, until SIGINT/SIGTERM: every session is then closed
 * with Cease / Administrative Shutdown (RFC 9003) and the command returns 0.
 *
 * Exit codes: 0 ok; 1 the mesh could not start or converge, or did not stop cleanly; 2 usage.
 *
 * Owns: options, waiting, signals, output streams. Must not: know BGP (mesh.ts does).
 */
import process from 'node:process';
import { setTimeout as delay } from 'node:timers/promises';
import { pino, type Logger } from 'pino';
import { startOperations, type Operations } from '../status/operations.js';
import type { OperationsOptions } from '../status/options.js';
import type { CliIo } from '../cli/main.js';
import { renderReflectorYaml } from './configs.js';
import { DemoMesh } from './mesh.js';
import { describeChanges, renderSnapshot, renderStop } from './render.js';
import { DEMO_PORT, REFLECTORS } from './topology.js';

/** Options (src/cli/main.ts shows the same line in `meshrr demo --help`). */
export const DEMO_USAGE = '[--once] [--json] [--port N] [--timeout SECONDS] [--log-level LEVEL] [--print-config NAME]';

interface DemoOptions {
  once: boolean;
  json: boolean;
  port: number;
  timeoutMs: number;
  level: string;
  printConfig: string | null;
}

function parseArgs(args: readonly string[]): DemoOptions | string {
  const o: DemoOptions = { once: false, json: false, port: DEMO_PORT, timeoutMs: 30_000, level: 'error', printConfig: null };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = (): string | undefined => args[++i];
    if (a === '--once') o.once = true;
    else if (a === '--json') o.json = true;
    else if (a === '--port') {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 1 || n > 65535) return '--port needs a TCP port (1 to 65535)';
      o.port = n;
    } else if (a === '--timeout') {
      const n = Number(value());
      if (!Number.isFinite(n) || n <= 0) return '--timeout needs a positive number of seconds';
      o.timeoutMs = n * 1000;
    } else if (a === '--log-level') o.level = value() ?? o.level;
    else if (a === '--print-config') o.printConfig = value() ?? '';
    else return `unknown argument ${a ?? ''}`;
  }
  return o;
}

/** Why start-up failed, in words an engineer can act on. */
function explainStartError(err: unknown, port: number): string {
  const cause = err instanceof Error ? err.cause : undefined;
  const code = typeof cause === 'object' && cause !== null && 'code' in cause ? String(cause.code) : '';
  const msg = err instanceof Error ? err.message : String(err);
  if (code === 'EADDRINUSE') return `${msg}\nIs another meshrr demo running? Stop it, or pick another port: meshrr demo --port ${port + 1}`;
  if (code === 'EADDRNOTAVAIL') {
    return `${msg}\nThis system does not deliver all of 127.0.0.0/8 to the loopback interface (Linux does; macOS only has 127.0.0.1).\nAdd the demo's addresses first, e.g.: for a in 10.1 10.2 11.1 11.2 11.11 11.12 12.1 12.2 12.11 12.12; do sudo ifconfig lo0 alias 127.0.$a; done`;
  }
  if (code === 'EACCES') return `${msg}\nPorts below 1024 need root; the demo's default port is ${DEMO_PORT}.`;
  return msg;
}

export async function demoCommand(args: readonly string[], io: CliIo): Promise<number> {
  const o = parseArgs(args);
  if (typeof o === 'string') {
    io.stderr.write(`meshrr demo: ${o}\nusage: meshrr demo ${DEMO_USAGE}\n`);
    return 2;
  }
  if (o.printConfig !== null) {
    const node = REFLECTORS.find((r) => r.name === o.printConfig);
    if (node === undefined) {
      io.stderr.write(`meshrr demo: no reflector '${o.printConfig}'; one of ${REFLECTORS.map((r) => r.name).join(', ')}\n`);
      return 2;
    }
    io.stdout.write(renderReflectorYaml(node, o.port));
    return 0;
  }
  const log = pino({ level: o.level }, io.stderr);
  const mesh = new DemoMesh({ port: o.port, log });
  let signalled: string | null = null;
  let wake: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (wake = resolve));
  const onSignal = (sig: NodeJS.Signals): void => {
    signalled = sig;
    wake();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let heartbeat: NodeJS.Timeout | null = null;
  let statuses: { name: string; port: number; ops: Operations }[] = [];
  const emit = (text: string, json: object): void => {
    io.stdout.write(o.json ? `${JSON.stringify(json)}\n` : text);
  };
  try {
    try {
      await mesh.start();
    } catch (err) {
      io.stderr.write(`meshrr demo: ${explainStartError(err, o.port)}\n`);
      return 1;
    }
    const ready = await waitConverged(mesh, o.timeoutMs, () => signalled !== null);
    let last = mesh.snapshot();
    if (signalled === null) {
      emit(renderSnapshot(last), last);
      if (!ready) io.stderr.write(`meshrr demo: the mesh did not converge within ${o.timeoutMs / 1000} s (${last.sessionsUp}/${last.sessionsExpected} sessions up)\n`);
      if (!o.once) {
        statuses = await startStatus(mesh, log);
        if (!o.json) {
          const lines = statuses.map((st) => `  ${st.name.padEnd(13)} meshrr show summary --status-address 127.0.0.1:${st.port}`);
          io.stdout.write(
            `running; a line appears below whenever something changes. Ctrl-C to stop.\n` +
              `Try it: a BGP speaker in AS 65000 connecting from 127.0.11.0/24 to 127.0.11.1 port ${o.port} joins lothlorien as an RR client.\n` +
              (lines.length > 0 ? `Each reflector's status API (meshrr show summary | neighbors | routes | config):\n${lines.join('\n')}\n` : ''),
          );
        }
        heartbeat = setInterval(() => {
          const next = mesh.snapshot();
          const line = describeChanges(last, next);
          if (line !== null) emit(`${line}\n`, { type: 'change', text: line, snapshot: next });
          last = next;
        }, 1000);
        await stopped;
      }
    }
    if (heartbeat !== null) clearInterval(heartbeat);
    if (!o.json && signalled !== null) io.stdout.write('\n');
    const why = signalled === null ? 'meshrr demo finished' : `meshrr demo stopped by ${signalled === 'SIGTERM' ? 'SIGTERM' : 'operator'}`;
    for (const st of statuses) await st.ops.stop();
    const report = await mesh.stop(why);
    emit(renderStop(report), report);
    const clean = report.closedWithCease === report.sessions && report.sessionsLeft === 0;
    if (signalled !== null) return clean ? 0 : 1;
    return ready && clean ? 0 : 1;
  } finally {
    if (heartbeat !== null) clearInterval(heartbeat);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** First status API port: reflector i listens on 127.0.0.1:(8080 + i). */
const STATUS_BASE_PORT = 8080;

/**
 * The status API of every reflector (issue 9), so `meshrr show` works against the demo. A
 * port already taken (another meshrr on this host) is skipped with a warning, not an error.
 */
async function startStatus(mesh: DemoMesh, log: Logger): Promise<{ name: string; port: number; ops: Operations }[]> {
  const out: { name: string; port: number; ops: Operations }[] = [];
  const appliedAt = new Date().toISOString();
  for (const [i, r] of mesh.reflectors.entries()) {
    const port = STATUS_BASE_PORT + i;
    const options: OperationsOptions = {
      statusAddress: { host: '127.0.0.1', port },
      statusAddressExplicit: false,
      probeAddress: null,
      readyMinSessions: 0,
      readyGroups: [],
      maxLagMs: 2000,
      bmpCollector: null,
      k8sEvents: false,
      mrtDump: null,
    };
    const ops = await startOperations({ rr: r.rr, log: log.child({ node: r.node.name }), options, config: () => ({ source: `${r.node.name}.yml (generated by meshrr demo)`, template: null, text: r.yaml, appliedAt }) });
    ops.configApplied();
    if (ops.bound.status !== null) out.push({ name: r.node.name, port, ops });
    else await ops.stop();
  }
  return out;
}

/** Waits until the mesh converged and the routers' tables stayed still for 300 ms; false on timeout or signal. */
async function waitConverged(mesh: DemoMesh, timeoutMs: number, cancelled: () => boolean): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let version = -1;
  let stillSince = 0;
  while (Date.now() < deadline && !cancelled()) {
    const v = mesh.routesVersion();
    if (v !== version) {
      version = v;
      stillSince = Date.now();
    } else if (Date.now() - stillSince >= 300 && mesh.converged()) {
      return true;
    }
    await delay(25);
  }
  return false;
}
