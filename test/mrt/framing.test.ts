/**
 * MRT framing (src/mrt/framing.ts) and compression sniffing (src/mrt/decompress.ts) on
 * synthetic streams: records split at every possible chunk boundary, torn tails, *_ET
 * microseconds, and a fast-check property that chunking never changes the records.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { frameRecords } from '../../src/mrt/framing.js';
import { DecompressError, decompressStream, detectCompression } from '../../src/mrt/decompress.js';
import { isMrtError, MrtError } from '../../src/mrt/errors.js';
import type { RawRecord } from '../../src/mrt/records.js';

/** One MRT record: header + body (for _ET types the body must start with the microseconds). */
function rec(timestamp: number, type: number, subtype: number, body: Buffer): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt32BE(timestamp, 0);
  h.writeUInt16BE(type, 4);
  h.writeUInt16BE(subtype, 6);
  h.writeUInt32BE(body.length, 8);
  return Buffer.concat([h, body]);
}

async function* chunked(data: Buffer, sizes: readonly number[]): AsyncGenerator<Buffer> {
  let p = 0;
  let i = 0;
  while (p < data.length) {
    const n = Math.max(1, sizes[i++ % sizes.length] ?? 1);
    yield data.subarray(p, p + n);
    p += n;
  }
}

async function collect(src: AsyncIterable<Buffer>): Promise<{ records: RawRecord[]; error: unknown }> {
  const records: RawRecord[] = [];
  try {
    for await (const r of frameRecords(src)) records.push(r);
  } catch (e) {
    return { records, error: e };
  }
  return { records, error: null };
}

const r1 = rec(1000, 16, 4, Buffer.from('0123456789'));
const r2 = rec(1001, 17, 4, Buffer.concat([Buffer.from([0, 0, 0x30, 0x39]), Buffer.from('abc')])); // ET, 12345 us
const r3 = rec(1002, 13, 1, Buffer.alloc(0));
const stream = Buffer.concat([r1, r2, r3]);

describe('frameRecords', () => {
  it('frames records split at every chunk size', async () => {
    for (let size = 1; size <= stream.length; size++) {
      const { records, error } = await collect(chunked(stream, [size]));
      assert.equal(error, null, `chunk size ${size}`);
      assert.deepEqual(
        records.map((r) => [r.header.offset, r.header.timestamp, r.header.type, r.header.subtype, r.header.length, r.header.microseconds, r.body.toString('latin1')]),
        [
          [0, 1000, 16, 4, 10, null, '0123456789'],
          [r1.length, 1001, 17, 4, 7, 12345, 'abc'],
          [r1.length + r2.length, 1002, 13, 1, 0, null, ''],
        ],
        `chunk size ${size}`,
      );
    }
  });

  it('ends a torn record with an error naming its offset, after the whole records', async () => {
    for (let cut = r1.length + 1; cut < r1.length + r2.length; cut++) {
      const { records, error } = await collect(chunked(stream.subarray(0, cut), [5]));
      assert.equal(records.length, 1, `cut at ${cut}`);
      assert.ok(error instanceof MrtError, `cut at ${cut}`);
      assert.equal(error.code, 'MESHRR_MRT_TORN_RECORD');
      assert.equal(error.offset, r1.length);
      assert.match(error.message, new RegExp(`byte offset ${r1.length}\\b`));
      assert.ok(isMrtError(error));
    }
  });

  it('ends cleanly at a record boundary and on an empty stream', async () => {
    assert.equal((await collect(chunked(Buffer.concat([r1, r2]), [7]))).error, null);
    const empty = await collect(chunked(Buffer.alloc(0), [1]));
    assert.deepEqual([empty.records.length, empty.error], [0, null]);
  });

  it('reports a decompressor failure at the torn record', async () => {
    async function* failing(): AsyncGenerator<Buffer> {
      yield stream.subarray(0, r1.length + 3);
      throw new DecompressError('gzip', { cause: new Error('unexpected end of file') });
    }
    const { records, error } = await collect(failing());
    assert.equal(records.length, 1);
    assert.ok(error instanceof MrtError);
    assert.equal(error.code, 'MESHRR_MRT_TORN_RECORD');
    assert.equal(error.offset, r1.length);
    assert.match(error.message, /unexpected end of file/);
    assert.ok(error.cause instanceof DecompressError);
  });

  it('reports a decompressor failure at a record boundary as MESHRR_MRT_DECOMPRESS', async () => {
    async function* failing(): AsyncGenerator<Buffer> {
      yield r1;
      throw new DecompressError('bzip2', { cause: new Error('bad block') });
    }
    const { records, error } = await collect(failing());
    assert.equal(records.length, 1);
    assert.ok(error instanceof MrtError);
    assert.equal(error.code, 'MESHRR_MRT_DECOMPRESS');
    assert.equal(error.offset, r1.length);
  });

  it('never depends on chunking (property)', async () => {
    const record = fc
      .record({ ts: fc.nat(), type: fc.integer({ min: 0, max: 65535 }), sub: fc.integer({ min: 0, max: 65535 }), body: fc.uint8Array({ maxLength: 300 }) })
      .map((r) => rec(r.ts, r.type, r.sub, Buffer.from(r.body)));
    await fc.assert(
      fc.asyncProperty(fc.array(record, { maxLength: 20 }), fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 10 }), async (recs, sizes) => {
        const data = Buffer.concat(recs);
        const whole = await collect(chunked(data, [data.length + 1]));
        const split = await collect(chunked(data, sizes));
        assert.equal(split.error, null);
        assert.equal(split.records.length, recs.length);
        split.records.forEach((r, i) => {
          const w = whole.records[i] as RawRecord;
          assert.deepEqual(r.header, w.header);
          assert.ok(r.body.equals(w.body));
        });
      }),
      { numRuns: 200 },
    );
  });
});

describe('compression', () => {
  it('is detected from magic bytes', () => {
    assert.equal(detectCompression(Buffer.from([0x1f, 0x8b, 8, 0])), 'gzip');
    assert.equal(detectCompression(Buffer.from('BZh91AY', 'latin1')), 'bzip2');
    assert.equal(detectCompression(r1), 'none');
    assert.equal(detectCompression(Buffer.alloc(0)), 'none');
  });

  it('delivers every decompressed byte before a truncated gzip error', async () => {
    const big = Buffer.concat(Array.from({ length: 2000 }, (_, i) => rec(i, 16, 1, Buffer.alloc(100, i & 255))));
    const gz = gzipSync(big);
    const cut = gz.subarray(0, Math.floor(gz.length * 0.7));
    const { records, error } = await collect(decompressStream(Readable.from([cut]), 'gzip'));
    assert.ok(records.length > 0);
    assert.ok(error instanceof MrtError);
    assert.equal(error.code, 'MESHRR_MRT_TORN_RECORD');
    assert.equal(error.offset, records.length * 112);
    records.forEach((r, i) => assert.equal(r.header.timestamp, i));
  });
});
