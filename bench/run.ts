/**
 * `npm run bench [-- [--quick] [--key=value...] [names...]]`: runs benchmark modules (each
 * exports `run(opts): Promise<BenchReport>`, see report.ts), prints one table, and writes the
 * reports as JSON to .bench-out/ (latest.json and a timestamped copy). Runs as compiled JS
 * from dist-bench/ (tsx's module wrapper costs 2-3x on hot paths).
 *
 * Names: fanout (issue 5: fan-out through a route reflector, meshrr vs BIRD vs FRR),
 * mrt-decode (MRT decoding, bench/mrt-decode.ts), rib-core (the reflector core in process,
 * no sockets: bench/rib-core.ts). No name: all of them.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';
import { type BenchModule, type BenchOptions, type BenchReport, type BenchRow, formatValue } from './report.js';

/** Module file (next to this one) of each benchmark, in run order. */
const BENCHES: Readonly<Record<string, string>> = {
  'mrt-decode': './mrt-decode.js',
  fanout: './fanout.js',
  'rib-core': './rib-core.js',
};

function parseArgs(argv: readonly string[]): { opts: BenchOptions; names: string[] } {
  let quick = false;
  const flags = new Map<string, string>();
  const names: string[] = [];
  for (const a of argv) {
    if (a === '--quick') quick = true;
    else if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (eq < 0) flags.set(a.slice(2), 'true');
      else flags.set(a.slice(2, eq), a.slice(eq + 1));
    } else names.push(a);
  }
  const log = (line: string): void => {
    process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
  };
  return { opts: { quick, flags, log }, names };
}

function isBenchModule(m: unknown): m is BenchModule {
  return typeof m === 'object' && m !== null && typeof (m as { run?: unknown }).run === 'function';
}

async function runOne(name: string, file: string, opts: BenchOptions): Promise<BenchReport> {
  let mod: unknown;
  try {
    mod = await import(file);
  } catch (e) {
    const code = (e as { code?: unknown } | null)?.code;
    if (code === 'ERR_MODULE_NOT_FOUND') return { title: name, rows: [{ metric: 'skipped', value: null, unit: '', note: `${file} is not built` }] };
    throw e;
  }
  if (!isBenchModule(mod)) return { title: name, rows: [{ metric: 'skipped', value: null, unit: '', note: `${file} exports no run(opts)` }] };
  return mod.run(opts);
}

function printTable(reports: readonly { name: string; report: BenchReport }[]): void {
  const lines: string[][] = [['bench', 'metric', 'value', 'unit', 'ratio', 'note']];
  for (const { report } of reports) {
    for (const r of report.rows) {
      lines.push([report.title, r.metric, formatValue(r.value), r.unit, r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}x`, r.note ?? '']);
    }
  }
  const widths = (lines[0] ?? []).map((_, i) => Math.max(...lines.map((l) => (l[i] ?? '').length)));
  const fmt = (l: readonly string[]): string =>
    l
      .map((c, i) => (i === 2 || i === 4 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const out = [fmt(lines[0] ?? []), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const l of lines.slice(1)) out.push(fmt(l));
  process.stdout.write(`${out.join('\n')}\n`);
}

function writeJson(reports: readonly { name: string; report: BenchReport }[], opts: BenchOptions): string {
  const dir = join(process.cwd(), '.bench-out');
  mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const doc = {
    date: new Date().toISOString(),
    node: process.version,
    quick: opts.quick,
    flags: Object.fromEntries(opts.flags),
    reports: reports.map(({ name, report }) => ({ name, title: report.title, rows: report.rows as readonly BenchRow[] })),
  };
  const text = `${JSON.stringify(doc, null, 2)}\n`;
  const file = join(dir, `bench-${stamp}.json`);
  writeFileSync(file, text);
  writeFileSync(join(dir, 'latest.json'), text);
  return file;
}

async function main(): Promise<number> {
  const { opts, names } = parseArgs(process.argv.slice(2));
  const unknown = names.filter((n) => BENCHES[n] === undefined);
  if (unknown.length > 0) {
    process.stderr.write(`unknown benchmark ${unknown.join(', ')}; known: ${Object.keys(BENCHES).join(', ')}\n`);
    return 2;
  }
  const selected = names.length > 0 ? names : Object.keys(BENCHES);
  const reports: { name: string; report: BenchReport }[] = [];
  let failed = false;
  for (const name of selected) {
    const file = BENCHES[name] as string;
    opts.log(`${name}: start${opts.quick ? ' (quick)' : ''}`);
    const t0 = performance.now();
    try {
      reports.push({ name, report: await runOne(name, file, opts) });
    } catch (e) {
      failed = true;
      const msg = e instanceof Error ? (e.stack ?? e.message) : String(e);
      process.stderr.write(`${name}: failed: ${msg}\n`);
      reports.push({ name, report: { title: name, rows: [{ metric: 'failed', value: null, unit: '', note: e instanceof Error ? e.message : String(e) }] } });
    }
    opts.log(`${name}: done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  printTable(reports);
  const file = writeJson(reports, opts);
  process.stderr.write(`results: ${file}\n`);
  return failed ? 1 : 0;
}

process.exitCode = await main();
