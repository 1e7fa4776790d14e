/**
 * The only way the test harness waits: poll observable state until it is what the test needs
 * (FRR topotests' `run_and_expect`, STYLE.md §7). There is no fixed sleep anywhere in the
 * harness; a timeout only bounds a poll, and its error names what was awaited and the last
 * value seen, so a failed run says "BIRD n0 Established: last 'Active'" rather than "timeout".
 *
 * Must not: hide a broken invariant. A getter that throws is retried (a daemon socket may not
 * exist yet) and the error is kept as the last value; a getter that throws `PollAbort` ends
 * the poll at once (a daemon that exited will never become ready).
 */
import { setTimeout as delay } from 'node:timers/promises';
import { inspect } from 'node:util';

/** Values `pollUntil` treats as "not yet". */
export type Falsy = false | 0 | 0n | '' | null | undefined;

export interface PollOptions {
  /** What is awaited, for the timeout message ("gobgp n1 Established"). */
  what: string;
  /** Overall deadline in ms (default 30 000: BGP establishment needs no less). */
  timeoutMs?: number;
  /** Pause between attempts in ms (default 100). */
  intervalMs?: number;
}

/** Thrown by `pollUntil` when the deadline passes; carries the last value seen. */
export class PollTimeoutError extends Error {
  readonly what: string;
  readonly lastValue: unknown;
  constructor(what: string, timeoutMs: number, lastValue: unknown, attempts: number) {
    super(`timed out after ${timeoutMs} ms (${attempts} attempts) waiting for ${what}; last value: ${describe(lastValue)}`);
    this.name = 'PollTimeoutError';
    this.what = what;
    this.lastValue = lastValue;
  }
}

/** Throw this from a poll getter to stop polling at once (e.g. the daemon exited). */
export class PollAbort extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PollAbort';
  }
}

/**
 * Call `fn` until it returns a truthy value and return that value. Errors thrown by `fn` count
 * as "not yet" (and become the last value) unless they are `PollAbort`, which is rethrown.
 */
export async function pollUntil<T>(fn: () => T | Promise<T>, opts: PollOptions): Promise<Exclude<T, Falsy>> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const intervalMs = opts.intervalMs ?? 100;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  let attempts = 0;
  for (;;) {
    attempts += 1;
    try {
      const value = await fn();
      if (value) return value as Exclude<T, Falsy>;
      last = value;
    } catch (err) {
      if (err instanceof PollAbort) throw err;
      last = err;
    }
    const left = deadline - Date.now();
    if (left <= 0) throw new PollTimeoutError(opts.what, timeoutMs, last, attempts);
    await delay(Math.min(intervalMs, left));
  }
}

/** A short, single-line rendering of the last value for error messages. */
function describe(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  const text = inspect(value, { depth: 4, breakLength: Infinity, maxStringLength: 400 });
  return text.length > 800 ? `${text.slice(0, 800)}...` : text;
}
