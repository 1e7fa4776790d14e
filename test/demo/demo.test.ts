/**
 * `meshrr demo` (src/demo/): the 2regions-hrr mesh on loopback comes up, every router ends up
 * with every other router's prefixes from both reflectors of its region, with the right
 * ORIGINATOR_ID and CLUSTER_LIST (1 long inside a region; 3 long across regions: the regional
 * reflector, a core reflector, a reflector of the origin region), and `--once` shuts every
 * session down with Cease / Administrative Shutdown and exits 0 with nothing left open.
 *
 * The JSON run is a child process through tsx (a lingering timer or socket would keep it from
 * exiting); the text run is in-process, checking afterwards that no TCP handle survives.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../src/cli/main.js';
import { parseRouterConfig } from '../../src/config/router-config.js';
import type { DemoSnapshot, StopReport } from '../../src/demo/mesh.js';
import { CORE, REGIONS, regionalReflectors, ROUTERS, expectedSessions } from '../../src/demo/topology.js';
import { pollUntil } from '../helpers/poll.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = join(ROOT, 'src/cli/main.ts');
/** A port of its own, so a demo someone runs on 1790 meanwhile does not collide. */
const port = (): number => 30000 + Math.floor(Math.random() * 20000);

function run(args: readonly string[], timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`meshrr ${args.join(' ')} still running after ${timeoutMs} ms; stdout: ${stdout.slice(-2000)} stderr: ${stderr.slice(-2000)}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - t0 });
    });
  });
}

function sink(): { stream: Writable; text: () => string } {
  const parts: string[] = [];
  return {
    stream: new Writable({
      write(chunk: Buffer, _enc, cb) {
        parts.push(chunk.toString('utf8'));
        cb();
      },
    }),
    text: () => parts.join(''),
  };
}

const regionOf = (address: string): string | undefined => ROUTERS.find((r) => r.address === address)?.region;
const reflectorsOf = (region: string): string[] => {
  const r = REGIONS.find((g) => g.name === region);
  return r === undefined ? [] : regionalReflectors(r).map((n) => n.address);
};

describe('meshrr demo', () => {
  it('--once --json: every router has every other prefix with the expected ORIGINATOR_ID and CLUSTER_LIST, then a clean exit', async () => {
    const r = await run(['demo', '--once', '--json', '--port', String(port())], 90_000);
    assert.equal(r.code, 0, `exit ${r.code}\nstderr: ${r.stderr}`);
    const lines = r.stdout
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as { type: string });
    const snap = lines.find((l): l is DemoSnapshot => l.type === 'snapshot');
    const stop = lines.find((l): l is StopReport => l.type === 'stopped');
    assert.ok(snap !== undefined && stop !== undefined, r.stdout);
    assert.equal(snap.sessionsExpected, expectedSessions().length);
    assert.equal(snap.sessionsUp, snap.sessionsExpected);
    assert.equal(snap.policy.active, true);
    assert.equal(snap.policy.regionOnlyLeaked, 0, '65000:101 never leaves its region');
    assert.ok(snap.policy.lowPrefAbroad.length > 0 && snap.policy.lowPrefAbroad.every((v) => v === 20), `65000:102 abroad: ${snap.policy.lowPrefAbroad.join(' ')}`);
    assert.ok(snap.policy.lowPrefAtHome.length > 0 && snap.policy.lowPrefAtHome.every((v) => v === 100), `65000:102 at home: ${snap.policy.lowPrefAtHome.join(' ')}`);

    const cores = CORE.map((c) => c.address);
    for (const router of snap.routers) {
      const mine = reflectorsOf(router.region);
      assert.equal(mine.length, 2);
      // Nothing of its own comes back (RFC 4456 §8), and nothing is dropped for it either.
      for (const a of router.announces) assert.ok(!router.paths.some((p) => p.prefix === a.prefix), `${router.name} got its own ${a.prefix}`);
      for (const origin of ROUTERS.filter((o) => o.address !== router.address)) {
        for (const a of origin.announces) {
          const paths = router.paths.filter((p) => p.prefix === a.prefix);
          const what = `${router.name} ${a.prefix}`;
          if (origin.region !== router.region && a.communities.includes('65000:101')) {
            assert.deepEqual(paths, [], `${what}: 65000:101 stays in ${origin.region}`);
            continue;
          }
          assert.deepEqual(paths.map((p) => p.from).sort(), [...mine].sort(), `${what}: one path from each reflector of the region`);
          assert.equal(paths.filter((p) => p.best).length, 1, `${what}: one best`);
          for (const p of paths) {
            assert.equal(p.originatorId, origin.address, `${what}: ORIGINATOR_ID`);
            assert.equal(p.nextHop, a.nextHop, `${what}: next hop unchanged`);
            assert.deepEqual(p.communities, a.communities, `${what}: communities`);
            assert.equal(p.clusterList[0], p.from, `${what}: the sending reflector's cluster ID first`);
            if (origin.region === router.region) {
              assert.equal(p.clusterList.length, 1, `${what}: intra-region CLUSTER_LIST ${p.clusterList.join(' ')}`);
            } else {
              assert.equal(p.clusterList.length, 3, `${what}: inter-region CLUSTER_LIST ${p.clusterList.join(' ')}`);
              assert.ok(cores.includes(p.clusterList[1] ?? ''), `${what}: a core reflector second`);
              assert.ok(reflectorsOf(origin.region).includes(p.clusterList[2] ?? ''), `${what}: a reflector of ${origin.region} last`);
              assert.equal(regionOf(p.originatorId ?? ''), origin.region);
            }
          }
        }
      }
      const abroad = ROUTERS.filter((o) => o.region !== router.region).flatMap((o) => o.announces).filter((a) => a.communities.includes('65000:101')).length;
      assert.equal(router.paths.length, ((ROUTERS.length - 1) * 2 - abroad) * 2, `${router.name}: 3 routers × 2 prefixes × 2 reflectors, less the other region's 65000:101 routes`);
    }
    for (const rr of snap.reflectors) {
      assert.ok(rr.sessions.every((s) => s.state === 'Established'), `${rr.name}: every session Established`);
      // Every prefix, less the 65000:101 ones of the regions the reflector is not in.
      const regionOnly = ROUTERS.filter((o) => o.region !== rr.region).flatMap((o) => o.announces).filter((a) => a.communities.includes('65000:101')).length;
      assert.equal(rr.locRib.prefixes, ROUTERS.length * 2 - regionOnly, `${rr.name}: the Loc-RIB`);
    }
    assert.equal(stop.sessions, expectedSessions().length);
    assert.equal(stop.closedWithCease, stop.sessions, 'every session closed with Cease/Administrative Shutdown');
    assert.equal(stop.sessionsLeft, 0);
  });

  it('--once (text, in-process): prints the mesh, the tables and the note, and leaves no TCP handle', async () => {
    const out = sink();
    const err = sink();
    const code = await runCli(['demo', '--once', '--port', String(port())], { stdout: out.stream, stderr: err.stream });
    assert.equal(code, 0, err.text());
    const text = out.text();
    for (const needle of [
      '(a) The mesh',
      "(b) Each router's received routes",
      '(c) What happened',
      "policy to-upstream at each region's boundary",
      '(0 paths seen in the other region)',
      '19/19 sessions Established',
      'core-1  127.0.10.1  core, cluster 127.0.10.1',
      'MESHRR-UPSTREAM',
      'sessions closed with Cease/Administrative Shutdown, 0 left open',
    ]) {
      assert.ok(text.includes(needle), `output lacks ${JSON.stringify(needle)}:\n${text}`);
    }
    assert.match(text, /\*> {2}10\.12\.1\.0\/24 +198\.18\.12\.11 +lothlorien-a +127\.0\.12\.11 +3 +127\.0\.11\.1 127\.0\.10\.[12] 127\.0\.12\.[12]/);
    // Sockets end right after the NOTIFICATIONs are flushed: none may stay.
    await pollUntil(() => !process.getActiveResourcesInfo().some((h) => h === 'TCPSocketWrap' || h === 'TCPServerWrap'), {
      what: 'every TCP socket and listener of the demo closed',
      timeoutMs: 5000,
    });
  });

  it('usage errors exit 2; --print-config prints a router config meshrr rr can run', async () => {
    const out = sink();
    const err = sink();
    assert.equal(await runCli(['demo', '--bogus'], { stdout: out.stream, stderr: err.stream }), 2);
    assert.match(err.text(), /unknown argument --bogus/);
    assert.equal(await runCli(['demo', '--port', '70000'], { stdout: out.stream, stderr: err.stream }), 2);
    assert.equal(await runCli(['demo', '--print-config', 'nope'], { stdout: out.stream, stderr: err.stream }), 2);
    assert.equal(await runCli(['demo', '--print-config', 'lothlorien-a'], { stdout: out.stream, stderr: err.stream }), 0);
    const yaml = out.text();
    const config = parseRouterConfig(yaml, 'lothlorien-a.yml');
    assert.equal(config.routerIdText, '127.0.11.1');
    assert.deepEqual(
      config.groups.map((g) => [g.name, g.role, g.holdTime, g.connectRetryTime]),
      [
        ['MESHRR-MESH', 'nonClient', 9, 1],
        ['MESHRR-UPSTREAM', 'nonClient', 9, 1],
        ['MESHRR-CLIENTS', 'client', 9, 1],
      ],
    );
    assert.deepEqual(config.groups[1]?.neighbors.map((n) => n.address), ['127.0.10.1', '127.0.10.2']);
    assert.deepEqual(config.groups[2]?.listenRanges, ['127.0.11.0/24']);
  });
});
