/**
 * Where the third-party test data lives (../shared/data beside the repository, provenance in
 * its SOURCES.md) and small helpers to read it. A missing file is a loud failure naming the
 * path: these tests never skip silently.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

/** ../shared/data, resolved from this file (test/vectors/ -> repository root -> its parent). */
export const DATA_DIR = fileURLToPath(new URL('../../../shared/data/', import.meta.url));

/** Absolute path of `rel` under the data directory; throws naming the path when it is missing. */
export function dataPath(rel: string): string {
  const p = DATA_DIR + rel;
  if (!existsSync(p)) {
    throw new Error(`test data missing: ${p} (expected the shared data set beside the repository, see ../shared/data/SOURCES.md)`);
  }
  return p;
}

/** The file's bytes. */
export function readData(rel: string): Buffer {
  return readFileSync(dataPath(rel));
}

/** The file's bytes, gunzipped. */
export function readGzData(rel: string): Buffer {
  return gunzipSync(readData(rel));
}

/** Sorted names of the entries of a data directory matching `re`; throws when none match. */
export function listData(rel: string, re: RegExp): string[] {
  const names = readdirSync(dataPath(rel))
    .filter((n) => re.test(n))
    .sort();
  if (names.length === 0) throw new Error(`no file matching ${String(re)} in ${DATA_DIR + rel}`);
  return names;
}

/** Hex text (any of ':', spaces, newlines as separators) to bytes; throws on odd or non-hex input. */
export function hexToBuffer(text: string): Buffer {
  const clean = text.replace(/[\s:]/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(clean)) throw new Error(`not hex: ${text.slice(0, 80)}`);
  return Buffer.from(clean, 'hex');
}
