/**
 * `meshrr dump rib --mrt FILE [--status-address HOST:PORT]`: the RIB of the running meshrr
 * on this host as a TABLE_DUMP_V2 file (RFC 6396 §4.3) that `bgpdump -m` reads, fetched from
 * the status API's /v1/rib.mrt and written to FILE (`-` for stdout). The file is written to
 * FILE.tmp and renamed when complete, so a reader never sees half a dump.
 */
import { createWriteStream } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { CliIo } from './main.js';
import { statusBase } from './show.js';

export async function dumpRibCommand(args: readonly string[], io: CliIo): Promise<number> {
  let file: string | undefined;
  let address: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--mrt') file = args[++i];
    else if (a === '--status-address') address = args[++i];
    else {
      io.stderr.write(`meshrr dump rib: unknown argument ${a ?? ''}\nusage: meshrr dump rib --mrt FILE [--status-address HOST:PORT]\n`);
      return 2;
    }
  }
  if (file === undefined) {
    io.stderr.write('usage: meshrr dump rib --mrt FILE [--status-address HOST:PORT]\n');
    return 2;
  }
  const base = statusBase(address);
  if (base === null) {
    io.stderr.write(`meshrr dump rib: bad status address ${address ?? ''}\n`);
    return 2;
  }
  let res: Response;
  try {
    res = await fetch(`${base}/v1/rib.mrt`);
  } catch (err) {
    io.stderr.write(`meshrr dump rib: cannot reach the meshrr status API at ${base} (${err instanceof Error ? err.message : String(err)})\n`);
    return 1;
  }
  if (!res.ok || res.body === null) {
    io.stderr.write(`meshrr dump rib: HTTP ${res.status} ${await res.text().catch(() => '')}\n`);
    return 1;
  }
  const body = Readable.fromWeb(res.body as WebReadableStream<Uint8Array>);
  if (file === '-') {
    await pipeline(body, io.stdout);
    return 0;
  }
  const tmp = `${file}.tmp`;
  try {
    await pipeline(body, createWriteStream(tmp));
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    io.stderr.write(`meshrr dump rib: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  return 0;
}
