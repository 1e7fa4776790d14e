/**
 * The reflector core alone, in process, without sockets: the synthetic fan-out table
 * (tables.ts) decoded and fed UPDATE by UPDATE to a Reflector whose K members are fake ports
 * that take every Buffer at once. Measures the CPU seconds and wall time of import, decision,
 * packing and the writes to K members, and the heap/RSS growth, so that RIB and update-group
 * changes can be compared without the noise of sockets, receivers and other work on a shared
 * machine. Flags: --core-n=1M (prefixes), --core-k=1,10,50 (members), --core-repeat=3 (best of),
 * --core-warm=false (no unmeasured warm-up run).
 * Not issue 5's benchmark (that is fanout.ts): a tool for finding where the core's time goes.
 *
 * Issue 6: each K is also run with BENCH_EXPORT_POLICY on every member's group (a prefix-list
 * reject, then a community regex setting LOCAL_PREF: evaluated per prefix, since the policy
 * reads the prefix), and the ratio to the run without policy is printed (target ≤ 1.3).
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
import { ACCEPT_ALL, type ExportRule } from '../src/reflect/export-entries.js';
import { compilePolicies } from '../src/policy/compile.js';
import { syntheticTable } from './tables.js';
import { localPeer } from '../src/reflect/local-peer.js';
import { installMemoryAdvice } from '../src/cli/memory-advice.js';

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

/**
 * A realistic export policy (issue 6: community match, set LOCAL_PREF, prefix list): routes in
 * the bogon prefix list are tagged 64496:666, then routes with a "regional" community (value
 * 100-199) get LOCAL_PREF 20. Nothing is rejected, so every receiver still gets all N prefixes
 * and the fan-out bench can time it like the run without policy.
 */
export const BENCH_EXPORT_POLICY = {
  prefixLists: { bogons: ['10.0.0.0/8 le 32', '172.16.0.0/12 le 32', '192.168.0.0/16 le 32', '100.64.0.0/10 le 32'] },
  'bench-out': {
    default: 'accept',
    terms: [
      { name: 'tag-bogons', match: { prefixList: 'bogons' }, then: { community: { add: ['64496:666'] }, action: 'next-term' } },
      { name: 'regional', match: { community: { regex: '^[0-9]+:1[0-9][0-9]$' } }, then: { localPref: 20, action: 'accept' } },
    ],
  },
};

function benchRule(): ExportRule {
  const policy = compilePolicies(BENCH_EXPORT_POLICY, 'bench', { localAs: 64496, groups: ['bench'] }).policies.get('bench-out');
  if (policy === undefined) throw new Error('bench policy missing');
  return { kind: 'policy', policy };
}

function member(index: number, sink: { bytes: number; messages: number }, exportRule: ExportRule): ReflectorPeer {
  const addr = Buffer.alloc(4);
  addr.writeUInt32BE((0x7f000100 + index) >>> 0);
  const port = {
    index,
    writable: true,
    write(msg: Buffer): boolean {
      sink.bytes += msg.length;
      sink.messages++;
      return true;
    },
  };
  return localPeer(index, addr, port, { clusterId: 0xc0000201, group: 'bench', peerAs: 64496, exportRule });
}

interface Result {
  readonly cpuS: number;
  readonly wallS: number;
  readonly rssMb: number;
  readonly messagesPerMember: number;
  /** Minor page faults and kernel CPU seconds of the run (memory first touched). */
  readonly faults: number;
  readonly sysS: number;
}

/** The measured interval of the last run, in the clock of V8 CPU profiles (for profile-summary.ts). */
let lastWindow = { startUs: 0, endUs: 0 };

