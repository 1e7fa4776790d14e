/**
 * Packet captures for the topology tests: `tshark -i lo` inside the test's namespace writes a
 * pcapng file while the daemons talk to meshrr; afterwards `tshark -r` dissects it as JSON
 * (`-T json -x --no-duplicate-keys`), so assertions read BGP fields decoded by Wireshark's
 * dissector, code nobody in this project wrote, plus each path attribute's raw bytes.
 *
 * Must not: sleep (start polls for tshark's "Capturing on" line), or stop anything but the
 * tshark it spawned.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Netns } from '../helpers/netns.js';
import { run } from '../helpers/netns.js';
import { isRecord, rec } from '../helpers/peers/json.js';
import type { JsonRecord } from '../helpers/peers/json.js';
import { PollAbort, pollUntil } from '../helpers/poll.js';

export interface Capture {
  readonly file: string;
  /** SIGINT tshark (it flushes the file) and wait for it to exit. */
  stop(): Promise<void>;
}

export async function startCapture(ns: Netns, file: string, opts: { filter?: string; logFile: string }): Promise<Capture> {
  const fd = openSync(opts.logFile, 'a');
  let child: ChildProcess;
  try {
    const argv = ns.command('tshark', ['-i', 'lo', '-f', opts.filter ?? 'tcp port 179', '-w', file, '-q']);
    child = spawn(argv.file, argv.args, { stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }
  let exited: string | undefined;
  child.on('exit', (code, signal) => {
    exited = signal ?? String(code);
  });
  await pollUntil(
    async () => {
      const log = await readFile(opts.logFile, 'utf8').catch(() => '');
      if (exited !== undefined) throw new PollAbort(`tshark exited (${exited}): ${log}`);
      return log.includes('Capturing on');
    },
    { what: 'tshark capturing', timeoutMs: 20_000 },
  );
  return {
    file,
    async stop() {
      if (exited !== undefined) return;
      const done = once(child, 'exit');
      child.kill('SIGINT');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await done;
      clearTimeout(t);
    },
  };
}

/** One BGP message as tshark dissected it, with the TCP endpoints it travelled between. */
export interface DissectedBgp {
  readonly src: string;
  readonly dst: string;
  readonly frame: number;
  /** The `bgp` layer object (fields keyed as in `tshark -G fields`). */
  readonly bgp: JsonRecord;
}

/** Dissect every BGP message of a capture that matches `displayFilter`. */
export async function dissect(file: string, displayFilter: string, decodeAs: readonly string[] = []): Promise<DissectedBgp[]> {
  const args = ['-r', file, '-Y', displayFilter, '-T', 'json', '-x', '--no-duplicate-keys'];
  for (const d of decodeAs) args.push('-d', d);
  const { stdout } = await run('tshark', args, { timeoutMs: 120_000 });
  const doc: unknown = JSON.parse(stdout === '' ? '[]' : stdout);
  const out: DissectedBgp[] = [];
  for (const pkt of Array.isArray(doc) ? doc : []) {
    const layers = rec(rec(pkt, '_source'), 'layers');
    const ip = rec(layers, 'ip');
    const ip6 = rec(layers, 'ipv6');
    const frame = Number(rec(layers, 'frame')?.['frame.number'] ?? -1);
    const bgps = layers?.['bgp'];
    for (const bgp of Array.isArray(bgps) ? bgps : [bgps]) {
      if (!isRecord(bgp)) continue;
      const src = ip?.['ip.src'] ?? ip6?.['ipv6.src'] ?? '';
      const dst = ip?.['ip.dst'] ?? ip6?.['ipv6.dst'] ?? '';
      out.push({ src: String(src), dst: String(dst), frame, bgp });
    }
  }
  return out;
}

/** Values of a field anywhere under `v` (tshark nests attributes in subtrees). */
export function fieldValues(v: unknown, field: string): string[] {
  const out: string[] = [];
  const walk = (x: unknown): void => {
    if (Array.isArray(x)) {
      for (const y of x) walk(y);
      return;
    }
    if (!isRecord(x)) return;
    for (const [k, y] of Object.entries(x)) {
      if (k === field) {
        for (const z of Array.isArray(y) ? y : [y]) if (typeof z === 'string') out.push(z);
      } else {
        walk(y);
      }
    }
  };
  walk(v);
  return out;
}

/**
 * The raw bytes (hex) of every path attribute of a dissected UPDATE, flags and type code
 * first, as Wireshark delimits them (`bgp.update.path_attribute_raw`).
 */
export function rawAttributes(bgp: JsonRecord): string[] {
  const attrs = rec(bgp, 'bgp.update.path_attributes');
  const raw = attrs?.['bgp.update.path_attribute_raw'];
  const list = raw === undefined ? [] : Array.isArray(raw) && Array.isArray(raw[0]) ? raw : [raw];
  return list.map((r) => (Array.isArray(r) && typeof r[0] === 'string' ? r[0] : '')).filter((h) => h !== '');
}

/** The path attribute subtrees of a dissected UPDATE. */
export function attributeTrees(bgp: JsonRecord): JsonRecord[] {
  const attrs = rec(bgp, 'bgp.update.path_attributes');
  const list = attrs?.['bgp.update.path_attribute'];
  return (Array.isArray(list) ? list : [list]).filter(isRecord);
}

