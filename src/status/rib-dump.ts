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
import type { RankedPath } from '../rib/family-rib.js';

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

/** Writes the dump to `out`; resolves with the number of prefixes written. */
export async function dumpRib(rr: RouteReflector, out: NodeJS.WritableStream, now = Date.now()): Promise<number> {
  const rib = rr.reflector.rib;
  const timestamp = Math.floor(now / 1000);
  const records: { afi: number; bits: number; bytes: Buffer; ranked: RankedPath[] }[] = [];
  const peers = new Map<number, number>();
  for (const f of rib.families.values()) {
    if (f.safi !== 1 || (f.afi !== 1 && f.afi !== 2)) continue;
    f.forEachPrefix((id) => {
      const ranked = f.rank(id);
      if (ranked.length === 0) return;
      const nlri = Buffer.alloc(f.table.nlriLength(id));
      f.table.writeNlri(id, nlri, 0);
      for (const p of ranked) if (!peers.has(p.peer)) peers.set(p.peer, peers.size);
      records.push({ afi: f.afi, bits: nlri[0] as number, bytes: nlri.subarray(1), ranked });
    });
  }
  const table: PeerInput[] = [];
  for (const index of peers.keys()) {
    const info = rib.peerInfo(index);
    table.push({ bgpId: info?.bgpId ?? 0, address: info?.address ?? Buffer.alloc(4), peerAs: peerAsOf(rr, index) });
  }
  const w = new TableDumpV2Writer(out, { timestamp, collectorBgpId: rr.routerConfig.routerId, viewName: '' });
  await w.writePeers(table);
  for (const r of records) {
    const entries: RibEntryInput[] = r.ranked.map((p) => ({
      peerIndex: peers.get(p.peer) ?? 0,
      originatedTime: timestamp,
      attributes: r.afi === 1 ? p.set.attributes : withMpReach(p.set.attributes, p.set.nextHop),
    }));
    await w.writeRib(r.afi, r.bits, r.bytes, entries);
  }
  return records.length;
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
