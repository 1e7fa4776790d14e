/**
 * The interop matrix: each test records pass/fail per daemon × check as it goes, and the
 * file prints one compact line per daemon at the end (with the daemon version from the
 * harness), whatever failed. `check` runs one step, records it and rethrows a failure, so a
 * failed step is both a failed test and a `FAIL` cell. A step listed in KNOWN_BUGS is a
 * strict expected failure: failing is recorded as `xfail` and passes, passing fails.
 */
import type { PeerKind } from '../helpers/peers/index.js';
import { versions } from '../helpers/peers/index.js';
import { knownBug } from './helpers-known-bugs.js';

export type Row = PeerKind | 'meshrr';

interface Cell {
  ok: boolean;
  /** Set when a known bug made the check fail as expected. */
  xfail?: string;
  note: string | undefined;
}

export class Matrix {
  private readonly cells = new Map<Row, Map<string, Cell>>();

  constructor(private readonly file: string) {}

  record(row: Row, check: string, ok: boolean, note?: string): void {
    const r = this.row(row);
    // A check recorded twice (several sessions) passes only if every run passed.
    const prev = r.get(check);
    r.set(check, { ok: ok && (prev?.ok ?? true), note: note ?? prev?.note });
  }

  /**
   * Run `fn`, record the outcome under (row, check), rethrow on failure. For a known bug the
   * outcome is inverted (see the module comment); the result is then undefined.
   */
  async check<T>(row: Row, check: string, fn: () => Promise<T>): Promise<T | undefined> {
    const bug = knownBug(this.file, row, check);
    let value: T;
    try {
      value = await fn();
    } catch (err) {
      const first = (err as Error).message.split('\n')[0]?.slice(0, 160);
      if (bug === undefined) {
        this.record(row, check, false, first);
        throw err;
      }
      this.row(row).set(check, { ok: true, xfail: bug.id, note: first });
      return undefined;
    }
    if (bug !== undefined) {
      this.record(row, check, false, `known bug ${bug.id} did not show: fixed? remove its KNOWN_BUGS entry`);
      throw new Error(`${row} ${check}: passed, but KNOWN_BUGS expects it to fail (${bug.id}); if the bug is fixed, remove the entry`);
    }
    this.record(row, check, true);
    return value;
  }

  private row(row: Row): Map<string, Cell> {
    let r = this.cells.get(row);
    if (r === undefined) {
      r = new Map();
      this.cells.set(row, r);
    }
    return r;
  }

  /** The matrix as text lines (`# interop FILE | BIRD 2.0.12 | check=pass ...`). */
  async lines(): Promise<string[]> {
    const v = await versions();
    const out: string[] = [];
    for (const [row, checks] of this.cells) {
      const name = row === 'meshrr' ? 'meshrr' : `${v[row].name} ${v[row].version}`;
      const cells = [...checks].map(([c, cell]) => `${c}=${cell.xfail !== undefined ? 'xfail' : cell.ok ? 'pass' : 'FAIL'}`);
      out.push(`interop ${this.file} | ${name} | ${cells.join(' ')}`);
      for (const [c, cell] of checks) {
        if (cell.xfail !== undefined) out.push(`  ${name} ${c}: known bug ${cell.xfail}: ${cell.note ?? ''}`);
        else if (!cell.ok && cell.note !== undefined) out.push(`  ${name} ${c}: ${cell.note}`);
      }
    }
    return out;
  }

  async print(): Promise<void> {
    const text = (await this.lines()).map((l) => `${l}\n`).join('');
    process.stdout.write(text);
  }
}

/** Run every chain, wait for all, and throw the first failure (the others are in the matrix). */
export async function allChains(chains: readonly Promise<unknown>[]): Promise<void> {
  const res = await Promise.allSettled(chains);
  const failed = res.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed.length === 1) throw failed[0]?.reason;
  if (failed.length > 1) throw new AggregateError(failed.map((f) => f.reason as unknown), `${failed.length} checks failed`);
}

/**
 * Run every cleanup step even when one fails (a daemon left running keeps the test process
 * alive), then throw what failed. For `after` hooks.
 */
export async function teardown(steps: readonly (() => unknown)[]): Promise<void> {
  const errors: unknown[] = [];
  for (const step of steps) {
    try {
      await step();
    } catch (err) {
      process.stderr.write(`# teardown step failed: ${String(err)}\n`);
      errors.push(err);
    }
  }
  if (errors.length > 0) throw new AggregateError(errors, `${errors.length} teardown steps failed`);
}
