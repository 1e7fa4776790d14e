/**
 * Summarises a V8 CPU profile (`node --cpu-prof`, e.g. the meshrr profiles that
 * `npm run bench -- fanout --profile` leaves in .bench-out/profiles/):
 *   node dist-bench/bench/profile-summary.js FILE.cpuprofile [--top=25] [--whole]
 * prints the functions with the largest self time and the largest inclusive time (each
 * sample counted once per function on its stack), with their share of the busy time (idle
 * and GC shown apart). Only the measured interval (FILE.window.json, written by the bench)
 * counts unless --whole is given. For finding the hot functions of a benchmark, not a test.
 */
import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import process from 'node:process';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly startTime: number;
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

function isProfile(v: unknown): v is CpuProfile {
  const p = v as Partial<CpuProfile> | null;
  return typeof p === 'object' && p !== null && Array.isArray(p.nodes) && Array.isArray(p.samples) && Array.isArray(p.timeDeltas);
}

function label(f: CallFrame): string {
  const name = f.functionName === '' ? '(anonymous)' : f.functionName;
  if (f.url === '') return name;
  const file = f.url.startsWith('file://') ? relative(process.cwd(), new URL(f.url).pathname) : f.url;
  return `${name} ${file}:${f.lineNumber + 1}`;
}

/** Microseconds on the profile's clock; samples outside [startUs, endUs] are skipped. */
export interface Window {
  readonly startUs: number;
  readonly endUs: number;
}

export function summarise(profile: CpuProfile, top: number, window: Window | null): string {
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of profile.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const self = new Map<string, number>();
  const incl = new Map<string, number>();
  let total = 0;
  let idle = 0;
  let at = profile.startTime;
  let counted = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i] ?? 0;
    if (window !== null && (at < window.startUs || at > window.endUs)) continue;
    counted++;
    const dt = (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0) / 1000;
    const node = byId.get(profile.samples[i] as number);
    if (node === undefined) continue;
    const own = label(node.callFrame);
    if (own === '(idle)' || own === '(program)') {
      idle += dt;
      continue;
    }
    total += dt;
    self.set(own, (self.get(own) ?? 0) + dt);
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const l = label((byId.get(id) as ProfileNode).callFrame);
      if (seen.has(l) || l === '(root)') continue;
      seen.add(l);
      incl.set(l, (incl.get(l) ?? 0) + dt);
    }
  }
  const table = (m: Map<string, number>, title: string): string => {
    const rows = [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
    return [`${title}`, ...rows.map(([l, ms]) => `${ms.toFixed(0).padStart(7)} ms ${((100 * ms) / total).toFixed(1).padStart(5)} %  ${l}`)].join('\n');
  };
  const span = window === null ? 'whole profile' : `window of ${((window.endUs - window.startUs) / 1000).toFixed(0)} ms`;
  const head = `${span}: busy ${total.toFixed(0)} ms (idle/program ${idle.toFixed(0)} ms), ${counted} samples`;
  return `${head}\n\n${table(self, 'self time')}\n\n${table(incl, 'inclusive time')}\n`;
}

const file = process.argv[2];
if (file !== undefined && import.meta.url === new URL(`file://${process.argv[1] ?? ''}`).href) {
  const topArg = process.argv.find((a) => a.startsWith('--top='));
  const top = Number(topArg?.slice('--top='.length) ?? '25');
  const v: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!isProfile(v)) throw new Error(`${file} is not a V8 CPU profile`);
  // fanout.ts writes NAME.window.json next to NAME.cpuprofile: the measured interval only.
  const wfile = file.replace(/\.cpuprofile$/, '.window.json');
  const whole = process.argv.includes('--whole') || !existsSync(wfile);
  const window = whole ? null : (JSON.parse(readFileSync(wfile, 'utf8')) as Window);
  process.stdout.write(summarise(v, top, window));
}
