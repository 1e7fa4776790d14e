/**
 * One measured topology of the fan-out bench, inside its own network namespace: a reflector
 * (daemons.ts), receiving clients in one or two processes (clients.ts, 127.0.1.x or
 * 127.1.x.y), and one injector (127.0.0.2). Times come from the clients' monotonic clocks:
 * from the injector's first UPDATE byte to the last receiver holding the whole table. The
 * reflector's CPU is read from /proc before the injection and after the last receiver is
 * done; its peak RSS is VmHWM. A configuration that times out is returned as such, with the
 * receivers' counts, and every process is stopped and the namespace removed in all cases.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Daemon } from './daemons.js';
import { LOCAL_AS, RR_ADDRESS, RR_PORT } from './daemons.js';
import { Child, cpuSeconds, kernelShare, machineBusySeconds, memory, TimeoutError, waitForQuiet, withNetns, type Event } from './proc.js';
import { ipv4Number } from './bgp-client.js';

export interface TopoOptions {
  /** dist-bench/ (compiled root). */
  readonly root: string;
  /** Scratch directory for daemon files. */
  readonly dir: string;
  readonly tableFile: string;
  /** Receiving clients. */
  readonly k: number;
  /** Address of the first receiver; the others follow it. */
  readonly firstReceiver: string;
  /** Receiver processes (split evenly). */
  readonly procs: number;
  /** Time allowed from the first UPDATE byte to the last receiver done. */
  readonly timeoutMs: number;
  /** meshrr under `node --cpu-prof`; the measured window goes to dir/name.window.json. */
  readonly cpuProf?: { readonly dir: string; readonly name: string };
  readonly log: (line: string) => void;
  /**
   * Before the configuration, wait up to `perRunMs` for the rest of the machine to go idle;
   * `leftMs` is what the whole bench may still spend waiting (decremented here).
   */
  readonly quiet: { readonly perRunMs: number; leftMs: number };
}

export interface TopoResult {
  readonly daemon: string;
  /** Seconds from the first injected UPDATE byte to the last receiver holding the table. */
  readonly timeS: number | null;
  readonly cpuS: number | null;
  readonly hwmMb: number | null;
  /** Session scale: seconds from the first connect to all receivers Established. */
  readonly establishS?: number;
  /** Session scale: (RSS with all receivers idle - RSS before) / receivers, in kB. */
  readonly rssPerSessionKb?: number;
  readonly note: string;
}

const ns = (e: Event, key: string): bigint => BigInt(String(e[key]));
const seconds = (a: bigint, b: bigint): number => Number(b - a) / 1e9;

