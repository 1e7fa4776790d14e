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
import { loadRouterConfig } from '../config/router-config.js';

const USAGE = 'usage: meshrr rr --config FILE [--log-level LEVEL] [--state-dir DIR]\n';

export async function rrCommand(args: readonly string[], io: CliIo): Promise<number> {
  let configPath: string | null = null;
  let level = process.env['LOG_LEVEL'] ?? 'info';
  let stateDir: string | null = process.env['MESHRR_STATE_DIR'] ?? null;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--config' || a === '-c') configPath = args[++i] ?? null;
    else if (a === '--log-level') level = args[++i] ?? level;
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
  const log = pino({ level, base: { routerId: config.routerIdText } });
  const restarted = stateDir === null ? false : await markRunning(stateDir);
  const rr = new RouteReflector({ config, log, restarted });
  try {
    await rr.start();
  } catch (err) {
    io.stderr.write(`meshrr rr: ${err instanceof Error ? err.message : String(err)}\n`);
    await rr.stop('start-up failed');
    return 1;
  }
  const path = configPath;
  let chain: Promise<void> = Promise.resolve();
  const reload = (why: string): void => {
    chain = chain.then(async () => {
      try {
        const next = await loadRouterConfig(path);
        await rr.reload(next);
      } catch (err) {
        log.error({ why, file: path, err: err instanceof Error ? err.message : String(err) }, 'configRejected');
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
