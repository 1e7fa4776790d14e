/**
 * The reflector core alone, in process, without sockets: the synthetic fan-out table
 * (tables.ts) decoded and fed UPDATE by UPDATE to a Reflector whose K members are fake ports
 * that take every Buffer at once. Measures the CPU seconds and wall time of import, decision,
 * packing and the writes to K members, and the heap/RSS growth, so that RIB and update-group
 * changes can be compared without the noise of sockets, receivers and other work on a shared
 * machine. Flags: --core-n=1M (prefixes), --core-k=1,10,50 (members), --core-repeat=3 (best of).
 * Not issue 5's benchmark (that is fanout.ts): a tool for finding where the core's time goes.
 */
import { setImmediate as tick } from 'node:timers/promises';
import process from 'node:process';
import { writeFileSync } from 'node:fs';
import { Reflector, type ReflectorPeer } from '../src/reflect/reflector.js';
import { AS4_CTX } from '../src/wire/context.js';
import { decodeUpdate } from '../src/wire/update.js';
import { HEADER_LENGTH } from '../src/wire/iana.js';
import type { UpdateMessage } from '../src/wire/attribute-types.js';
import type { BenchOptions, BenchReport, BenchRow } from './report.js';
import { syntheticTable } from './tables.js';

function parseCount(s: string): number {
  const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(s.trim());
  if (m === null) throw new Error(`not a count: ${s}`);
  const mult = m[2] === 'k' || m[2] === 'K' ? 1e3 : m[2] === 'm' || m[2] === 'M' ? 1e6 : 1;
  return Math.round(Number(m[1]) * mult);
}

function splitUpdates(bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let p = 0; p < bytes.length; ) {
    const len = bytes.readUInt16BE(p + 16);
    out.push(bytes.subarray(p + HEADER_LENGTH, p + len));
    p += len;
  }
  return out;
}

function member(index: number, sink: { bytes: number; messages: number }): ReflectorPeer {
  const addr = Buffer.alloc(4);
  addr.writeUInt32BE((0x7f000100 + index) >>> 0);
  return {
    index,
    role: 'client',
    clusterId: 0xc0000201,
    clientToClient: true,
    routeServer: false,
    bgpId: (0x7f000100 + index) >>> 0,
    address: addr,
    as4: true,
    extendedMessage: false,
    families: [{ afi: 1, safi: 1 }],
    encodeCtx: AS4_CTX,
    port: {
      index,
      writable: true,
      write(msg: Buffer): boolean {
        sink.bytes += msg.length;
        sink.messages++;
        return true;
      },
    },
    exportPolicy: '',
    addPathSend: 0,
    addPathFamilies: [],
  };
}

interface Result {
  readonly cpuS: number;
  readonly wallS: number;
  readonly rssMb: number;
  readonly messagesPerMember: number;
}

/** The measured interval of the last run, in the clock of V8 CPU profiles (for profile-summary.ts). */
let lastWindow = { startUs: 0, endUs: 0 };

async function once(updates: readonly Buffer[], k: number): Promise<Result> {
  const rr = new Reflector({ routerId: 0xc0000201, localAs: 64496, clusterIds: [0xc0000201] });
  const sink = { bytes: 0, messages: 0 };
  for (let i = 1; i <= k + 1; i++) rr.peerUp(member(i, sink));
  await tick();
  await tick();
  sink.messages = 0;
  const rss0 = process.memoryUsage.rss();
  const startUs = Number(process.hrtime.bigint() / 1000n);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  // Like the session layer: a chunk of UPDATEs per turn (about 64 KiB of socket data).
  let i = 0;
  while (i < updates.length) {
    for (let bytes = 0; i < updates.length && bytes < 65536; i++) {
      const body = updates[i] as Buffer;
      bytes += body.length;
      const r = decodeUpdate(body, AS4_CTX);
      if (!r.ok) throw new Error('table UPDATE does not decode');
      rr.onUpdate(k + 1, r.update as UpdateMessage, false);
    }
    await tick();
  }
  for (;;) {
    await tick();
    let depth = 0;
    for (const g of rr.groups.values()) depth += g.logDepth.packets;
    if (rr.rib.pendingDecisions === 0 && depth === 0) break;
  }
  const wallS = (performance.now() - t0) / 1000;
  lastWindow = { startUs, endUs: Number(process.hrtime.bigint() / 1000n) };
  const c = process.cpuUsage(c0);
  const rssMb = (process.memoryUsage.rss() - rss0) / 2 ** 20;
  for (let j = 1; j <= k + 1; j++) rr.peerDown(j, false);
  return { cpuS: (c.user + c.system) / 1e6, wallS, rssMb, messagesPerMember: Math.round(sink.messages / k) };
}

export async function run(opts: BenchOptions): Promise<BenchReport> {
  const n = parseCount(opts.flags.get('core-n') ?? (opts.quick ? '100k' : '1M'));
  const ks = (opts.flags.get('core-k') ?? '1,10,50').split(',').map(parseCount);
  const repeat = Math.max(1, Number(opts.flags.get('core-repeat') ?? '3'));
  const table = syntheticTable(n);
  const updates = splitUpdates(table.bytes);
  const rows: BenchRow[] = [];
  // One unmeasured run first, so the first K measured does not pay for JIT warm-up.
  await once(updates, ks[0] ?? 1);
  for (const k of ks) {
    let best: Result | null = null;
    for (let r = 0; r < repeat; r++) {
      const res = await once(updates, k);
      if (best === null || res.cpuS < best.cpuS) best = res;
    }
    const b = best as Result;
    opts.log(`rib-core N=${n} K=${k}: CPU ${b.cpuS.toFixed(3)} s, wall ${b.wallS.toFixed(3)} s, RSS +${b.rssMb.toFixed(0)} MB, ${b.messagesPerMember} UPDATEs per member`);
    rows.push({ metric: `N=${n} K=${k} core CPU`, value: b.cpuS, unit: 's', note: `best of ${repeat}; wall ${b.wallS.toFixed(3)} s; RSS +${b.rssMb.toFixed(0)} MB` });
  }
  // --core-window=FILE: the last run's interval, for `profile-summary.js PROFILE` run with
  // `node --cpu-prof` (name FILE like the profile, with .window.json in place of .cpuprofile).
  const wf = opts.flags.get('core-window');
  if (wf !== undefined) writeFileSync(wf, JSON.stringify(lastWindow));
  return { title: 'rib-core', rows };
}
