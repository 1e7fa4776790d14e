/**
 * MRT decoding speed on ../shared/data/mrt/ripe-bgpdump/test_data/updates.et-header.2015.gz
 * (89,679 UPDATEs, 577,740 prefixes; issue 3 "Speed"):
 *
 * (a) pure decode: every UPDATE body (already in memory) through decodeUpdate, every prefix
 *     visited with forEachPrefix, no text, one core. Target: >= 3 million prefixes/s.
 * (b) `meshrr mrt dump` against `bgpdump -m` on the same file in the same run: both spawned,
 *     output to /dev/null, alternating, best wall time of N runs each; ratio = bgpdump time /
 *     meshrr time (> 1: meshrr faster). Target: ratio >= 1.
 * (c) reading the file with the MRT reader alone (gunzip + framing + record decode).
 *
 * Run with `npm run bench mrt-decode` (compiled) or `node --import tsx bench/mrt-decode.ts`.
 */
import { spawn } from 'node:child_process';
import { existsSync, openSync, closeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { readMrtBatches } from '../src/mrt/reader.js';
import { bgp4mpCtx, bgpMessageBody, bgpMessageType } from '../src/mrt/bgp4mp.js';
import type { CodecCtx } from '../src/wire/context.js';
import { forEachPrefix } from '../src/wire/nlri.js';
import { decodeUpdate } from '../src/wire/update.js';
import type { BenchOptions, BenchReport, BenchRow } from './report.js';

const HERE = dirname(fileURLToPath(import.meta.url));

/** The repository root: the first directory above this module with a package.json. */
function repoRoot(): string {
  let d = HERE;
  while (!existsSync(join(d, 'package.json'))) {
    const up = dirname(d);
    if (up === d) throw new Error(`no package.json above ${HERE}`);
    d = up;
  }
  return d;
}

const ROOT = repoRoot();
const FILE = join(ROOT, '..', 'shared', 'data', 'mrt', 'ripe-bgpdump', 'test_data', 'updates.et-header.2015.gz');
const BGPDUMP = '/usr/bin/bgpdump';
const TARGET_PREFIXES_PER_S = 3e6;

/** How to start `meshrr`: compiled JS next to this compiled module, or the sources through tsx. */
function meshrrCommand(): string[] {
  if (import.meta.url.endsWith('.ts')) return ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts')];
  const js = join(HERE, '..', 'src', 'cli', 'main.js');
  if (!existsSync(js)) throw new Error(`${js} not built`);
  return [js];
}

interface Loaded {
  readonly bodies: Buffer[];
  readonly ctxs: CodecCtx[];
}

async function loadUpdates(): Promise<Loaded> {
  const bodies: Buffer[] = [];
  const ctxs: CodecCtx[] = [];
  for await (const batch of readMrtBatches(FILE)) {
    for (const r of batch) {
      if (r.kind !== 'bgp4mpMessage' || bgpMessageType(r.message) !== 2) continue;
      bodies.push(Buffer.from(bgpMessageBody(r.message)));
      ctxs.push(bgp4mpCtx(r));
    }
  }
  return { bodies, ctxs };
}

let visited = 0;
let bitsSum = 0;
function visit(_pathId: number, bits: number): void {
  visited++;
  bitsSum += bits;
}

/** One pass of pure decoding; returns [prefixes, ms]. */
function decodePass(l: Loaded): [number, number] {
  visited = 0;
  const t0 = performance.now();
  const n = l.bodies.length;
  for (let i = 0; i < n; i++) {
    const d = decodeUpdate(l.bodies[i] as Buffer, l.ctxs[i] as CodecCtx);
    if (!d.ok) throw new Error(`UPDATE ${i} does not decode: ${d.error.detail}`);
    const u = d.update;
    forEachPrefix(u.withdrawn, visit);
    forEachPrefix(u.nlri, visit);
    for (const a of u.attributes) {
      if (a.kind === 'mpReach') forEachPrefix(a.value.nlri, visit);
      else if (a.kind === 'mpUnreach') forEachPrefix(a.value.withdrawn, visit);
    }
  }
  return [visited, performance.now() - t0];
}

/** Wall time (ms) of a command with stdout to /dev/null; rejects on a non-zero exit. */
function timed(cmd: string, args: readonly string[]): Promise<number> {
  const devnull = openSync('/dev/null', 'w');
  const t0 = performance.now();
  return new Promise<number>((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', devnull, 'ignore'] });
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - t0;
      if (code === 0) resolve(ms);
      else reject(new Error(`${cmd} ${args.join(' ')} exited ${code}`));
    });
  }).finally(() => closeSync(devnull));
}

