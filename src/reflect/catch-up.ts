/**
 * State-based resends of an update group: a member that joins, asks for a route refresh, or
 * fell too far behind the shared log is brought up to date from the Adj-RIB-Out (what the
 * group advertises now), not from a queue of old packets. A lagging member's missed packets
 * are turned back into prefix ids to resend (and withdrawals still owed, as bytes).
 *
 * Owns: walking the Adj-RIB-Out into packets. Must not: write to sockets (the group does).
 */
import type { NlriBlock } from '../wire/attribute-types.js';
import type { CodecCtx } from '../wire/context.js';
import { HEADER_LENGTH } from '../wire/iana.js';
import { splitNlri } from '../wire/nlri-split.js';
import { decodeUpdate } from '../wire/update.js';
import type { ExportEntries } from './export-entries.js';
import type { CatchUp, FamilyState, Member, Packet } from './group-state.js';
import { endOfRib, packAnnounce, packWithdraw } from './packer.js';

/** Prefix ids walked per catch-up step. */
const WALK_CHUNK = 1 << 16;

/** What catch-up needs of its update group. */
export interface CatchUpHost {
  readonly fams: readonly FamilyState[];
  readonly maxLen: number;
  readonly exports: ExportEntries;
  readonly target: { readonly ctx: CodecCtx };
  familyIndex(afi: number, safi: number): number;
  prefixBytes(f: FamilyState, id: number): Buffer;
}

/** A walk over the whole Adj-RIB-Out of a family, ending with End-of-RIB (RFC 4724 §2). */
export function fullWalk(f: FamilyState): CatchUp {
  return { walkPos: 0, walkEnd: f.fam.table.idLimit, dirty: new Set(), owedWithdraw: [], start: null, end: endOfRib(f.fam.afi, f.fam.safi) };
}

/** Next packets of a member's catch-up (owed withdrawals, dirty prefixes, then the walk); null when done. */
export function catchUpStep(g: CatchUpHost, f: FamilyState, c: CatchUp, member: number): Buffer[] | null {
  const out: Buffer[] = [];
  const { afi, safi } = f.fam;
  const ap = f.addPath;
  if (c.owedWithdraw.length > 0) {
    packWithdraw(afi, safi, Buffer.concat(c.owedWithdraw), ap !== null, g.maxLen, out);
    c.owedWithdraw = [];
    return out;
  }
  const ids: number[] = [];
  if (c.dirty.size > 0) {
    for (const id of c.dirty) {
      ids.push(id);
      if (ids.length >= WALK_CHUNK) break;
    }
    for (const id of ids) c.dirty.delete(id);
    if (ap !== null) {
      ap.catchUp(ids, member, out);
      return out;
    }
    const wd: Buffer[] = [];
    const ann = groupByEntry(g, f, ids, member, wd);
    if (wd.length > 0) packWithdraw(afi, safi, Buffer.concat(wd), false, g.maxLen, out);
    for (const [entryId, list] of ann) packFor(g, f, entryId, list, out);
    return out;
  }
  if (c.walkPos >= c.walkEnd) return null;
  const stop = Math.min(c.walkEnd, c.walkPos + WALK_CHUNK);
  for (let id = c.walkPos; id < stop; id++) ids.push(id);
  c.walkPos = stop;
  if (ap !== null) {
    ap.catchUp(ids, member, out);
    return out;
  }
  const ann = groupByEntry(g, f, ids, member, null);
  for (const [entryId, list] of ann) packFor(g, f, entryId, list, out);
  return out;
}

/** Groups prefix ids by the entry the group advertises, skipping the member's own routes. */
function groupByEntry(g: CatchUpHost, f: FamilyState, ids: readonly number[], member: number, wd: Buffer[] | null): Map<number, number[]> {
  const ann = new Map<number, number[]>();
  for (const id of ids) {
    const e = id < f.out.length ? (f.out[id] as number) : -1;
    if (e < 0 || f.outSource[id] === member) {
      if (wd !== null && f.fam.table.has(id)) wd.push(g.prefixBytes(f, id));
      continue;
    }
    const l = ann.get(e);
    if (l === undefined) ann.set(e, [id]);
    else l.push(id);
  }
  return ann;
}

function packFor(g: CatchUpHost, f: FamilyState, entryId: number, ids: number[], out: Buffer[]): void {
  const e = g.exports.get(entryId);
  if (e === undefined) return;
  packAnnounce(f.fam.afi, f.fam.safi, e.attrs, e.nextHop, ids, ids.length, f.fam.table, g.maxLen, null, out);
}

/**
 * Moves a member that fell behind the log (packets `m.cursor` to `end`) to state-based
 * catch-up: the prefixes of the packets it missed become dirty (resent from the Adj-RIB-Out),
 * withdrawals of prefixes no longer in the table are owed as bytes.
 */
export function convertLagging(g: CatchUpHost, m: Member, log: readonly Packet[], logBase: number, end: number): void {
  for (let seq = m.cursor; seq < end; seq++) {
    const p = log[seq - logBase] as Packet;
    if (p.skip === m.port.index || (p.only >= 0 && p.only !== m.port.index)) continue;
    const r = decodeUpdate(p.buf.subarray(HEADER_LENGTH), g.target.ctx);
    if (!r.ok) continue;
    const blocks: { block: NlriBlock; withdraw: boolean }[] = [
      { block: r.update.withdrawn, withdraw: true },
      { block: r.update.nlri, withdraw: false },
    ];
    for (const a of r.update.attributes) {
      if (a.kind === 'mpReach') blocks.push({ block: a.value.nlri, withdraw: false });
      else if (a.kind === 'mpUnreach') blocks.push({ block: a.value.withdrawn, withdraw: true });
    }
    for (const { block, withdraw } of blocks) {
      const fi = g.familyIndex(block.afi, block.safi);
      const f = g.fams[fi];
      if (f === undefined) continue;
      let c = m.catchUp[fi];
      if (c === null || c === undefined) {
        c = { walkPos: 0, walkEnd: 0, dirty: new Set(), owedWithdraw: [], start: null, end: null };
        m.catchUp[fi] = c;
      }
      const cu = c;
      const bytes = block.bytes;
      splitNlri(block.afi, block.safi, block.addPath, bytes, (_pathId, start, stop) => {
        const id = f.fam.table.lookupNlri(bytes, start, stop);
        if (id >= 0) cu.dirty.add(id);
        else if (withdraw) cu.owedWithdraw.push(Buffer.from(bytes.subarray(start - (block.addPath ? 4 : 0), stop)));
      });
    }
  }
  m.cursor = end;
}
