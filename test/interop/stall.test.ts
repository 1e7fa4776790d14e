/**
 * "The event loop never stalls a session" (issue 4): a BIRD session with hold time 3 s
 * (keepalive 1 s both ways) must stay Established while another session pushes 1,000,000
 * IPv4 prefixes at meshrr as fast as TCP allows. The pusher is a child process
 * (blaster.ts) writing pre-built UPDATEs (300 attribute sets, packed to 4096 octets) with
 * back-pressure; meshrr only decodes and classifies them (there is no RIB in this test).
 * Asserted: every UPDATE arrived (stats.received.update), the 3 s session never dropped
 * (one established transition, none dropped, BIRD's own uptime spans the burst). A second
 * burst sends the same million prefixes one per UPDATE, as GoBGP 3.10 does: a million
 * messages. The event-loop delay seen by this process in each burst is printed too.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import { sweepStaleNetns } from '../helpers/netns.js';
import type { Lab, PeerHandle } from '../helpers/peers/index.js';
import { createLab, missingPrerequisites } from '../helpers/peers/index.js';
import { pollUntil } from '../helpers/poll.js';
import { startOnLink } from './helpers-daemons.js';
import { Matrix, teardown } from './helpers-matrix.js';
import { interopConfig, startMeshrr, type Meshrr } from './helpers-meshrr.js';
import { createLink, randomPort, type Link } from './helpers-net.js';

// Fails loudly, naming what is missing (never a silent skip).
await missingPrerequisites(['bird']);
const LINK = 36;
const MESHRR_LO = '127.93.0.1';
const PREFIXES = 1_000_000;
const SETS = 300;
const HOLD = 3;

/** Two bursts: UPDATEs packed to 4096 octets, then one prefix per UPDATE (as GoBGP sends). */
const BURSTS = [
  { name: 'packed', address: '127.93.2.1', id: 0x0a5d0201, perUpdate: 0 },
  { name: 'one-per-update', address: '127.93.2.2', id: 0x0a5d0202, perUpdate: 1 },
] as const;

interface BlasterReport {
  built?: { messages: number; prefixes: number; bytes: number };
  sent?: { messages: number; ms: number };
}

describe('interop: a 3 s hold session survives a 1M-prefix burst on another session', () => {
  const matrix = new Matrix('stall');
  let lab: Lab | undefined;
  let link: Link | undefined;
  let meshrr: Meshrr | undefined;
  let bird: PeerHandle | undefined;
  const children: ChildProcess[] = [];
  let failed = false;

  before(async () => {
    await sweepStaleNetns();
    lab = await createLab('interop-stall');
    link = await createLink(LINK, 'stall');
    const m = await startMeshrr({ listen: [link.root4, MESHRR_LO], port: randomPort() });
    meshrr = m;
    m.neighbor(link.peer4, interopConfig({ passive: true, holdTime: HOLD }));
    for (const b of BURSTS) m.neighbor(b.address, interopConfig({ passive: true, holdTime: 90, gracefulRestart: false }));
    bird = await startOnLink(lab, 'bird', link, 'bird-hold3', m.port, { holdTime: HOLD, v6: false });
    await pollUntil(() => m.peer(link?.peer4 ?? '').state === 'Established', { what: 'BIRD Established', timeoutMs: 30_000 });
    await bird.waitEstablished(link.root4, 30_000);
  });

  after(() =>
    teardown([
      () => children.forEach((c) => c.pid !== undefined && c.exitCode === null && process.kill(c.pid, 'SIGTERM')),
      () => matrix.print(),
      () => meshrr?.shutdown(),
      () => (failed && lab !== undefined ? meshrr?.saveLog(`${lab.dir}/meshrr.log`) : undefined),
      () => lab?.close({ failed }),
      () => link?.destroy(),
    ]),
  );

  /** Run blaster.ts for one burst and wait until meshrr received every UPDATE it wrote. */
  async function runBurst(m: Meshrr, burst: (typeof BURSTS)[number]): Promise<void> {
    const report: BlasterReport = {};
    const script = fileURLToPath(new URL('./blaster.ts', import.meta.url));
    const args = [script, MESHRR_LO, String(m.port), burst.address, String(burst.id), String(PREFIXES), String(SETS), String(burst.perUpdate)];
    const c = spawn(process.execPath, ['--import', 'tsx', ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
    children.push(c);
    let lineBuf = '';
    c.stdout?.on('data', (d: Buffer) => {
      lineBuf += d.toString('utf8');
      for (let nl = lineBuf.indexOf('\n'); nl >= 0; nl = lineBuf.indexOf('\n')) {
        Object.assign(report, JSON.parse(lineBuf.slice(0, nl)) as BlasterReport);
        lineBuf = lineBuf.slice(nl + 1);
      }
    });
    const built = await pollUntil(() => report.built, { what: `blaster ${burst.name} built its UPDATEs`, timeoutMs: 60_000 });
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const t0 = Date.now();
    const flood = (): ReturnType<typeof m.peer> | undefined => m.speaker.getPeer(burst.address);
    await matrix.check('meshrr', `${burst.name}-all-received`, async () => {
      await pollUntil(() => report.sent, { what: `blaster ${burst.name} wrote every UPDATE`, timeoutMs: 120_000 });
      await pollUntil(() => flood()?.stats.received.update === built.messages, {
        what: `meshrr received ${built.messages} UPDATEs (${burst.name})`,
        timeoutMs: 120_000,
      });
      assert.equal(flood()?.state, 'Established');
      assert.equal(flood()?.stats.lastNotificationSent, null);
    });
    delay.disable();
    const ms = Date.now() - t0;
    const maxMs = delay.max / 1e6;
    matrix.record('meshrr', `${burst.name}(${built.messages}upd/${Math.round(built.bytes / 1e6)}MB/${ms}ms/loop-max-${maxMs.toFixed(0)}ms)`, maxMs < HOLD * 1000);
    process.stdout.write(
      `stall ${burst.name}: ${PREFIXES} prefixes in ${built.messages} UPDATEs (${built.bytes} octets) written in ${report.sent?.ms ?? '?'} ms, ` +
        `received by meshrr within ${ms} ms; event loop delay max ${maxMs.toFixed(1)} ms, p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms\n`,
    );
    if (c.pid !== undefined && c.exitCode === null) process.kill(c.pid, 'SIGTERM');
  }

  it('keeps the hold-3 session up while 1,000,000 prefixes arrive on another', async () => {
    try {
      const m = meshrr;
      const l = link;
      const b = bird;
      if (m === undefined || l === undefined || b === undefined) throw new Error('setup failed');
      const held = m.peer(l.peer4);
      await matrix.check('bird', 'hold-3-negotiated', async () => {
        assert.equal(held.status().negotiated?.holdTime, HOLD);
        assert.equal((await b.negotiatedCapabilities(l.root4)).holdTime, HOLD);
      });
      const t0 = Date.now();
      for (const burst of BURSTS) await runBurst(m, burst);
      const burstMs = Date.now() - t0;
      await matrix.check('bird', 'hold-3-stays-up', async () => {
        assert.equal(held.state, 'Established');
        assert.equal(held.stats.establishedTransitions, 1);
        assert.equal(held.stats.droppedTransitions, 0);
        assert.equal(held.stats.lastNotificationSent, null);
        assert.equal(held.stats.lastNotificationReceived, null);
        const up = await b.uptime(l.root4);
        assert.ok(up !== undefined && up * 1000 >= burstMs, `BIRD's session up ${String(up)} s, burst ${burstMs} ms`);
      });
    } catch (err) {
      failed = true;
      throw err;
    }
  });
});
