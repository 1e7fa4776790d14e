/**
 * A per-test temporary directory (mkdtemp under os.tmpdir()) for daemon configs, sockets and
 * logs. It is removed when the test ends, except when the environment variable
 * MESHRR_KEEP_TMP is set or the test failed: then its path is printed on stderr so the daemon
 * logs can be read afterwards.
 *
 * Must not: delete anything outside the directory it created.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TmpDir {
  /** Absolute path of the directory. */
  readonly path: string;
  /** A path inside the directory. */
  join(...parts: string[]): string;
  /**
   * Remove the directory unless it must be kept (MESHRR_KEEP_TMP, or `failed`); print its path
   * when it is kept. Idempotent.
   */
  cleanup(opts?: { failed?: boolean }): Promise<void>;
}

/** True when MESHRR_KEEP_TMP asks to keep every temp dir. */
export function keepTmp(): boolean {
  const v = process.env['MESHRR_KEEP_TMP'];
  return v !== undefined && v !== '' && v !== '0';
}

/**
 * Create a temp dir `meshrr-<label>-XXXXXX`. Keep labels short: Unix socket paths inside it
 * must stay under 108 bytes.
 */
export async function makeTmpDir(label = 'test'): Promise<TmpDir> {
  const safe = label.replace(/[^A-Za-z0-9_-]+/g, '-').slice(0, 24);
  const path = await mkdtemp(join(tmpdir(), `meshrr-${safe}-`));
  let done = false;
  return {
    path,
    join: (...parts: string[]) => join(path, ...parts),
    async cleanup(opts) {
      if (done) return;
      done = true;
      if (opts?.failed === true || keepTmp()) {
        const why = opts?.failed === true ? 'test failed' : 'MESHRR_KEEP_TMP is set';
        process.stderr.write(`# ${why}: daemon configs and logs kept in ${path}\n`);
        return;
      }
      await rm(path, { recursive: true, force: true });
    },
  };
}

/** Run `fn` with a fresh temp dir, cleaned up afterwards (kept on failure). */
export async function withTmpDir<T>(label: string, fn: (dir: TmpDir) => Promise<T>): Promise<T> {
  const dir = await makeTmpDir(label);
  let failed = true;
  try {
    const result = await fn(dir);
    failed = false;
    return result;
  } finally {
    await dir.cleanup({ failed });
  }
}
