/**
 * The probes of the status server with an in-process RouteReflector (no peers needed):
 * 1. /readyz is 503 until the config is applied; with READY_MIN_SESSIONS 0 it is 200 after;
 *    with 1 it stays 503 without a session (the live test covers the session turning it 200);
 * 2. /healthz fails once the event loop was blocked longer than the bound, and recovers once
 *    the blocked tick has left the window;
 * 3. the probe address serves only /healthz, /readyz and /metrics; the API is read-only.
 * The loop is blocked by a busy wait in this very process: deterministic, no sleeping.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { parseRouterConfig } from '../../src/config/router-config.js';
import { RouteReflector } from '../../src/rr/route-reflector.js';
import { StatusServer, type HostPort } from '../../src/status/server.js';
import { takeOperationsArgs } from '../../src/status/options.js';
import { pollUntil } from '../helpers/poll.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { dumpRibToFile } from '../../src/status/rib-dump.js';
import { parseIpv4 } from '../../src/wire/nlri.js';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

const CONFIG = JSON.stringify({
  routerId: '198.51.100.1',
  asn: 64496,
  hostname: 'probe-test',
  listen: [],
  groups: [{ name: 'clients', role: 'client', listenRanges: ['198.51.100.0/24'] }],
});

const log = pino({ level: 'silent' });

async function get(a: HostPort, path: string, method = 'GET'): Promise<{ status: number; body: { ok?: boolean; reason?: string; error?: string } }> {
  const res = await fetch(`http://${a.host}:${a.port}${path}`, { method });
  const text = await res.text();
  const json = (res.headers.get('content-type') ?? '').startsWith('application/json');
  return { status: res.status, body: json ? (JSON.parse(text) as { ok?: boolean; reason?: string }) : {} };
}

function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // blocking the event loop on purpose
  }
}

describe('status server probes (in process)', () => {
  let rr: RouteReflector;
  let server: StatusServer;
  let strict: StatusServer;
  let api: HostPort;
  let probe: HostPort;
  let strictApi: HostPort;

  before(async () => {
    rr = new RouteReflector({ config: parseRouterConfig(CONFIG, 'probe.yml'), log });
    const common = { rr, log, maxLagMs: 300, lagWindowMs: 1000, config: () => ({ source: 'probe.yml', template: null, text: CONFIG, appliedAt: null }) };
    server = new StatusServer({ ...common, address: { host: '127.0.0.1', port: 0 }, probeAddress: { host: '127.0.0.1', port: 0 }, readiness: { minSessions: 0, groups: [] } });
    strict = new StatusServer({ ...common, address: { host: '127.0.0.1', port: 0 }, readiness: { minSessions: 1, groups: ['clients'] } });
    const b = await server.start();
    const s = await strict.start();
    assert.ok(b.status !== null && b.probe !== null && s.status !== null);
    api = b.status;
    probe = b.probe;
    strictApi = s.status;
  });

  after(async () => {
    await server.stop();
    await strict.stop();
    await rr.stop('test over');
  });

  test('/readyz follows config application and the session requirement', async () => {
    assert.equal((await get(probe, '/readyz')).status, 503);
    assert.match((await get(probe, '/readyz')).body.reason ?? '', /config not applied/);
    await rr.start();
    server.markConfigApplied();
    strict.markConfigApplied();
    assert.equal((await get(probe, '/readyz')).status, 200);
    const r = await get(strictApi, '/readyz');
    assert.equal(r.status, 503);
    assert.equal(r.body.reason, '0 of 1 required sessions Established (clients)');
  });

  test('/healthz fails after the event loop was blocked past the bound, then recovers', async () => {
    await pollUntil(async () => (await get(probe, '/healthz')).status === 200, { what: 'healthz 200 at start', timeoutMs: 5000 });
    busy(600);
    const r = await get(probe, '/healthz');
    assert.equal(r.status, 503);
    assert.match(r.body.reason ?? '', /^event loop lag \d+ ms exceeds 300 ms$/);
    await pollUntil(async () => (await get(probe, '/healthz')).status === 200, { what: 'healthz 200 once the block left the 1 s window', timeoutMs: 5000 });
  });

  test('the probe address serves probes and metrics only; the API is GET only', async () => {
    assert.equal((await get(probe, '/v1/summary')).status, 404);
    assert.equal((await get(probe, '/metrics')).status, 200);
    assert.equal((await get(api, '/v1/summary')).status, 200);
    assert.equal((await get(api, '/v1/summary', 'POST')).status, 405);
    assert.equal((await get(api, '/v1/discovery')).status, 404);
    const bad = await get(api, '/v1/routes?community=nope');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error, 'bad community nope');
    assert.equal((await get(api, '/v1/routes?view=advertised')).body.error, '--advertised needs --peer');
  });

  test('operations options: flags override the environment, bad values are refused', () => {
    const r = takeOperationsArgs(['--config', 'x', '--status-address', ':9000', '--ready-groups', 'core, upstream'], { STATUS_ADDRESS: '127.0.0.2:1', READY_MIN_SESSIONS: '2', PROBE_ADDRESS: '[2001:db8::1]:8081' });
    assert.ok(!('error' in r));
    assert.deepEqual(r.rest, ['--config', 'x']);
    assert.deepEqual(r.options.statusAddress, { host: '127.0.0.1', port: 9000 });
    assert.deepEqual(r.options.probeAddress, { host: '2001:db8::1', port: 8081 });
    assert.equal(r.options.readyMinSessions, 2);
    assert.deepEqual(r.options.readyGroups, ['core', 'upstream']);
    assert.equal(r.options.statusAddressExplicit, true);
    const d = takeOperationsArgs([], {}, { host: '10.0.0.5', port: 8081 });
    assert.ok(!('error' in d));
    assert.deepEqual(d.options.statusAddress, { host: '127.0.0.1', port: 8080 });
    assert.equal(d.options.statusAddressExplicit, false);
    assert.deepEqual(d.options.probeAddress, { host: '10.0.0.5', port: 8081 });
    assert.deepEqual(takeOperationsArgs(['--status-address', 'off'], {}), { rest: [], options: { ...d.options, statusAddress: null, statusAddressExplicit: true, probeAddress: null } });
    assert.deepEqual(takeOperationsArgs(['--ready-min-sessions', 'x'], {}), { error: '--ready-min-sessions (READY_MIN_SESSIONS): x is not a number' });
    assert.deepEqual(takeOperationsArgs(['--bmp-collector', 'nohost'], {}), { error: '--bmp-collector (BMP_COLLECTOR): nohost is not HOST:PORT' });
    const m = takeOperationsArgs(['--mrt-dump', '/var/lib/meshrr/rib.mrt'], { MRT_DUMP_SECONDS: '600' });
    assert.ok(!('error' in m));
    assert.deepEqual(m.options.mrtDump, { file: '/var/lib/meshrr/rib.mrt', seconds: 600 });
    assert.deepEqual(takeOperationsArgs(['--mrt-dump-seconds', '0'], {}), { error: '--mrt-dump-seconds (MRT_DUMP_SECONDS): must be at least 1' });
  });

  test('a dump to a file is complete TABLE_DUMP_V2 (renamed into place, no .tmp left)', async () => {
    const tmp = await makeTmpDir('ribdump');
    try {
      const file = join(tmp.path, 'rib.mrt');
      assert.equal(await dumpRibToFile(rr, file, Date.UTC(2026, 0, 1)), 0);
      const b = await readFile(file);
      // MRT header: timestamp, type 13 (TABLE_DUMP_V2), subtype 1 (PEER_INDEX_TABLE), RFC 6396 §4.3.1.
      assert.equal(b.readUInt32BE(0), Date.UTC(2026, 0, 1) / 1000);
      assert.equal(b.readUInt16BE(4), 13);
      assert.equal(b.readUInt16BE(6), 1);
      assert.equal(b.readUInt32BE(12), parseIpv4('198.51.100.1'), 'collector BGP ID is the router ID');
      assert.equal(b.length, 12 + b.readUInt32BE(8));
      await assert.rejects(readFile(`${file}.tmp`));
    } finally {
      await tmp.cleanup({ failed: false });
    }
  });
});
