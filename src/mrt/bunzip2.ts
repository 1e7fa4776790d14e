/**
 * bzip2 decompression for the MRT reader, streaming, on the bzip2 core of unbzip2-stream
 * (its lib/bzip2.js block decoder and lib/bit_iterator.js). The package's own stream wrapper
 * collects every output octet in a JS array and copies it into a Buffer, and allocates a
 * 3.6 MB work array per block; driving the core directly with a reusable output buffer and
 * work array makes decompression several times faster. Block framing follows the wrapper:
 * a block is decoded once 25,000 + 100,000 x level input octets are buffered (more than any
 * compressed block), or at end of input; concatenated streams are read in turn.
 *
 * A truncated or corrupt input throws after every whole block before it has been yielded.
 *
 * Owns: bzip2 -> bytes. Must not: parse MRT.
 */
import bitIterator from 'unbzip2-stream/lib/bit_iterator.js';
import bz2 from 'unbzip2-stream/lib/bzip2.js';

/** Decompressed blocks of the bzip2 stream(s) read from `input`. */
export async function* bunzip2(input: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const queue: Uint8Array[] = [];
  let head = 0;
  let buffered = 0;
  const next = (): Uint8Array | undefined => {
    if (head >= queue.length) return undefined;
    const b = queue[head];
    queue[head++] = EMPTY;
    if (head > 64) {
      queue.splice(0, head);
      head = 0;
    }
    return b;
  };
  // The bit reader takes its first buffer when it is made: make it once input is queued.
  let bits: ReturnType<typeof bitIterator> | null = null;
  let level = 0; // block size of the current stream, 0 before its header
  let crc: number | null = null;
  let work = new Int32Array(0);
  let out = Buffer.allocUnsafe(1 << 20);
  let n = 0;
  const put = (byte: number): void => {
    if (n === out.length) {
      const bigger = Buffer.allocUnsafe(2 * out.length);
      out.copy(bigger, 0, 0, n);
      out = bigger;
    }
    out[n++] = byte;
  };

  /** Decodes the next header or block; returns the block's output, if any. */
  const step = (bits: ReturnType<typeof bitIterator>): Buffer | null => {
    if (level === 0) {
      level = bz2.header(bits);
      crc = 0;
      return null;
    }
    const size = 100000 * level;
    if (work.length !== size) work = new Int32Array(size);
    n = 0;
    crc = bz2.decompress(bits, put, work, size, crc);
    if (crc === null) {
      level = 0; // end of stream: a concatenated stream may follow
      return null;
    }
    return Buffer.from(out.subarray(0, n));
  };

  for await (const chunk of input) {
    queue.push(chunk);
    buffered += chunk.length;
    bits ??= bitIterator(next);
    while (buffered - bits.bytesRead + 1 >= 25000 + 100000 * level) {
      const block = step(bits);
      if (block !== null) yield block;
    }
  }
  while (bits !== null && buffered > bits.bytesRead) {
    let block: Buffer | null;
    try {
      block = step(bits);
    } catch (e) {
      // The bit reader ran out of input (it then reads from `undefined`): a truncated file.
      if (head >= queue.length) throw new Error('bzip2 data ends in the middle of a block', { cause: e });
      throw e;
    }
    if (block !== null) yield block;
  }
  if (crc !== null) throw new Error('bzip2 input ended in the middle of a stream');
}

const EMPTY = new Uint8Array(0);
