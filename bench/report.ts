/**
 * The shape every benchmark module shares: `run(opts)` resolves to a BenchReport (a title and
 * rows of metric, value, unit, optional ratio and note) that bench/run.ts prints as one table
 * and writes as JSON to .bench-out/. Owns only types and small formatting helpers.
 */

export interface BenchOptions {
  /** Reduced matrix (`--quick`): each module decides what that means, under ~2 minutes in all. */
  readonly quick: boolean;
  /** `--key=value` options for the modules, e.g. `daemons` -> `meshrr,bird`. */
  readonly flags: ReadonlyMap<string, string>;
  /** Progress lines (stderr), so that a long run shows where it is. */
  readonly log: (line: string) => void;
}

export interface BenchRow {
  readonly metric: string;
  /** null when the measurement could not be made (timeout, daemon not installed). */
  readonly value: number | null;
  readonly unit: string;
  /** A comparison, e.g. daemon time / meshrr time; >1 means meshrr is better for times. */
  readonly ratio?: number;
  readonly note?: string;
}

export interface BenchReport {
  readonly title: string;
  readonly rows: readonly BenchRow[];
}

export type BenchModule = { readonly run: (opts: BenchOptions) => Promise<BenchReport> };

/** Shows a number with about three significant digits. */
export function formatValue(v: number | null): string {
  if (v === null) return '-';
  const a = Math.abs(v);
  if (a >= 100 || Number.isInteger(v)) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  return v.toFixed(3);
}
