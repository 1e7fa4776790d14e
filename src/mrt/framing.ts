/**
 * MRT record framing (RFC 6396 §2, §3): cuts decompressed chunks into records using the
 * common header's length field. A record lying inside one chunk is a view into it (no copy);
 * only records straddling chunks are copied into a buffer of their exact size, so memory stays
 * flat whatever the file size. For the *_ET types the 4-octet microsecond timestamp (counted
 * in the length, RFC 6396 §3) is split off the body.
 *
 * End of stream inside a record ("torn" last record, e.g. a truncated download) raises an
 * MrtError naming the record's byte offset, after every whole record before it was yielded.
 *
 * Owns: framing only. Must not: decode record bodies (see reader.ts).
 */
import { isExtendedTimestampType, MRT_HEADER_LENGTH } from './constants.js';
import { DecompressError } from './decompress.js';
import { MrtError } from './errors.js';
import type { MrtHeader, RawRecord } from './records.js';

/** Builds the header of the record whose 12 header octets start at `p` in `b`. */
function makeRecord(b: Buffer, p: number, length: number, offset: number): RawRecord {
  const timestamp = b.readUInt32BE(p);
  const type = b.readUInt16BE(p + 4);
  const subtype = b.readUInt16BE(p + 6);
  let bodyStart = p + MRT_HEADER_LENGTH;
  const bodyEnd = bodyStart + length;
  let microseconds: number | null = null;
  if (isExtendedTimestampType(type) && length >= 4) {
    microseconds = b.readUInt32BE(bodyStart);
    bodyStart += 4;
  }
  const header: MrtHeader = { offset, timestamp, type, subtype, length, microseconds };
  return { header, body: b.subarray(bodyStart, bodyEnd) };
}

/**
 * Yields the records of a stream of decompressed chunks. `records` is a batch per chunk to
 * keep the per-record cost of async iteration low; use frameRecords() for one at a time.
 */
export async function* frameRecordBatches(chunks: AsyncIterable<Buffer>): AsyncGenerator<RawRecord[]> {
  /** Stream offset of chunk[0]. */
  let base = 0;
  /** A record being assembled across chunks: its header so far, then its full buffer. */
  const headBuf = Buffer.alloc(MRT_HEADER_LENGTH);
  let headFill = 0;
  let rec: Buffer | null = null;
  let recFill = 0;
  let recOffset = 0;

  try {
    for await (const chunk of chunks) {
      const out: RawRecord[] = [];
      const end = chunk.length;
      let p = 0;
      // Finish a record carried over from previous chunks.
      if (headFill > 0 || rec !== null) {
        if (rec === null) {
          const take = Math.min(MRT_HEADER_LENGTH - headFill, end);
          chunk.copy(headBuf, headFill, 0, take);
          headFill += take;
          p = take;
          if (headFill === MRT_HEADER_LENGTH) {
            rec = Buffer.allocUnsafe(MRT_HEADER_LENGTH + headBuf.readUInt32BE(8));
            headBuf.copy(rec, 0);
            recFill = MRT_HEADER_LENGTH;
          }
        }
        if (rec !== null) {
          const take = Math.min(rec.length - recFill, end - p);
          chunk.copy(rec, recFill, p, p + take);
          recFill += take;
          p += take;
          if (recFill === rec.length) {
            out.push(makeRecord(rec, 0, rec.length - MRT_HEADER_LENGTH, recOffset));
            rec = null;
            headFill = 0;
          }
        }
      }
      // Whole records inside this chunk are views.
      while (end - p >= MRT_HEADER_LENGTH) {
        const length = chunk.readUInt32BE(p + 8);
        if (end - p - MRT_HEADER_LENGTH < length) break;
        out.push(makeRecord(chunk, p, length, base + p));
        p += MRT_HEADER_LENGTH + length;
      }
      // Keep the start of a record that continues in the next chunk.
      if (p < end) {
        recOffset = base + p;
        if (end - p >= MRT_HEADER_LENGTH) {
          rec = Buffer.allocUnsafe(MRT_HEADER_LENGTH + chunk.readUInt32BE(p + 8));
          recFill = chunk.copy(rec, 0, p, end);
        } else {
          headFill = chunk.copy(headBuf, 0, p, end);
        }
      }
      base += end;
      if (out.length > 0) yield out;
    }
  } catch (e) {
    if (e instanceof DecompressError) throw tornError(recOffset, headFill, rec, recFill, base, e);
    throw e;
  }
  if (headFill > 0 || rec !== null) throw tornError(recOffset, headFill, rec, recFill, base, null);
}

/** Yields the records one at a time. */
export async function* frameRecords(chunks: AsyncIterable<Buffer>): AsyncGenerator<RawRecord> {
  for await (const batch of frameRecordBatches(chunks)) yield* batch;
}

function tornError(
  recOffset: number,
  headFill: number,
  rec: Buffer | null,
  recFill: number,
  end: number,
  cause: DecompressError | null,
): MrtError {
  const pending = headFill > 0 || rec !== null;
  const why = cause === null ? 'the stream ended' : cause.message;
  if (!pending) {
    // Decompression failed exactly at a record boundary.
    return new MrtError('MESHRR_MRT_DECOMPRESS', end, `MRT stream cut at byte offset ${end}: ${why}`, { cause });
  }
  const have = rec !== null ? recFill : headFill;
  const want = rec !== null ? `${rec.length}` : `at least ${MRT_HEADER_LENGTH}`;
  return new MrtError(
    'MESHRR_MRT_TORN_RECORD',
    recOffset,
    `torn MRT record at byte offset ${recOffset}: ${have} of ${want} bytes present (${why})`,
    { cause },
  );
}
