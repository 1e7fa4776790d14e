/**
 * Installs the RIB's huge-page advisor (src/rib/large-arrays.ts) from the meshrr_memory addon
 * (native/memory.c), for `meshrr rr` and `meshrr pod`. MESHRR_HUGE_PAGES=0 leaves it out. A
 * missing addon or a kernel with THP "never" is not an error: arrays then sit on 4 KiB pages
 * as before, and the start-up log says which case applies.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { setHugePageAdvisor, type HugePageAdvisor } from '../rib/large-arrays.js';

/** From dist/cli (the package) or src/cli (tsx), and from dist-bench/src/cli (the bench build). */
const ADDON_PATHS = ['../../build/Release/meshrr_memory.node', '../../../build/Release/meshrr_memory.node'];

export interface MemoryAdvice {
  /** Whether large RIB arrays are advised for huge pages. */
  readonly advised: boolean;
  /** The kernel's THP mode (`always`, `madvise`, `never`), or null when unknown. */
  readonly thp: string | null;
  /** Why nothing is advised, when so. */
  readonly reason: string | null;
}

/** The kernel's transparent huge page mode (`always`, `madvise`, `never`), or null when unknown. */
export function thpMode(): string | null {
  try {
    const text = readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8');
    return /\[(\w+)\]/.exec(text)?.[1] ?? null;
  } catch {
    return null;
  }
}

function loadAdvisor(): HugePageAdvisor | string {
  const req = createRequire(import.meta.url);
  const errors: string[] = [];
  for (const p of ADDON_PATHS) {
    const file = new URL(p, import.meta.url).pathname;
    try {
      const m: unknown = req(file);
      const fn = typeof m === 'object' && m !== null ? (m as Record<string, unknown>)['hugeAdvise'] : undefined;
      if (typeof fn === 'function') return (buf: ArrayBuffer, bytes: number): number => Number(fn(buf, bytes));
      errors.push(`${file}: not the meshrr_memory addon`);
    } catch (e) {
      errors.push(e instanceof Error ? (e.message.split('\n')[0] ?? e.message) : String(e));
    }
  }
  return `the memory addon did not load (${errors.join('; ')}); build it with npm run build:native`;
}

export function installMemoryAdvice(env: NodeJS.ProcessEnv = process.env): MemoryAdvice {
  const thp = thpMode();
  const v = env['MESHRR_HUGE_PAGES'];
  if (v === '0' || v === 'false') return { advised: false, thp, reason: 'MESHRR_HUGE_PAGES=0' };
  if (thp === 'never') return { advised: false, thp, reason: 'transparent huge pages are off in this kernel' };
  const a = loadAdvisor();
  if (typeof a === 'string') return { advised: false, thp, reason: a };
  setHugePageAdvisor(a);
  return { advised: true, thp, reason: null };
}