async function readPass(): Promise<number> {
  const t0 = performance.now();
  let n = 0;
  for await (const batch of readMrtBatches(FILE)) n += batch.length;
  if (n !== 89686) throw new Error(`read ${n} records, expected 89686`);
  return performance.now() - t0;
}

/** Runs the benchmark and returns its figures. */
export async function run(opts: BenchOptions): Promise<BenchReport> {
  if (!existsSync(FILE)) throw new Error(`benchmark input missing: ${FILE}`);
  const rows: BenchRow[] = [];
  const reps = opts.quick ? 3 : 7;

  // (a) pure decode
  const loaded = await loadUpdates();
  let best = Infinity;
  let prefixes = 0;
  for (let i = 0; i < reps + 2; i++) {
    const [p, ms] = decodePass(loaded);
    prefixes = p;
    best = Math.min(best, ms);
  }
  const rate = prefixes / (best / 1000);
  opts.log(`decode: ${loaded.bodies.length} UPDATEs, ${prefixes} prefixes, best ${best.toFixed(0)} ms (${bitsSum > 0 ? 'ok' : '?'})`);
  rows.push({ metric: 'decode UPDATEs + forEachPrefix', value: rate / 1e6, unit: 'M prefixes/s', ratio: rate / TARGET_PREFIXES_PER_S, note: `target 3 M/s; ratio = rate / target; ${prefixes} prefixes in ${best.toFixed(0)} ms` });
  rows.push({ metric: 'decode UPDATEs', value: loaded.bodies.length / (best / 1000) / 1e3, unit: 'k UPDATEs/s' });

  // (c) reader alone
  let readBest = Infinity;
  for (let i = 0; i < Math.min(reps, 3); i++) readBest = Math.min(readBest, await readPass());
  rows.push({ metric: 'read file (gunzip + frame + records)', value: readBest, unit: 'ms', note: '89,686 records, 13.5 MB decompressed' });

  // (b) meshrr mrt dump vs bgpdump -m
  const meshrr = [...meshrrCommand(), 'mrt', 'dump', FILE];
  let ours = Infinity;
  let theirs: number | null = existsSync(BGPDUMP) ? Infinity : null;
  for (let i = 0; i < reps; i++) {
    ours = Math.min(ours, await timed(process.execPath, meshrr));
    if (theirs !== null) theirs = Math.min(theirs, await timed(BGPDUMP, ['-m', FILE]));
  }
  opts.log(`dump: meshrr ${ours.toFixed(0)} ms, bgpdump ${theirs === null ? '-' : theirs.toFixed(0)} ms (best of ${reps})`);
  rows.push({
    metric: 'meshrr mrt dump (wall)',
    value: ours,
    unit: 'ms',
    ...(theirs === null ? { note: `${BGPDUMP} not installed` } : { ratio: theirs / ours, note: 'ratio = bgpdump / meshrr; >1: meshrr faster' }),
  });
  rows.push({ metric: 'bgpdump -m (wall)', value: theirs, unit: 'ms', note: 'Debian bgpdump 1.6.2, same file, same run' });
  return { title: 'mrt-decode', rows };
}

/** True when this module is the program. */
function isMain(): boolean {
  const script = process.argv[1];
  return script !== undefined && fileURLToPath(import.meta.url) === script;
}

if (isMain()) {
  const quick = process.argv.includes('--quick');
  const report = await run({ quick, flags: new Map(), log: (l) => process.stderr.write(`[mrt-decode] ${l}\n`) });
  for (const r of report.rows) {
    const ratio = r.ratio === undefined ? '' : `  ratio ${r.ratio.toFixed(2)}`;
    process.stdout.write(`${r.metric.padEnd(40)} ${r.value === null ? '-' : r.value.toFixed(r.value < 10 ? 2 : 0)} ${r.unit}${ratio}${r.note === undefined ? '' : `  (${r.note})`}\n`);
  }
}
