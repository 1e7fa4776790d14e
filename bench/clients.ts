/**
 * Child-process entry of the fan-out bench's BGP clients, run inside the bench namespace:
 *   node clients.js inject  --table=FILE --local=ADDR --remote=ADDR --port=N --asn=N
 *   node clients.js receive --table=FILE --first=ADDR --count=K --remote=ADDR --port=N --asn=N
 * Talks to the orchestrator (fanout.ts) in JSON lines: events on stdout, commands on stdin.
 * inject: prints `established`; on `go` writes the whole table (concatenated UPDATEs and
 * End-of-RIB) and prints `sent` with t0 (process.hrtime before the first UPDATE byte; the
 * monotonic clock is system-wide, so times compare across processes).
 * receive: builds the target table (tableTarget), prints `ready`; on `connect` opens K
 * sessions at once and prints `connecting`, then `established` when all are up, then `done`
 * with the time the last of them held every target prefix. `status` prints counts.
 * Receivers count prefixes with one byte per known prefix (PrefixIndex), no objects.
 */
import { readFileSync } from 'node:fs';
import process from 'node:process';
import { createInterface } from 'node:readline';
import { BgpClient, ipv4Number } from './bgp-client.js';
import { tableTarget, type TableTarget } from './prefix-index.js';
import { UpdateMemo } from './update-memo.js';

type Args = ReadonlyMap<string, string>;

function parseArgs(argv: readonly string[]): { role: string; args: Args } {
  const args = new Map<string, string>();
  for (const a of argv.slice(1)) {
    const m = /^--([^=]+)=(.*)$/.exec(a);
    if (m !== null) args.set(m[1] as string, m[2] as string);
  }
  return { role: argv[0] ?? '', args };
}

function need(args: Args, key: string): string {
  const v = args.get(key);
  if (v === undefined) throw new Error(`missing --${key}`);
  return v;
}

function emit(event: string, fields: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ event, ...fields })}\n`);
}

const now = (): string => process.hrtime.bigint().toString();

function onCommands(handler: (cmd: string) => void): void {
  const rl = createInterface({ input: process.stdin });
  rl.on('line', (l) => handler(l.trim()));
  rl.on('close', () => process.exit(0));
}

function commonOpts(args: Args) {
  return {
    remote: need(args, 'remote'),
    port: Number(need(args, 'port')),
    asn: Number(need(args, 'asn')),
    holdTime: Number(args.get('hold') ?? '240'),
    connectDeadlineMs: Number(args.get('deadline') ?? '120000'),
  };
}

function inject(args: Args): void {
  const table = readFileSync(need(args, 'table'));
  let sent = false;
  const c = new BgpClient({
    ...commonOpts(args),
    local: need(args, 'local'),
    onUpdate: () => undefined,
    onEstablished: () => emit('established', { t: now() }),
    onLost: (_c, error) => emit('lost', { addr: need(args, 'local'), error }),
  });
  onCommands((cmd) => {
    if (cmd !== 'go' || sent) return;
    sent = true;
    const t0 = now();
    c.write(table, () => emit('sent', { t0, t1: now(), bytes: table.length }));
  });
  c.start();
}

interface Receiver {
  readonly held: Uint8Array;
  count: number;
  unknown: number;
  updates: number;
  done: boolean;
}

function receive(args: Args): void {
  const tt: TableTarget = tableTarget(readFileSync(need(args, 'table')));
  const first = ipv4Number(need(args, 'first'));
  const count = Number(need(args, 'count'));
  const { index, target, targetCount } = tt;
  const receivers: Receiver[] = [];
  const clients: BgpClient[] = [];
  let established = 0;
  let finished = 0;
  let lost = 0;

  const memo = new UpdateMemo(index);
  const apply = (r: Receiver, buf: Buffer, start: number, end: number): void => {
    const held = r.held;
    r.updates++;
    const u = memo.parse(buf, start, end);
    let n = r.count;
    const wd = u.withdrawn;
    for (let i = 0; i < wd.length; i++) {
      const idx = wd[i] as number;
      if (idx >= 0 && held[idx] === 1) {
        held[idx] = 0;
        n -= target[idx] as number;
      }
    }
    const an = u.announced;
    for (let i = 0; i < an.length; i++) {
      const idx = an[i] as number;
      if (idx < 0) r.unknown++;
      else if (held[idx] === 0) {
        held[idx] = 1;
        n += target[idx] as number;
      }
    }
    r.count = n;
    if (!r.done && n === targetCount) {
      r.done = true;
      if (++finished === count) {
        let unknown = 0;
        let updates = 0;
        for (const x of receivers) {
          unknown += x.unknown;
          updates += x.updates;
        }
        emit('done', { t: now(), unknown, updates, memoHits: memo.hits, memoMisses: memo.misses });
      }
    }
  };

  const status = (): void => {
    let min = Infinity;
    let max = 0;
    let unknown = 0;
    let updates = 0;
    for (const r of receivers) {
      min = Math.min(min, r.count);
      max = Math.max(max, r.count);
      unknown += r.unknown;
      updates += r.updates;
    }
    emit('status', { established, finished, lost, memoHits: memo.hits, memoMisses: memo.misses, min: receivers.length > 0 ? min : 0, max, unknown, updates, targetCount });
  };

  const connectAll = (): void => {
    emit('connecting', { t: now() });
    for (let i = 0; i < count; i++) {
      const local = [(first + i) >>> 24, ((first + i) >>> 16) & 255, ((first + i) >>> 8) & 255, (first + i) & 255].join('.');
      const r: Receiver = { held: new Uint8Array(index.size), count: 0, unknown: 0, updates: 0, done: false };
      receivers.push(r);
      const c = new BgpClient({
        ...commonOpts(args),
        local,
        onUpdate: (buf, start, end) => apply(r, buf, start, end),
        onEstablished: () => {
          if (++established === count) emit('established', { t: now(), retries: clients.reduce((s, x) => s + x.retries, 0) });
        },
        onLost: (_c, error) => {
          lost++;
          emit('lost', { addr: local, error });
        },
      });
      clients.push(c);
      c.start();
    }
  };

  onCommands((cmd) => {
    if (cmd === 'connect' && clients.length === 0) connectAll();
    else if (cmd === 'status') status();
  });
  emit('ready', { targetCount, prefixes: index.size, updates: tt.updates });
}

const { role, args } = parseArgs(process.argv.slice(2));
process.on('SIGTERM', () => process.exit(0));
if (role === 'inject') inject(args);
else if (role === 'receive') receive(args);
else {
  process.stderr.write('usage: clients.js inject|receive --key=value...\n');
  process.exit(2);
}
