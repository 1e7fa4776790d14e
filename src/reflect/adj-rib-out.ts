/**
 * The Adj-RIB-Out arrays of one update-group family (FamilyState.out / outSource): growth
 * and the counts status reads. Add-path families keep theirs in AddPathOut instead.
 */
import { grownCapacity, resized } from '../rib/large-arrays.js';
import type { FamilyState } from './group-state.js';

/** Makes room for prefix ids below `n`: geometric like the prefix id space, new entries -1. */
export function growOut(f: FamilyState, n: number): void {
  if (n <= f.out.length) return;
  const cap = grownCapacity(f.out.length, n);
  f.out = resized(f.out, cap, -1);
  f.outSource = resized(f.outSource, cap, -1);
}

/**
 * What a family advertises, in one walk: prefixes with at least one route, and per peer the
 * prefixes whose routes all came from that peer (a member is never sent its own routes, RFC
 * 4456), so member m is advertised `total - onlyFrom.get(m)` prefixes.
 */
export interface AdvertisedCounts {
  readonly total: number;
  readonly onlyFrom: ReadonlyMap<number, number>;
}

export function advertisedCounts(f: FamilyState): AdvertisedCounts {
  if (f.addPath !== null) return f.addPath.advertisedCounts();
  const out = f.out;
  const src = f.outSource;
  const onlyFrom = new Map<number, number>();
  let total = 0;
  for (let i = 0; i < out.length; i++) {
    if ((out[i] as number) < 0) continue;
    total++;
    const s = src[i] as number;
    onlyFrom.set(s, (onlyFrom.get(s) ?? 0) + 1);
  }
  return { total, onlyFrom };
}
