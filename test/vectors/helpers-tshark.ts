/**
 * Runs Debian's tshark on a capture and cuts its JSON into BGP messages: the raw bytes tshark
 * framed (`bgp_raw` with -x), tshark's dissection tree, whether tshark marked the message
 * malformed, and the TCP direction it travelled in. Fields of the tree are read by
 * ./helpers-tshark-fields.ts.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { asArray, asObject, asString, field, isObject, type JsonObject } from './helpers-json.js';

const run = promisify(execFile);

export interface TsharkMessage {
  readonly frame: number;
  /** Index of the message among the BGP messages of the capture. */
  readonly index: number;
  /** "stream:srcaddr:srcport": messages with the same key travel in one direction of one session. */
  readonly direction: string;
  readonly stream: string;
  /** The message as tshark framed it (may be shorter than its length field when cut). */
  readonly raw: Buffer;
  readonly tree: JsonObject;
  /** tshark put a "Malformed Packet" expert item inside this message. */
  readonly malformed: boolean;
}

export interface TsharkCapture {
  readonly messages: TsharkMessage[];
  /** Extra ports decoded as BGP (besides 179). */
  readonly extraPorts: number[];
}

const BASE_ARGS = ['-n', '-o', 'tcp.analyze_sequence_numbers:FALSE', '-d', 'tcp.port==179,bgp', '-T', 'json', '--no-duplicate-keys', '-x'];
const MARKER_HEX = 'ff:'.repeat(16);

async function tsharkJson(path: string, extraPorts: readonly number[]): Promise<readonly unknown[]> {
  const args = ['-r', path, ...BASE_ARGS];
  for (const p of extraPorts) args.push('-d', `tcp.port==${p},bgp`);
  let stdout: string;
  try {
    ({ stdout } = await run('tshark', args, { maxBuffer: 1 << 30, encoding: 'utf8' }));
  } catch (e) {
    const code = isObject(e) ? field(e, 'code') : undefined;
    if (code === 'ENOENT') throw new Error('tshark is not installed: apt-get install tshark (.ci/run installs it)', { cause: e });
    throw e;
  }
  return asArray(JSON.parse(stdout) as unknown, `tshark -T json of ${path}`);
}

/** A value that --no-duplicate-keys leaves as one item or an array of items, as an array. */
export function many(v: unknown): readonly unknown[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

/** A `*_raw` value: [hex, offset, length, bitmask, type], or an array of those. */
function rawList(v: unknown): string[] {
  if (v === undefined) return [];
  const a = asArray(v, 'raw field');
  if (typeof a[0] === 'string') return [a[0]];
  return a.map((x) => asString(asArray(x, 'raw field')[0], 'raw hex'));
}

function hasMalformed(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(hasMalformed);
  if (!isObject(v)) return false;
  for (const [k, x] of Object.entries(v)) if (k === '_ws.malformed' || hasMalformed(x)) return true;
  return false;
}

function str(o: JsonObject | undefined, key: string): string {
  const v = o === undefined ? undefined : field(o, key);
  return typeof v === 'string' ? v : '?';
}

/** Ports of frames whose TCP payload starts with a BGP marker but which tshark did not decode as BGP. */
function undecodedBgpPorts(frames: readonly unknown[]): number[] {
  const ports = new Set<number>();
  for (const f of frames) {
    const layers = field(asObject(field(asObject(f, 'frame'), '_source'), '_source'), 'layers');
    if (!isObject(layers) || field(layers, 'bgp') !== undefined) continue;
    const tcp = field(layers, 'tcp');
    if (!isObject(tcp)) continue;
    const payload = field(tcp, 'tcp.payload');
    if (typeof payload !== 'string' || !payload.startsWith(MARKER_HEX)) continue;
    ports.add(Number(str(tcp, 'tcp.srcport')));
    ports.add(Number(str(tcp, 'tcp.dstport')));
  }
  ports.delete(179);
  return [...ports].sort((a, b) => a - b);
}

/** Runs tshark (twice when a BGP session runs on another port than 179) and lists the BGP messages. */
export async function readCapture(path: string): Promise<TsharkCapture> {
  let frames = await tsharkJson(path, []);
  const extraPorts = undecodedBgpPorts(frames);
  if (extraPorts.length > 0) frames = await tsharkJson(path, extraPorts);
  const messages: TsharkMessage[] = [];
  for (const f of frames) {
    const layers = asObject(field(asObject(field(asObject(f, 'frame'), '_source'), '_source'), 'layers'), 'layers');
    const trees = many(field(layers, 'bgp'));
    if (trees.length === 0) continue;
    const raws = rawList(field(layers, 'bgp_raw'));
    if (raws.length !== trees.length) throw new Error(`${path}: ${trees.length} BGP trees but ${raws.length} bgp_raw values`);
    const frameNo = Number(str(asObject(field(layers, 'frame'), 'frame'), 'frame.number'));
    const tcp = isObject(field(layers, 'tcp')) ? (field(layers, 'tcp') as JsonObject) : undefined;
    const ip = field(layers, 'ip') ?? field(layers, 'ipv6');
    const ipLayer = isObject(ip) ? ip : undefined;
    const src = str(ipLayer, 'ip.src') !== '?' ? str(ipLayer, 'ip.src') : str(ipLayer, 'ipv6.src');
    const stream = str(tcp, 'tcp.stream');
    trees.forEach((t, i) => {
      const tree = asObject(t, 'bgp tree');
      // A "continuation" item is a TCP segment's tail tshark could not frame: no message.
      if (field(tree, 'bgp.type') === undefined) return;
      messages.push({
        frame: frameNo,
        index: messages.length,
        direction: `${stream}:${src}:${str(tcp, 'tcp.srcport')}`,
        stream,
        raw: Buffer.from(raws[i] ?? '', 'hex'),
        tree,
        malformed: hasMalformed(tree),
      });
    });
  }
  return { messages, extraPorts };
}

/** Runs `fn` over `items` with at most `limit` in flight (tshark start-up dominates; 2 cores). */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
