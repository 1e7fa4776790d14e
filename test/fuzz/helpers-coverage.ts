/**
 * Source coverage of the fuzz run, from V8's own block coverage (the Profiler domain of the
 * inspector, as c8 uses it): importing this module starts precise coverage, so it must be
 * the first import of the test file (modules compiled before it only get function-level
 * counts). `coverageOf` reports, per file under a directory, how many source bytes of the
 * (tsx-transformed) module ran at least once.
 */
import { Session } from 'node:inspector/promises';
import { fileURLToPath } from 'node:url';

const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.startPreciseCoverage', { callCount: false, detailed: true });

export interface FileCoverage {
  readonly file: string;
  readonly bytes: number;
  readonly covered: number;
}

interface Range {
  readonly startOffset: number;
  readonly endOffset: number;
  readonly count: number;
}

/** Covered bytes of every loaded module whose path contains `under` (e.g. '/src/wire/'). */
export async function coverageOf(under: readonly string[]): Promise<FileCoverage[]> {
  const r = await session.post('Profiler.takePreciseCoverage');
  const out: FileCoverage[] = [];
  for (const s of r.result) {
    if (!s.url.startsWith('file:')) continue;
    const file = fileURLToPath(s.url);
    if (!under.some((u) => file.includes(u))) continue;
    const ranges: Range[] = s.functions.flatMap((f) => f.ranges);
    const size = Math.max(0, ...ranges.map((x) => x.endOffset));
    const counts = new Uint8Array(size);
    // Outer ranges first, inner ones override (V8 nests block ranges inside their function).
    ranges.sort((a, b) => a.startOffset - b.startOffset || b.endOffset - a.endOffset);
    for (const x of ranges) counts.fill(x.count > 0 ? 1 : 0, x.startOffset, x.endOffset);
    let covered = 0;
    for (const c of counts) covered += c;
    out.push({ file, bytes: size, covered });
  }
  return out;
}

export async function stopCoverage(): Promise<void> {
  await session.post('Profiler.stopPreciseCoverage');
  session.disconnect();
}
