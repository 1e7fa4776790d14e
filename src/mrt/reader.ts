/**
 * The MRT reader (RFC 6396): opens a plain, gzip or bzip2 file and yields typed records as an
 * async iterator, streaming (memory stays flat). Unknown types and malformed bodies are
 * yielded as `kind: 'raw'` records with a reason, never thrown. A torn last record ends the
 * iteration with an MrtError ('MESHRR_MRT_TORN_RECORD') naming its byte offset, after every
 * whole record before it was yielded.
 *
 * Owns: wiring decompress -> framing -> per-type decoders. Record families live in
 * table-dump.ts, table-dump-v2.ts and bgp4mp.ts.
 */
import { isExtendedTimestampType, MRT_TYPE } from './constants.js';
import { type OpenOptions, openMrtBytes } from './decompress.js';
import { frameRecordBatches } from './framing.js';
import type { MrtRecord, RawRecord } from './records.js';
import { decodeTableDump } from './table-dump.js';
import { decodeTableDumpV2 } from './table-dump-v2.js';
import { decodeBgp4mp } from './bgp4mp.js';

/** Decodes one framed record. Never throws. */
export function decodeRecord(raw: RawRecord): MrtRecord {
  const { header, body } = raw;
  if (isExtendedTimestampType(header.type) && header.microseconds === null) {
    return { kind: 'raw', header, body, reason: `type ${header.type} record shorter than its microsecond field` };
  }
  switch (header.type) {
    case MRT_TYPE.TABLE_DUMP:
      return decodeTableDump(raw);
    case MRT_TYPE.TABLE_DUMP_V2:
      return decodeTableDumpV2(raw);
    case MRT_TYPE.BGP4MP:
    case MRT_TYPE.BGP4MP_ET:
      return decodeBgp4mp(raw);
    default:
      return { kind: 'raw', header, body, reason: `MRT type ${header.type} not decoded` };
  }
}

/** Framed but undecoded records of a file, in batches (one per decompressed chunk). */
export async function* readRawBatches(path: string, opts?: OpenOptions): AsyncGenerator<RawRecord[]> {
  const src = await openMrtBytes(path, opts);
  yield* frameRecordBatches(src.chunks);
}

/** Typed records of a file, in batches (cheaper to iterate than one record at a time). */
export async function* readMrtBatches(path: string, opts?: OpenOptions): AsyncGenerator<MrtRecord[]> {
  for await (const batch of readRawBatches(path, opts)) {
    const out = new Array<MrtRecord>(batch.length);
    for (let i = 0; i < batch.length; i++) out[i] = decodeRecord(batch[i] as RawRecord);
    yield out;
  }
}

/** Typed records of a file, one at a time. */
export async function* readMrt(path: string, opts?: OpenOptions): AsyncGenerator<MrtRecord> {
  for await (const batch of readMrtBatches(path, opts)) yield* batch;
}