async function once(updates: readonly Buffer[], k: number, rule: ExportRule = ACCEPT_ALL): Promise<Result> {
  const rr = new Reflector({ routerId: 0xc0000201, localAs: 64496, clusterIds: [0xc0000201] });
  const sink = { bytes: 0, messages: 0 };
  // The injector (index k + 1) sends with no policy; the K receivers share the rule's group.
  for (let i = 1; i <= k + 1; i++) rr.peerUp(member(i, sink, i === k + 1 ? ACCEPT_ALL : rule));
  await tick();
  await tick();
  sink.messages = 0;
  const rss0 = process.memoryUsage.rss();
  const startUs = Number(process.hrtime.bigint() / 1000n);
  const c0 = process.cpuUsage();
  const f0 = process.resourceUsage().minorPageFault;
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
  const faults = process.resourceUsage().minorPageFault - f0;
  const rssMb = (process.memoryUsage.rss() - rss0) / 2 ** 20;
  for (let j = 1; j <= k + 1; j++) rr.peerDown(j, false);
  return { cpuS: (c.user + c.system) / 1e6, wallS, rssMb, messagesPerMember: Math.round(sink.messages / k), faults, sysS: c.system / 1e6 };
}

export async function run(opts: BenchOptions): Promise<BenchReport> {
  const n = parseCount(opts.flags.get('core-n') ?? (opts.quick ? '100k' : '1M'));
  const ks = (opts.flags.get('core-k') ?? '1,10,50').split(',').map(parseCount);
  const repeat = Math.max(1, Number(opts.flags.get('core-repeat') ?? '3'));
  // As `meshrr rr` does at start-up: the RIB's large arrays on huge pages (MESHRR_HUGE_PAGES=0: not).
  const mem = installMemoryAdvice(process.env);
  opts.log(`rib-core: huge pages ${mem.advised ? 'on' : `off (${mem.reason ?? ''})`}, kernel THP ${mem.thp ?? 'unknown'}`);
  const table = syntheticTable(n);
  const updates = splitUpdates(table.bytes);
  const rows: BenchRow[] = [];
  const rule = benchRule();
  // One unmeasured run first, so the first K measured does not pay for JIT warm-up and first
  // touches of memory; --core-warm=false measures a cold process instead (as in fanout.ts).
  if (opts.flags.get('core-warm') !== 'false') await once(updates, ks[0] ?? 1);
  for (const k of ks) {
    let best: Result | null = null;
    for (let r = 0; r < repeat; r++) {
      const res = await once(updates, k);
      if (best === null || res.cpuS < best.cpuS) best = res;
    }
    const b = best as Result;
    opts.log(`rib-core N=${n} K=${k}: CPU ${b.cpuS.toFixed(3)} s (kernel ${b.sysS.toFixed(3)} s, ${(b.faults / 1000).toFixed(1)}k page faults), wall ${b.wallS.toFixed(3)} s, RSS +${b.rssMb.toFixed(0)} MB, ${b.messagesPerMember} UPDATEs per member`);
    rows.push({ metric: `N=${n} K=${k} core CPU`, value: b.cpuS, unit: 's', note: `best of ${repeat}; wall ${b.wallS.toFixed(3)} s; RSS +${b.rssMb.toFixed(0)} MB` });
    if (opts.flags.get('core-policy') === 'false') continue;
    let bestP: Result | null = null;
    for (let r = 0; r < repeat; r++) {
      const res = await once(updates, k, rule);
      if (bestP === null || res.cpuS < bestP.cpuS) bestP = res;
    }
    const p = bestP as Result;
    opts.log(`rib-core N=${n} K=${k} with export policy: CPU ${p.cpuS.toFixed(3)} s (${(p.cpuS / b.cpuS).toFixed(2)}x), ${p.messagesPerMember} UPDATEs per member`);
    rows.push({ metric: `N=${n} K=${k} core CPU, export policy`, value: p.cpuS, unit: 's', ratio: p.cpuS / b.cpuS, note: `issue 6 target ≤ 1.3x of no policy; wall ${p.wallS.toFixed(3)} s` });
  }
  // --core-window=FILE: the last run's interval, for `profile-summary.js PROFILE` run with
  // `node --cpu-prof` (name FILE like the profile, with .window.json in place of .cpuprofile).
  const wf = opts.flags.get('core-window');
  if (wf !== undefined) writeFileSync(wf, JSON.stringify(lastWindow));
  return { title: 'rib-core', rows };
}
