/**
 * The RIB as a TABLE_DUMP_V2 file (RFC 6396 §4.3), for `meshrr dump rib --mrt FILE` and
 * the status API's `/v1/rib.mrt`: a PEER_INDEX_TABLE of every peer with a path, then one
 * RIB record per IPv4/IPv6 unicast prefix holding every path, best first. Each entry's
 * "originated time" is the dump time (meshrr does not keep per-path arrival times).
 *
 * Owns: walking the RIB into the writer. Must not: encode MRT (mrt/writer.ts does).
 */
import { createWriteStream } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { once } from 'node:events';
import type { RouteReflector } from '../rr/route-reflector.js';
import type { PathAttribute } from '../wire/attribute-types.js';
import { FLAG } from '../wire/iana.js';
import { TableDumpV2Writer, type PeerInput, type RibEntryInput } from '../mrt/writer.js';
import type { RankedPath } from '../rib/family-routes.js';

const EMPTY = Buffer.alloc(0);

/** The AS a peer index's routes came from: the live session's, else the configured one, else ours. */
function peerAsOf(rr: RouteReflector, index: number): number {
  const name = rr.peerNameOf(index);
  const peer = name === undefined ? undefined : rr.speaker.getPeer(name);
  const neg = peer?.negotiated;
  if (neg !== null && neg !== undefined) return neg.peerAs;
  const g = peer === undefined ? undefined : rr.groupConfig(peer.group);
  return g?.peerAs.kind === 'exact' ? g.peerAs.asn : rr.routerConfig.asn;
}

/** Prefixes walked per event-loop turn: a dump of a full table never blocks the sessions (or /healthz). */
const DUMP_CHUNK = 5000;

/**
 * Writes the dump to `out`; resolves with the number of prefixes written. The peer table
 * comes from the peers that have paths when the dump starts; the table is then walked in
 * chunks, one event-loop turn each, so like a router's MRT dump it is a fuzzy snapshot: a
 * route changing during the dump appears as it was when its chunk was read, and paths of a
 * peer that appeared meanwhile are left out.
 */
export async function dumpRib(rr: RouteReflector, out: NodeJS.WritableStream, now = Date.now()): Promise<number> {
  const rib = rr.reflector.rib;
  const timestamp = Math.floor(now / 1000);
  const families = [...rib.families.values()].filter((f) => f.safi === 1 && (f.afi === 1 || f.afi === 2));
  // RIB peer indices are dense from 1 (route-reflector.ts), each kept for good.
  const peers = new Map<number, number>();
  const table: PeerInput[] = [];
  for (let index = 1; rr.peerNameOf(index) !== undefined; index++) {
    if (!families.some((f) => f.peerPathCount(index) > 0)) continue;
    const info = rib.peerInfo(index);
    peers.set(index, table.length);
    table.push({ bgpId: info?.bgpId ?? 0, address: info?.address ?? Buffer.alloc(4), peerAs: peerAsOf(rr, index) });
  }
  const w = new TableDumpV2Writer(out, { timestamp, collectorBgpId: rr.routerConfig.routerId, viewName: '' });
  await w.writePeers(table);
  let written = 0;
  for (const f of families) {
    for (let start = 0; start < f.table.idLimit; start += DUMP_CHUNK) {
      const records: { bits: number; bytes: Buffer; ranked: RankedPath[] }[] = [];
      const end = Math.min(f.table.idLimit, start + DUMP_CHUNK);
      for (let id = start; id < end; id++) {
        if (!f.table.has(id)) continue;
        const ranked = f.rank(id).filter((p) => peers.has(p.peer));
        if (ranked.length === 0) continue;
        const nlri = Buffer.alloc(f.table.nlriLength(id));
        f.table.writeNlri(id, nlri, 0);
        records.push({ bits: nlri[0] as number, bytes: nlri.subarray(1), ranked });
      }
      for (const r of records) {
        const entries: RibEntryInput[] = r.ranked.map((p) => ({
          peerIndex: peers.get(p.peer) ?? 0,
          originatedTime: timestamp,
          attributes: f.afi === 1 ? p.set.attributes : withMpReach(p.set.attributes, p.set.nextHop),
        }));
        await w.writeRib(f.afi, r.bits, r.bytes, entries);
        written++;
      }
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
  return written;
}

/** IPv6 paths keep their next hop apart from the attributes; MRT wants it in MP_REACH_NLRI. */
function withMpReach(attrs: readonly PathAttribute[], nextHop: Buffer): PathAttribute[] {
  const mp: PathAttribute = {
    kind: 'mpReach',
    code: 14,
    flags: FLAG.OPTIONAL,
    value: { afi: 2, safi: 1, nextHop, reserved: Buffer.from([0]), nlri: { afi: 2, safi: 1, addPath: false, bytes: EMPTY } },
  };
  return [mp, ...attrs];
}

/**
 * Writes the dump to `file` through `file.tmp` and a rename, so a reader (a periodic
 * collector job) never sees half a dump. Resolves with the number of prefixes.
 */
export async function dumpRibToFile(rr: RouteReflector, file: string, now = Date.now()): Promise<number> {
  const tmp = `${file}.tmp`;
  const out = createWriteStream(tmp);
  try {
    const n = await dumpRib(rr, out, now);
    out.end();
    await once(out, 'close');
    await rename(tmp, file);
    return n;
  } catch (err) {
    out.destroy();
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}
