/**
 * Types for the bzip2 core of unbzip2-stream (lib/bzip2.js, lib/bit_iterator.js), which
 * bunzip2.ts drives directly (the package ships no types for them).
 */
declare module 'unbzip2-stream/lib/bit_iterator.js' {
  /** Reads `n` bits (MSB first) from the buffers `next` returns; `null` aligns to a byte. */
  interface BitReader {
    (n: number | null): number;
    /** Input octets consumed so far. */
    bytesRead: number;
  }
  function bitIterator(next: () => Uint8Array | undefined): BitReader;
  export = bitIterator;
}

declare module 'unbzip2-stream/lib/bzip2.js' {
  import type bitIterator from 'unbzip2-stream/lib/bit_iterator.js';
  type BitReader = ReturnType<typeof bitIterator>;
  const bzip2: {
    /** Reads a stream header ("BZh" + level); returns the block size in 100k units (1-9). */
    header(bits: BitReader): number;
    /**
     * Decompresses one block, calling `out` per output octet; returns the running stream CRC,
     * or null at the end-of-stream marker. Throws on corrupt input.
     */
    decompress(bits: BitReader, out: (byte: number) => void, buf: Int32Array, bufsize: number, streamCRC: number | null): number | null;
  };
  export = bzip2;
}
