/**
 * How a long-running command ends: the first SIGTERM or SIGINT runs `shutdown` (with the
 * RFC 9003 text peers will see), later signals are ignored while it runs, and the command
 * resolves with exit code 0 once it is done.
 */
import process from 'node:process';
import type { Logger } from 'pino';

export function untilSignal(log: Logger, shutdown: (text: string) => Promise<void>): Promise<number> {
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'shutdown');
      void shutdown(`meshrr ${signal === 'SIGTERM' ? 'pod terminating' : 'stopped by operator'}`).then(() => resolve(0));
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}