function addressPlus(first: string, i: number): string {
  const v = (ipv4Number(first) + i) >>> 0;
  return [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join('.');
}

function clientArgs(o: TopoOptions, nsName: string, role: string, extra: readonly string[]): string[] {
  const common = [`--table=${o.tableFile}`, `--remote=${RR_ADDRESS}`, `--port=${RR_PORT}`, `--asn=${LOCAL_AS}`, '--deadline=150000'];
  return ['netns', 'exec', nsName, process.execPath, join(o.root, 'bench/clients.js'), role, ...common, ...extra];
}

/** Asks every receiver process for its counts (best effort, for a timeout note). */
async function statusNote(receivers: readonly Child[]): Promise<string> {
  for (const r of receivers) r.send('status');
  const parts: string[] = [];
  for (const r of receivers) {
    try {
      const s = await r.waitEvent('status', 3000);
      parts.push(`${String(s['finished'])} done, ${String(s['established'])} up, counts ${String(s['min'])}..${String(s['max'])} of ${String(s['targetCount'])}`);
    } catch (e) {
      parts.push(e instanceof Error ? e.message : String(e));
    }
  }
  return parts.join('; ');
}

/**
 * Runs one configuration. `sessionScale` also measures how long the receivers take to reach
 * Established all at once, and the RSS each idle session costs.
 */
export async function runTopology(d: Daemon, o: TopoOptions, sessionScale = false): Promise<TopoResult> {
  const nsName = `meshrr-bench-${process.pid}`;
  return withNetns(nsName, async () => {
    const children: Child[] = [];
    let rr: Child | null = null;
    const result = (timeS: number | null, cpuS: number | null, hwmMb: number | null, note: string, extra: Partial<TopoResult> = {}): TopoResult => ({
      daemon: d.name,
      timeS,
      cpuS,
      hwmMb,
      note,
      ...extra,
    });
    try {
      const waitStart = Date.now();
      const before = await waitForQuiet(0.25, Math.min(o.quiet.perRunMs, o.quiet.leftMs));
      o.quiet.leftMs = Math.max(0, o.quiet.leftMs - (Date.now() - waitStart));
      rr = await d.start({ ns: nsName, dir: o.dir, maxPeers: o.k + 1, ...(o.cpuProf !== undefined && d.name === 'meshrr' ? { cpuProf: o.cpuProf } : {}) });
      const rss0 = memory(rr.pid).rssMb;
      const receivers: Child[] = [];
      const per = Math.ceil(o.k / o.procs);
      for (let p = 0, i = 0; i < o.k; p++, i += per) {
        const n = Math.min(per, o.k - i);
        const c = new Child(`receivers#${p}`, 'ip', clientArgs(o, nsName, 'receive', [`--first=${addressPlus(o.firstReceiver, i)}`, `--count=${n}`]));
        receivers.push(c);
        children.push(c);
      }
      for (const c of receivers) await c.waitEvent('ready', 60000);
      for (const c of receivers) c.send('connect');
      const est: Event[] = [];
      try {
        for (const c of receivers) est.push(await c.waitEvent('established', sessionScale ? 150000 : 60000));
      } catch (e) {
        if (!(e instanceof TimeoutError)) throw e;
        return result(null, null, memory(rr.pid).hwmMb, `not all Established: ${e.message}: ${await statusNote(receivers)}`);
      }
      const connecting = receivers.map((c) => c.find('connecting') as Event);
      const establishS = seconds(connecting.map((e) => ns(e, 't')).reduce((a, b) => (a < b ? a : b)), est.map((e) => ns(e, 't')).reduce((a, b) => (a > b ? a : b)));
      const retries = est.reduce((s, e) => s + Number(e['retries'] ?? 0), 0);
      const rss1 = memory(rr.pid).rssMb;
      if (sessionScale) o.log(`  ${d.name}: ${o.k} sessions Established in ${establishS.toFixed(2)} s (${retries} connect retries), RSS ${rss0.toFixed(0)} -> ${rss1.toFixed(0)} MB`);

      const inj = new Child('injector', 'ip', clientArgs(o, nsName, 'inject', ['--local=127.0.0.2']));
      children.push(inj);
      await inj.waitEvent('established', 30000);
      const cpu0 = cpuSeconds(rr.pid);
      const k0 = kernelShare(rr.pid);
      const clientCpu = (): number => receivers.reduce((sum, c) => sum + cpuSeconds(c.pid), 0);
      const clientCpu0 = clientCpu();
      const ours = (): number => cpuSeconds(rr?.pid ?? 0) + clientCpu() + cpuSeconds(inj.pid);
      const others0 = machineBusySeconds() - ours();
      inj.send('go');
      const sent = await inj.waitEvent('sent', o.timeoutMs);
      const t0 = ns(sent, 't0');
      const deadline = Date.now() + o.timeoutMs;
      let last = t0;
      let unknown = 0;
      let updates = 0;
      try {
        for (const c of receivers) {
          const done = await c.waitEvent('done', Math.max(1, deadline - Date.now()));
          if (ns(done, 't') > last) last = ns(done, 't');
          unknown += Number(done['unknown'] ?? 0);
          updates += Number(done['updates'] ?? 0);
        }
      } catch (e) {
        if (!(e instanceof TimeoutError)) throw e;
        const cpu = cpuSeconds(rr.pid) - cpu0;
        const note = `timeout after ${(o.timeoutMs / 1000).toFixed(0)} s: ${await statusNote(receivers)}`;
        return result(null, cpu, memory(rr.pid).hwmMb, note);
      }
      const cpuS = cpuSeconds(rr.pid) - cpu0;
      const k1 = kernelShare(rr.pid);
      const hwmMb = memory(rr.pid).hwmMb;
      if (o.cpuProf !== undefined && d.name === 'meshrr') {
        // V8 profile timestamps are CLOCK_MONOTONIC microseconds, like hrtime / 1000.
        writeFileSync(join(o.cpuProf.dir, `${o.cpuProf.name}.window.json`), JSON.stringify({ startUs: Number(t0 / 1000n), endUs: Number(last / 1000n) }));
      }
      const others = machineBusySeconds() - ours() - others0;
      const notes = [`reflector kernel ${(k1.sysS - k0.sysS).toFixed(2)} CPU s, ${Math.round((k1.minorFaults - k0.minorFaults) / 1000)}k page faults`, `receivers ${(clientCpu() - clientCpu0).toFixed(2)} CPU s`, `other processes ${Math.max(0, others).toFixed(2)} CPU s`];
      if (before > 0.25) notes.push(`machine ${before.toFixed(1)} cores busy before start`);
      notes.push(`${Math.round(updates / o.k)} UPDATEs per receiver`);
      if (unknown > 0) notes.push(`${unknown} prefixes outside the table received`);
      if (retries > 0) notes.push(`${retries} connect retries`);
      const extra: Partial<TopoResult> = sessionScale ? { establishS, rssPerSessionKb: ((rss1 - rss0) * 1024) / o.k } : {};
      return result(seconds(t0, last), cpuS, hwmMb, notes.join(', '), extra);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      const tail = rr?.exit !== null && rr !== null ? ` (${d.name} exited: ${rr.tail()})` : '';
      return result(null, null, null, `failed: ${msg}${tail}`);
    } finally {
      for (const c of children.reverse()) await c.stop();
      if (rr !== null) await rr.stop(10000);
    }
  });
}
