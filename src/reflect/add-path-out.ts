/**
 * The Adj-RIB-Out of one add-path family of an update group (RFC 7911 §5): up to N paths per
 * prefix (or all), each advertised with its own path identifier, each eligible and each
 * skipped for its own sender on its own (RFC 4456). Path identifiers are derived from where
 * the path came from: (source peer index << 16) | (received path id & 0xffff), stable for as
 * long as the path exists, and never reused for a different path of the same prefix while
 * advertised.
 */
import type { RankedPath } from '../rib/family-routes.js';
import type { NlriTable } from '../rib/nlri-table.js';
import { packAnnounce, packWithdraw } from './packer.js';

export interface AddPathEntry {
  readonly id: number;
  readonly attrs: Buffer;
  readonly nextHop: Buffer;
  refs: number;
}

export interface AddPathHost {
  /** Export entry for a path (eligibility already checked), or null when not eligible. */
  entryFor(path: RankedPath): AddPathEntry | null;
  releaseEntry(id: number): void;
  entry(id: number): AddPathEntry | undefined;
  isMember(peer: number): boolean;
  emit(buf: Buffer, skip: number, only: number): void;
}

/** One advertised path: identifier, entry, source peer. */
interface OutPath {
  readonly pathId: number;
  readonly entry: number;
  readonly source: number;
}

export function pathIdOf(p: RankedPath): number {
  return ((p.peer << 16) | (p.pathId & 0xffff)) >>> 0;
}

export class AddPathOut {
  private out: (OutPath[] | undefined)[] = [];
  /** entry → skip (-1 none) → flat [prefixId, pathId, ...]. */
  private pendAnn = new Map<number, Map<number, number[]>>();
  private pendWd: Buffer[] = [];

  constructor(
    private readonly afi: number,
    private readonly safi: number,
    private readonly table: NlriTable,
    private readonly limit: number,
    private readonly maxLen: number,
    private readonly host: AddPathHost,
  ) {}

  onRanked(prefixId: number, ranked: readonly RankedPath[], announce: boolean): void {
    const prev = this.out[prefixId] ?? [];
    const next: OutPath[] = [];
    for (const p of ranked) {
      if (next.length >= this.limit) break;
      const e = this.host.entryFor(p);
      if (e === null) continue;
      next.push({ pathId: pathIdOf(p), entry: e.id, source: p.peer });
    }
    for (const n of next) {
      const e = this.host.entry(n.entry);
      if (e !== undefined) e.refs++;
    }
    for (const o of prev) {
      if (announce && !next.some((n) => n.pathId === o.pathId)) this.pendWd.push(this.nlri(prefixId, o.pathId));
      this.host.releaseEntry(o.entry);
    }
    this.out[prefixId] = next.length > 0 ? next : undefined;
    if (!announce) return;
    for (const n of next) {
      const old = prev.find((o) => o.pathId === n.pathId);
      if (old !== undefined && old.entry === n.entry) continue;
      const skip = this.host.isMember(n.source) ? n.source : -1;
      let bySkip = this.pendAnn.get(n.entry);
      if (bySkip === undefined) this.pendAnn.set(n.entry, (bySkip = new Map()));
      const list = bySkip.get(skip);
      if (list === undefined) bySkip.set(skip, [prefixId, n.pathId]);
      else list.push(prefixId, n.pathId);
    }
  }

  flush(): void {
    if (this.pendWd.length > 0) {
      const bufs: Buffer[] = [];
      packWithdraw(this.afi, this.safi, Buffer.concat(this.pendWd), true, this.maxLen, bufs);
      for (const b of bufs) this.host.emit(b, -1, -1);
      this.pendWd = [];
    }
    for (const [entryId, bySkip] of this.pendAnn) {
      for (const [skip, flat] of bySkip) {
        const ids: number[] = [];
        const pids: number[] = [];
        for (let i = 0; i < flat.length; i += 2) {
          const id = flat[i] as number;
          const pid = flat[i + 1] as number;
          if (this.out[id]?.some((o) => o.pathId === pid && o.entry === entryId) === true) {
            ids.push(id);
            pids.push(pid);
          }
        }
        this.pack(entryId, ids, pids, (b) => this.host.emit(b, skip, -1));
      }
    }
    this.pendAnn.clear();
  }

  /** Catch-up packets for `member` over prefix ids (its own paths skipped). */
  catchUp(ids: readonly number[], member: number, out: Buffer[]): void {
    const byEntry = new Map<number, { ids: number[]; pids: number[] }>();
    for (const id of ids) {
      for (const o of this.out[id] ?? []) {
        if (o.source === member) continue;
        let g = byEntry.get(o.entry);
        if (g === undefined) byEntry.set(o.entry, (g = { ids: [], pids: [] }));
        g.ids.push(id);
        g.pids.push(o.pathId);
      }
    }
    for (const [entryId, g] of byEntry) this.pack(entryId, g.ids, g.pids, (b) => out.push(b));
  }

  /** Prefixes advertised, and per peer those whose advertised paths all came from it (adj-rib-out.ts). */
  advertisedCounts(): { total: number; onlyFrom: Map<number, number> } {
    const onlyFrom = new Map<number, number>();
    let total = 0;
    for (const l of this.out) {
      const first = l?.[0];
      if (l === undefined || first === undefined) continue;
      total++;
      if (l.every((o) => o.source === first.source)) onlyFrom.set(first.source, (onlyFrom.get(first.source) ?? 0) + 1);
    }
    return { total, onlyFrom };
  }

  private pack(entryId: number, ids: number[], pids: number[], sink: (b: Buffer) => void): void {
    const e = this.host.entry(entryId);
    if (e === undefined || ids.length === 0) return;
    const bufs: Buffer[] = [];
    packAnnounce(this.afi, this.safi, e.attrs, e.nextHop, ids, ids.length, this.table, this.maxLen, pids, bufs);
    for (const b of bufs) sink(b);
  }

  private nlri(prefixId: number, pathId: number): Buffer {
    const b = Buffer.allocUnsafe(4 + this.table.nlriLength(prefixId));
    b.writeUInt32BE(pathId >>> 0, 0);
    this.table.writeNlri(prefixId, b, 4);
    return b;
  }
}
