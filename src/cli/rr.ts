/**
 * `meshrr rr --config FILE`: run the route reflector from a router config alone (no
 * discovery, no Kubernetes). SIGTERM and SIGINT send Cease / Administrative Shutdown with a
 * shutdown message to every peer (RFC 9003), then exit 0.
 *
 * Reload: SIGHUP, or the file changing (polled every 2 s, which also sees a Kubernetes
 * ConfigMap's symlink swap), reads the file again and applies it live (RouteReflector.reload).
 * A file that does not parse, or a change that needs a restart, is logged (`configRejected`)
 * and the running config is kept. Reloads never overlap.
 */
import { unwatchFile, watchFile } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import process from 'node:process';
import { pino } from 'pino';
import type { CliIo } from './main.js';
import { RouteReflector } from '../rr/route-reflector.js';
import { untilSignal } from './signals.js';
import { logDestination } from './pretty-log.js';
import { loadRouterConfig } from '../config/router-config.js';
import { OPERATIONS_USAGE, takeOperationsArgs } from '../status/options.js';
import { startOperations } from '../status/operations.js';
import { warmUpUnlessDisabled } from './warm-up.js';

const USAGE = `usage: meshrr rr --config FILE [--log-level LEVEL] [--pretty] [--state-dir DIR] ${OPERATIONS_USAGE}\n`;

export async function rrCommand(allArgs: readonly string[], io: CliIo): Promise<number> {
  const ops = takeOperationsArgs(allArgs, process.env);
  if ('error' in ops) {
    io.stderr.write(`meshrr rr: ${ops.error}\n${USAGE}`);
    return 2;
  }
  const args = ops.rest;
  let configPath: string | null = null;
  let level = process.env['LOG_LEVEL'] ?? 'info';
  let pretty = process.env['LOG_PRETTY'] === '1' || process.env['LOG_PRETTY'] === 'true';
  let stateDir: string | null = process.env['MESHRR_STATE_DIR'] ?? null;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--config' || a === '-c') configPath = args[++i] ?? null;
    else if (a === '--log-level') level = args[++i] ?? level;
    else if (a === '--pretty') pretty = true;
    else if (a === '--state-dir') stateDir = args[++i] ?? null;
    else {
      io.stderr.write(`meshrr rr: unknown argument ${a}\n${USAGE}`);
      return 2;
    }
  }
  if (configPath === null) {
    io.stderr.write(USAGE);
    return 2;
  }
  let config;
  try {
    config = await loadRouterConfig(configPath);
  } catch (err) {
    io.stderr.write(`meshrr rr: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  const log = pino({ level, base: { routerId: config.routerIdText } }, logDestination(pretty, process.stdout));
  const restarted = stateDir === null ? false : await markRunning(stateDir);
  const rr = new RouteReflector({ config, log, restarted });
  let configText = await readFile(configPath, 'utf8');
  let appliedAt = new Date().toISOString();
  let operations;
  try {
    operations = await startOperations({ rr, log, options: ops.options, config: () => ({ source: configPath, template: null, text: configText, appliedAt }) });
    await warmUpUnlessDisabled(log);
    await rr.start();
  } catch (err) {
    io.stderr.write(`meshrr rr: ${err instanceof Error ? err.message : String(err)}\n`);
    await operations?.stop();
    await rr.stop('start-up failed');
    return 1;
  }
  operations.configApplied();
  const running = operations;
  const path = configPath;
  let chain: Promise<void> = Promise.resolve();
  const reload = (why: string): void => {
    chain = chain.then(async () => {
      try {
        const next = await loadRouterConfig(path);
        const text = await readFile(path, 'utf8');
        await rr.reload(next);
        configText = text;
        appliedAt = new Date().toISOString();
        running.configApplied();
      } catch (err) {
        const why2 = err instanceof Error ? err.message : String(err);
        log.error({ why, file: path, err: why2 }, 'configRejected');
        running.configFailed(why2);
      }
    });
  };
  const onHup = (): void => reload('SIGHUP');
  process.on('SIGHUP', onHup);
  watchFile(path, { interval: 2000 }, (cur, prev) => {
    if (cur.mtimeMs !== prev.mtimeMs || cur.ino !== prev.ino || cur.size !== prev.size) reload('file changed');
  });
  return untilSignal(log, async (text) => {
    process.off('SIGHUP', onHup);
    unwatchFile(path);
    await chain;
    await rr.stop(text);
    await running.stop();
  });
}

/**
 * Records this start in the state directory (an emptyDir in a pod survives container
 * restarts). Returns true when an earlier instance had recorded one: this start is a restart.
 */
async function markRunning(dir: string): Promise<boolean> {
  const marker = join(dir, 'meshrr.started');
  const before = await readFile(marker).then(
    () => true,
    () => false,
  );
  await mkdir(dir, { recursive: true });
  await writeFile(marker, `${new Date().toISOString()}\n`);
  return before;
}
