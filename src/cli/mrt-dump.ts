/**
 * `meshrr mrt dump FILE`: streams an MRT file as `bgpdump -m` lines to stdout.
 *
 * Output is produced in large strings (about 1 MiB) and written with back-pressure: when
 * write() returns false we wait for 'drain' before reading on, so a slow reader of stdout
 * never makes us buffer the file. A torn file prints every whole record, then the reader's
 * error on stderr, and exits 1. A closed stdout (EPIPE, e.g. `| head`) stops the dump quietly.
 *
 * Owns: the command's I/O. Must not: format (src/mrt/bgpdump-format.ts) or parse MRT.
 */
import { BgpdumpFormatter } from '../mrt/bgpdump-format.js';
import { decodeRecord, readRawBatches } from '../mrt/reader.js';
import type { CliIo } from './main.js';

// Exit codes of src/cli/main.ts (only its types are imported: nothing imports the entry point).
const EXIT_OK = 0;
const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;

/** Flush threshold for the accumulated text. */
const CHUNK = 1 << 20;

class StdoutClosed extends Error {}

/**
 * Writes `chunks`; waits for 'drain' whenever the stream asks us to (listeners removed in
 * finally). Each chunk goes back to `recycle` once the stream is done with it.
 */
async function write(out: NodeJS.WritableStream, chunks: readonly Buffer[], recycle: (b: Buffer) => void): Promise<void> {
  for (const c of chunks) if (!out.write(c, () => recycle(c))) await drained(out);
}

async function drained(out: NodeJS.WritableStream): Promise<void> {
  let onDrain: (() => void) | undefined;
  let onError: ((e: Error) => void) | undefined;
  let onClose: (() => void) | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      onDrain = resolve;
      onError = (e: Error): void => reject((e as { code?: unknown }).code === 'EPIPE' ? new StdoutClosed() : e);
      onClose = (): void => reject(new StdoutClosed());
      out.once('drain', onDrain);
      out.once('error', onError);
      out.once('close', onClose);
    });
  } finally {
    if (onDrain !== undefined) out.removeListener('drain', onDrain);
    if (onError !== undefined) out.removeListener('error', onError);
    if (onClose !== undefined) out.removeListener('close', onClose);
  }
}

/** Dumps `file` to `io.stdout`; resolves to the exit code. */
export async function mrtDump(file: string, io: CliIo): Promise<number> {
  const fmt = new BgpdumpFormatter();
  // Buffers are reused after the write callback only for an fd-backed stdout (file, pipe,
  // tty), which is done with the bytes by then; a generic Writable (a PassThrough, a test
  // sink) may keep the chunk, so it always gets fresh buffers.
  const fdBacked = typeof (io.stdout as { fd?: unknown }).fd === 'number';
  const recycle = fdBacked ? (b: Buffer): void => fmt.recycle(b) : (): void => {};
  let epipe = false;
  const onError = (e: Error): void => {
    if ((e as { code?: unknown }).code === 'EPIPE') epipe = true;
  };
  io.stdout.on('error', onError);
  try {
    try {
      for await (const batch of readRawBatches(file)) {
        // Decode one record at a time: decoded objects die young (cheap for the GC).
        for (const raw of batch) fmt.add(decodeRecord(raw));
        if (fmt.pending >= CHUNK) await write(io.stdout, fmt.take(), recycle);
        if (epipe) return EXIT_OK;
      }
    } catch (e) {
      if (e instanceof StdoutClosed) return EXIT_OK;
      await write(io.stdout, fmt.take(), recycle);
      io.stderr.write(`meshrr mrt dump: ${e instanceof Error ? e.message : String(e)}\n`);
      return EXIT_FAILURE;
    }
    await write(io.stdout, fmt.take(), recycle);
    return EXIT_OK;
  } catch (e) {
    if (e instanceof StdoutClosed) return EXIT_OK;
    throw e;
  } finally {
    io.stdout.removeListener('error', onError);
  }
}

/** Argument handling for `meshrr mrt dump`. */
export async function mrtDumpCommand(args: readonly string[], io: CliIo): Promise<number> {
  const files = args.filter((a) => !a.startsWith('-'));
  const flags = args.filter((a) => a.startsWith('-'));
  if (flags.length > 0 || files.length !== 1) {
    io.stderr.write(
      flags.length > 0 ? `meshrr mrt dump: unknown option '${flags[0]}'\n` : 'meshrr mrt dump: expected exactly one FILE\n',
    );
    io.stderr.write('usage: meshrr mrt dump FILE\n');
    return EXIT_USAGE;
  }
  return mrtDump(files[0] as string, io);
}
