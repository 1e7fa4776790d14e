/**
 * The `meshrr` command line (src/cli/main.ts) and `meshrr mrt dump` (src/cli/mrt-dump.ts):
 * dispatch, help, exit codes (0 ok, 1 torn file, 2 usage), the dump's output, its
 * back-pressure on a slow stdout, and a reader of stdout that goes away (EPIPE).
 */
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { runCli } from '../../src/cli/main.js';
import { mrtDump } from '../../src/cli/mrt-dump.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DATA = fileURLToPath(new URL('../../../shared/data/mrt/', import.meta.url));
const MAIN = join(ROOT, 'src/cli/main.ts');

function data(rel: string): string {
  const p = join(DATA, rel);
  if (!existsSync(p)) throw new Error(`test data missing: ${p} (expected the shared data next to the repository)`);
  return p;
}

function meshrr(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: ROOT, encoding: 'latin1', maxBuffer: 1 << 28 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A Writable that keeps everything, slowly, and records how far ahead the writer got. */
class SlowSink extends Writable {
  readonly parts: Buffer[] = [];
  maxQueued = 0;
  constructor() {
    super({ highWaterMark: 64 * 1024 });
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.maxQueued = Math.max(this.maxQueued, this.writableLength);
    this.parts.push(chunk);
    setTimeout(cb, 2);
  }
}

function collector(): { io: { stdout: Writable; stderr: Writable }; out: () => string; err: () => string } {
  const o: Buffer[] = [];
  const e: Buffer[] = [];
  const sink = (into: Buffer[]) =>
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        into.push(Buffer.from(chunk));
        cb();
      },
    });
  return { io: { stdout: sink(o), stderr: sink(e) }, out: () => Buffer.concat(o).toString('latin1'), err: () => Buffer.concat(e).toString('latin1') };
}

describe('meshrr command dispatch', () => {
  it('--help lists the commands and exits 0', async () => {
    const c = collector();
    assert.equal(await runCli(['--help'], c.io), 0);
    assert.match(c.out(), /usage: meshrr <command>/);
    assert.match(c.out(), /mrt/);
  });

  it('no command prints the usage on stderr and exits 2', async () => {
    const c = collector();
    assert.equal(await runCli([], c.io), 2);
    assert.match(c.err(), /usage: meshrr/);
  });

  it('an unknown command is a clear error with exit code 2', async () => {
    const c = collector();
    assert.equal(await runCli(['frobnicate'], c.io), 2);
    assert.match(c.err(), /unknown command 'frobnicate'/);
    const d = collector();
    assert.equal(await runCli(['mrt', 'frob'], d.io), 2);
    assert.match(d.err(), /unknown command 'mrt frob'/);
  });

  it('mrt dump checks its arguments (exit 2) and has --help', async () => {
    for (const args of [['mrt', 'dump'], ['mrt', 'dump', 'a', 'b'], ['mrt', 'dump', '--bogus', 'a']]) {
      const c = collector();
      assert.equal(await runCli(args, c.io), 2, args.join(' '));
      assert.match(c.err(), /usage: meshrr mrt dump FILE/);
    }
    const h = collector();
    assert.equal(await runCli(['mrt', 'dump', '--help'], h.io), 0);
    assert.match(h.out(), /bgpdump -m/);
  });

  it('runs as a program: `meshrr mrt dump FILE` prints the bgpdump -m text and exits 0', () => {
    const r = meshrr('mrt', 'dump', data('ripe-bgpdump/test_data/updates.20020722.2238.gz'));
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, gunzipSync(readFileSync(data('ripe-bgpdump/test_expect/updates.20020722.2238.gz.bgp.gz'))).toString('latin1'));
    assert.equal(r.stderr, '');
    assert.equal(meshrr('nope').status, 2);
  });

  it('a torn file prints every whole record, then the offset on stderr, and exits 1', () => {
    const r = meshrr('mrt', 'dump', data('pyasn/rib6.20151101.0600_firstMB.bz2'));
    assert.equal(r.status, 1);
    assert.equal(r.stdout.split('\n').length - 1, 149578);
    assert.match(r.stderr, /^meshrr mrt dump: torn MRT record at byte offset 12131168: /);
  });

  it('a missing file exits 1 with the reason', async () => {
    const c = collector();
    assert.equal(await mrtDump(join(DATA, 'does-not-exist.mrt'), c.io), 1);
    assert.match(c.err(), /cannot read MRT file/);
  });
});

describe('meshrr mrt dump output', () => {
  it('waits for drain on a slow stdout and still writes everything', async () => {
    const out = new SlowSink();
    const c = collector();
    const code = await mrtDump(data('ripe-bgpdump/test_data/updates.20070211.0141.gz'), { stdout: out, stderr: c.io.stderr });
    assert.equal(code, 0);
    const expected = gunzipSync(readFileSync(data('ripe-bgpdump/test_expect/updates.20070211.0141.gz.bgp.gz')));
    await new Promise<void>((resolve) => out.end(resolve));
    assert.ok(Buffer.concat(out.parts).equals(expected));
    // At most the chunk being written plus one more ahead: no unbounded buffering.
    assert.ok(out.maxQueued <= 3 * (1 << 20), `queued ${out.maxQueued} bytes`);
  });

  it('stops quietly when stdout goes away (EPIPE)', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'mrt', 'dump', data('ripe-bgpdump/test_data/updates.et-header.2015.gz')], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.stdout.destroy();
    const status = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    assert.equal(status, 0, stderr);
    assert.equal(stderr, '');
  });
});
