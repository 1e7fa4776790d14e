/**
 * Opens an MRT file and yields its decompressed bytes as chunks, without holding the file in
 * memory. Compression is detected from the magic bytes, not the file name: gzip (RFC 1952,
 * 1f 8b, node:zlib; concatenated members are read in turn), bzip2 ("BZh", the bzip2 core of
 * unbzip2-stream, see bunzip2.ts), or none. A decompressor failure (a truncated .gz/.bz2) is raised only after every byte
 * decompressed before it has been yielded, so the framing layer can deliver each whole record
 * first and then name the offset of the torn one.
 *
 * Owns: file I/O and decompression. Must not: parse MRT (see framing.ts).
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable, Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { MrtError } from './errors.js';

export type Compression = 'gzip' | 'bzip2' | 'none';

/** Compression of a stream from its first octets. */
export function detectCompression(head: Buffer): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 3 && head[0] === 0x42 && head[1] === 0x5a && head[2] === 0x68) return 'bzip2';
  return 'none';
}

/** Thrown by the chunk iterator when decompression fails; framing.ts turns it into an MrtError. */
export class DecompressError extends Error {
  override readonly name = 'DecompressError';
  constructor(
    readonly compression: Compression,
    options: { cause: unknown },
  ) {
    super(`${compression} stream is corrupt or truncated: ${errorText(options.cause)}`, options);
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export interface MrtByteSource {
  readonly compression: Compression;
  /** Decompressed chunks; throws DecompressError after the last good byte when the input is bad. */
  readonly chunks: AsyncIterable<Buffer>;
}

export interface OpenOptions {
  /** Read size from the file (default 256 KiB). */
  readonly highWaterMark?: number;
}

/** Opens `path`, sniffs the compression and returns the decompressed chunk stream. */
export async function openMrtBytes(path: string, opts: OpenOptions = {}): Promise<MrtByteSource> {
  const head = Buffer.alloc(4);
  let bytesRead: number;
  try {
    const fh = await open(path, 'r');
    try {
      ({ bytesRead } = await fh.read(head, 0, 4, 0));
    } finally {
      await fh.close();
    }
  } catch (e) {
    throw new MrtError('MESHRR_MRT_IO', 0, `cannot read MRT file ${path}: ${errorText(e)}`, { cause: e });
  }
  const compression = detectCompression(head.subarray(0, bytesRead));
  const highWaterMark = opts.highWaterMark ?? 256 * 1024;
  const src = createReadStream(path, { highWaterMark });
  return { compression, chunks: decompressStream(src, compression) };
}

/** Decompressed chunks of an already opened byte stream. */
export function decompressStream(src: Readable, compression: Compression): AsyncIterable<Buffer> {
  switch (compression) {
    case 'none':
      return plainChunks(src);
    case 'gzip':
      return pumpThrough(src, createGunzip({ chunkSize: 128 * 1024 }), compression);
    case 'bzip2':
      return bunzip2(src);
  }
}

/** The bzip2 decoder is loaded only when a bzip2 file is read (start-up cost for the others). */
async function* bunzip2(src: Readable): AsyncGenerator<Buffer> {
  const { bunzip2: decode } = await import('./bunzip2.js');
  try {
    yield* decode(src);
  } catch (e) {
    if (typeof (e as { syscall?: unknown }).syscall === 'string') {
      throw new MrtError('MESHRR_MRT_IO', 0, `read failed: ${errorText(e)}`, { cause: e });
    }
    throw new DecompressError('bzip2', { cause: e });
  }
}

async function* plainChunks(src: Readable): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of src) yield chunk as Buffer;
  } catch (e) {
    throw new MrtError('MESHRR_MRT_IO', 0, `read failed: ${errorText(e)}`, { cause: e });
  }
}

/** Output bytes queued ahead of the consumer before the file is paused. */
const QUEUE_HIGH = 4 * 1024 * 1024;
const QUEUE_LOW = 1024 * 1024;

/**
 * Feeds `src` into a decompressor and yields its output. Written by hand rather than with
 * pipeline() + async iteration because both discard buffered output when the decompressor
 * errors, and we must deliver every good byte before reporting a truncated input. Back-pressure:
 * the file is paused while the decompressor's input is full or our output queue is above
 * QUEUE_HIGH, so memory stays bounded whatever the file size.
 */
async function* pumpThrough(src: Readable, dec: Transform, compression: Compression): AsyncGenerator<Buffer> {
  const queue: Buffer[] = [];
  let head = 0;
  let queued = 0;
  let failure: unknown = null;
  let done = false;
  let decoderFull = false;
  let wake: (() => void) | null = null;
  const notify = (): void => {
    const w = wake;
    wake = null;
    if (w !== null) w();
  };
  const maybeResume = (): void => {
    if (!done && !decoderFull && queued < QUEUE_LOW && src.isPaused()) src.resume();
  };

  dec.on('data', (b: Buffer) => {
    queue.push(b);
    queued += b.length;
    if (queued > QUEUE_HIGH) src.pause();
    notify();
  });
  dec.on('error', (e: Error) => {
    if (failure === null) failure = new DecompressError(compression, { cause: e });
    done = true;
    notify();
  });
  dec.on('end', () => {
    done = true;
    notify();
  });
  dec.on('drain', () => {
    decoderFull = false;
    maybeResume();
  });
  src.on('data', (chunk: Buffer) => {
    if (done) return;
    if (!dec.write(chunk)) {
      decoderFull = true;
      src.pause();
    }
  });
  src.on('end', () => {
    if (!done) dec.end();
  });
  src.on('error', (e: Error) => {
    if (failure === null) failure = new MrtError('MESHRR_MRT_IO', 0, `read failed: ${errorText(e)}`, { cause: e });
    done = true;
    notify();
  });

  try {
    for (;;) {
      if (head < queue.length) {
        const b = queue[head] as Buffer;
        queue[head++] = EMPTY;
        if (head > 1024) {
          queue.splice(0, head);
          head = 0;
        }
        queued -= b.length;
        maybeResume();
        yield b;
        continue;
      }
      if (done) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
    if (failure !== null) throw failure;
  } finally {
    src.destroy();
    dec.destroy();
  }
}

const EMPTY = Buffer.alloc(0);
